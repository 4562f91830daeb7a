import { buildHealthReport } from "@/server/services/health-report";
import { withRoute } from "@/server/http/with-route";

export const dynamic = "force-dynamic";

// GET /dashboard-healthz: no auth and no secrets; 200 while the database is healthy, 503 when it is not.
export const GET = withRoute({ auth: "public" }, async ({ app }) => {
  const { report, httpStatus } = await buildHealthReport(app);
  return Response.json(report, { status: httpStatus });
});
