import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { purgeTombstone } from "@/server/services/tombstones/purge-tombstone";

export const dynamic = "force-dynamic";

// DELETE /api/tombstones/:name: purge the state volume, stored config and credentials (refused while live).
export const DELETE = withRoute({ auth: "operator", action: "tombstone.purge", params: AgentNameParams }, async ({ ctx, params }) =>
  purgeTombstone({ ctx, input: { name: params.name } }),
);
