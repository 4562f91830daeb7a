import { createHash } from "node:crypto";
import { withRoute } from "@/server/http/with-route";
import { buildDashboardState } from "@/server/services/dashboard/build-dashboard-state";

export const dynamic = "force-dynamic";

// GET /api/state: everything the dashboard page shows; 304 when nothing changed since the client's ETag.
export const GET = withRoute({ auth: "operator" }, async ({ ctx, request }) => {
  const state = await buildDashboardState({ ctx, input: undefined });
  const { serverTime, runtime, ...rest } = state;
  // The clock and the monitor's timestamps move every call; they are not "a change" for the ETag.
  const tag = `"${createHash("sha1").update(JSON.stringify({ ...rest, runtime: { ...runtime, lastCheckedAt: null, lastSuccessAt: null, nextRetryAt: null, lastDurationMs: null } })).digest("base64url")}"`;
  const headers = { ETag: tag, "X-Server-Time": serverTime, "Cache-Control": "no-cache" };
  if (request.headers.get("if-none-match") === tag) return new Response(null, { status: 304, headers });
  return Response.json(state, { headers });
});
