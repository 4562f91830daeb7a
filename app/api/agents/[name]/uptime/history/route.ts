import { AgentNameParams } from "@/server/contracts/containers";
import { UptimeHistoryQuery } from "@/server/contracts/uptime";
import { withRoute } from "@/server/http/with-route";
import { readAgentUptimeHistory } from "@/server/services/uptime/read-agent-uptime-history";

export const dynamic = "force-dynamic";

// GET /api/agents/:name/uptime/history?window=&granularity=hourly|daily: the uptime strip's periods, oldest first.
export const GET = withRoute({ auth: "operator", params: AgentNameParams, query: UptimeHistoryQuery }, async ({ ctx, params, query }) =>
  readAgentUptimeHistory({ ctx, input: { name: params.name, window: query.window, granularity: query.granularity } }),
);
