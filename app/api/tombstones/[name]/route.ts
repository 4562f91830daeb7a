import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { purgeTombstone } from "@/server/services/tombstones";

export const dynamic = "force-dynamic";

// DELETE /api/tombstones/:name: purge the state volume, stored config and credentials (refused while live).
export const DELETE = withRoute({ auth: "operator", action: "tombstone.purge", params: AgentNameParams }, async ({ app, actor, params }) =>
  purgeTombstone({ app, actor: actor.name, name: params.name }),
);
