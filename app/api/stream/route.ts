import { withRoute } from "@/server/http/with-route";
import { openDashboardStream } from "@/server/services/dashboard-stream";

export const dynamic = "force-dynamic";

// GET /api/stream: server-sent events announcing changes; authorised before the stream opens.
export const GET = withRoute({ auth: "operator" }, async ({ app, signal }) => openDashboardStream({ app, signal }));
