import { LoginInput, type SessionView } from "@/server/contracts/session";
import { clearedSessionCookie, cookieScope, sessionCookie } from "@/server/http/cookies";
import { clientAddress } from "@/server/http/forwarded";
import { withRoute } from "@/server/http/with-route";
import { loginOperator } from "@/server/services/auth/login-operator";
import { logoutOperator } from "@/server/services/auth/logout-operator";

export const dynamic = "force-dynamic";

// GET /api/session: who is logged in.
export const GET = withRoute({ auth: "operator" }, async ({ ctx }) => {
  const view: SessionView = { operator: ctx.actor.name, via: ctx.actor.via, authMode: ctx.config.auth.mode };
  return view;
});

// POST /api/session: exchange the operator token for a session cookie.
export const POST = withRoute({ auth: "public", action: "session.login", body: LoginInput }, async ({ ctx, request, body }) => {
  const { cookie, expiresAt } = await loginOperator({
    ctx,
    input: { ...body, source: clientAddress(request, ctx.config.auth.trustedProxies), userAgent: request.headers.get("user-agent") },
  });
  return Response.json(
    { operator: "operator", expiresAt: expiresAt.toISOString() },
    { headers: { "Set-Cookie": sessionCookie(cookie, expiresAt, cookieScope(request, ctx.config)) } },
  );
});

// DELETE /api/session: log out (the session is revoked server-side, the cookie cleared).
export const DELETE = withRoute({ auth: "operator", action: "session.logout" }, async ({ ctx, request }) => {
  await logoutOperator({ ctx, input: undefined });
  return Response.json({ ok: true }, { headers: { "Set-Cookie": clearedSessionCookie(cookieScope(request, ctx.config)) } });
});
