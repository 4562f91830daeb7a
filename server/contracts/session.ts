import { z } from "./zod";

export const LoginInput = z.strictObject({
  token: z.string().min(1, { error: "enter the operator token" }).max(512),
});
export type LoginInput = z.infer<typeof LoginInput>;

export const SessionView = z.object({
  operator: z.string(),
  via: z.enum(["session", "bearer", "proxy"]),
  authMode: z.enum(["token", "proxy"]),
});
export type SessionView = z.infer<typeof SessionView>;

// POST /api/session answers who logged in and until when (the cookie itself is in Set-Cookie); DELETE answers ok.
export const LoginAnswer = z.object({ operator: z.string(), expiresAt: z.string() });
export const LoggedOut = z.object({ ok: z.literal(true) });
