import { withRoute } from "@/server/http/with-route";
import { readHealth } from "@/server/services/dashboard/read-health";

export const dynamic = "force-dynamic";

// GET /dashboard-healthz: no auth and no secrets; 200 while the database is healthy, 503 when it is not.
export const GET = withRoute({ auth: "public" }, async ({ ctx }) => {
  const { report, healthy } = await readHealth({ ctx });
  return Response.json(report, { status: healthy ? 200 : 503 });
});
