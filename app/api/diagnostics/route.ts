import { withRoute } from "@/server/http/with-route";
import { readDiagnostics } from "@/server/services/read-diagnostics";

export const dynamic = "force-dynamic";

// GET /api/diagnostics: engine resources this process holds open (log follow streams by agent).
export const GET = withRoute({ auth: "operator" }, async ({ app }) => readDiagnostics({ app }));
