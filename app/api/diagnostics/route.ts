import { withRoute } from "@/server/http/with-route";
import { readDiagnostics } from "@/server/services/journal/read-diagnostics";

export const dynamic = "force-dynamic";

// GET /api/diagnostics: what this process holds open (engine log streams by agent, credential-bound streams).
export const GET = withRoute({ auth: "operator" }, async ({ ctx }) => readDiagnostics({ ctx, input: undefined }));
