import { FleetUptimeQuery } from "@/server/contracts/uptime";
import { withRoute } from "@/server/http/with-route";
import { listFleetUptime } from "@/server/services/uptime/list-fleet-uptime";

export const dynamic = "force-dynamic";

// GET /api/uptime?window=24h: every agent's uptime figures over the window (the table's uptime column).
export const GET = withRoute({ auth: "operator", query: FleetUptimeQuery }, async ({ ctx, query }) => listFleetUptime({ ctx, input: { window: query.window } }));
