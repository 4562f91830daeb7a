import { z } from "zod";
import { withRoute } from "@/server/http/with-route";
import { listAudit } from "@/server/services/dashboard/list-audit";

export const dynamic = "force-dynamic";

// GET /api/audit?limit=: the newest audit rows.
export const GET = withRoute(
  { auth: "operator", query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
  async ({ ctx, query }) => ({ entries: await listAudit({ ctx, input: { limit: query.limit } }) }),
);
