import { sseResponse } from "@/server/http/sse";
import { withRoute } from "@/server/http/with-route";
import { followChanges } from "@/server/services/dashboard/follow-changes";

export const dynamic = "force-dynamic";

// GET /api/stream: server-sent events announcing changes; authorised before the stream opens.
export const GET = withRoute({ auth: "operator" }, async ({ ctx }) => sseResponse(ctx, followChanges({ ctx, input: undefined })));
