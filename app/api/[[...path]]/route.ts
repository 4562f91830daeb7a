import { HiveError } from "@/server/errors";
import { errorResponse, traceIdFor } from "@/server/http/with-route";

export const dynamic = "force-dynamic";

// Any /api path no route handles: the one JSON error shape instead of Next's HTML page.
function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return errorResponse(new HiveError("not_found", `no API route at ${path}`), traceIdFor(request));
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };

// The server in front of Next (server/http/edge.mjs) asks OPTIONS to learn a route's methods; "no route" is a
// bare 404 it turns into JSON itself.
export const OPTIONS = () => new Response(null, { status: 404 });
