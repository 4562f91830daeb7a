import { SpawnAgentInput } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { listAgents } from "@/server/services/agents/list-agents";
import { spawnAgent } from "@/server/services/agents/spawn-agent";

export const dynamic = "force-dynamic";

// GET /api/agents: the agent containers the engine reports.
export const GET = withRoute({ auth: "operator" }, async ({ ctx }) => ({ agents: await listAgents({ ctx, input: undefined }) }));

// POST /api/agents: spawn { name, image, cmd?, env?, memoryMb?, cpus?, network?, role?, node? }
export const POST = withRoute(
  { auth: "operator", action: "agent.spawn", body: SpawnAgentInput },
  async ({ ctx, body, audit }) => {
    audit.target = body.name;
    audit.detail = { image: body.image, network: body.network ?? null, node: body.node ?? null };
    const agent = await spawnAgent({ ctx, input: body });
    return Response.json({ agent }, { status: 201 });
  },
);
