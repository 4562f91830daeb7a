import { AgentNameParams } from "@/server/contracts/containers";
import { UptimeQuery } from "@/server/contracts/uptime";
import { withRoute } from "@/server/http/with-route";
import { readAgentUptime } from "@/server/services/uptime/read-agent-uptime";

export const dynamic = "force-dynamic";

// GET /api/agents/:name/uptime?window=24h|7d|30d: up over known time; operator stops and unknown time left out.
export const GET = withRoute({ auth: "operator", params: AgentNameParams, query: UptimeQuery }, async ({ ctx, params, query }) =>
  readAgentUptime({ ctx, input: { name: params.name, window: query.window } }),
);
