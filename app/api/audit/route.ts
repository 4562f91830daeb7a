import { AuditQuery } from "@/server/contracts/state";
import { withRoute } from "@/server/http/with-route";
import { listAudit } from "@/server/services/dashboard/list-audit";

export const dynamic = "force-dynamic";

// GET /api/audit?limit=: the newest audit rows.
export const GET = withRoute(
  { auth: "operator", query: AuditQuery },
  async ({ ctx, query }) => ({ entries: await listAudit({ ctx, input: { limit: query.limit } }) }),
);
