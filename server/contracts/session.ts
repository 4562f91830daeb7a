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
