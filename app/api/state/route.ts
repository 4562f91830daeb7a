import { withRoute } from "@/server/http/with-route";
import { buildDashboardState } from "@/server/services/build-dashboard-state";

export const dynamic = "force-dynamic";

// GET /api/state: everything the dashboard page shows.
export const GET = withRoute({ auth: "operator" }, async ({ app, actor }) => buildDashboardState({ app, actor }));
