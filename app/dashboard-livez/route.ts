import { withRoute } from "@/server/http/with-route";

export const dynamic = "force-dynamic";

// GET /dashboard-livez: the liveness probe. It touches neither the database nor the engine, so their outages never
// get the dashboard restarted; it fails only when this process cannot answer at all (wedged, or shutting down).
export const GET = withRoute({ auth: "public" }, async () => ({ status: "alive", uptimeSeconds: Math.round(process.uptime()) }));
