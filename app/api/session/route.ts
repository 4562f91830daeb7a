import { LoginInput, type SessionView } from "@/server/contracts/session";
import { clearedSessionCookie, cookiesAreSecure, sessionCookie } from "@/server/http/cookies";
import { clientAddress } from "@/server/http/forwarded";
import { withRoute } from "@/server/http/with-route";
import { loginOperator } from "@/server/services/login-operator";
import { logoutOperator } from "@/server/services/logout-operator";

export const dynamic = "force-dynamic";

// GET /api/session: who is logged in.
export const GET = withRoute({ auth: "operator" }, async ({ app, actor }) => {
  const view: SessionView = { operator: actor.name, via: actor.via, authMode: app.config.auth.mode };
  return view;
});

// POST /api/session: exchange the operator token for a session cookie.
export const POST = withRoute({ auth: "public", action: "session.login", body: LoginInput }, async ({ app, request, body }) => {
  const { cookie, expiresAt } = await loginOperator({
    app,
    input: body,
    source: clientAddress(request, app.config.auth.trustedProxies),
    userAgent: request.headers.get("user-agent"),
  });
  return Response.json(
    { operator: "operator", expiresAt: expiresAt.toISOString() },
    { headers: { "Set-Cookie": sessionCookie(cookie, expiresAt, cookiesAreSecure(request, app.config)) } },
  );
});

// DELETE /api/session: log out (the session is revoked server-side, the cookie cleared).
export const DELETE = withRoute({ auth: "operator", action: "session.logout" }, async ({ app, request, actor }) => {
  await logoutOperator({ app, sessionId: actor.sessionId });
  return Response.json({ ok: true }, { headers: { "Set-Cookie": clearedSessionCookie(cookiesAreSecure(request, app.config)) } });
});
