import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { reviveTombstone } from "@/server/services/tombstones/revive-tombstone";

export const dynamic = "force-dynamic";

// POST /api/tombstones/:name/revive: queues a spawn approval with the prior config and the kept state volume.
export const POST = withRoute({ auth: "operator", action: "tombstone.revive", params: AgentNameParams }, async ({ ctx, params, audit }) => {
  const { approval, created } = await reviveTombstone({ ctx, input: { name: params.name } });
  audit.detail = { approvalId: approval.id, created };
  return Response.json({ approval }, { status: created ? 201 : 200 });
});
