import { z } from "zod";
import { AgentName } from "@/server/contracts/common";
import { withRoute } from "@/server/http/with-route";
import { describeOwnAgent } from "@/server/services/agents/describe-own-agent";

export const dynamic = "force-dynamic";

// GET /api/agent/agents/:name: an agent reads its own record.
export const GET = withRoute({ auth: "agent", params: z.object({ name: AgentName }) }, async ({ ctx, params }) =>
  describeOwnAgent({ ctx, input: { name: params.name } }),
);
