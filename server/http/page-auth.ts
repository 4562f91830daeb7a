import "server-only";
import { headers } from "next/headers";
import type { HiveContext } from "../context";
import type { OperatorActor } from "../contracts/actors";
import { resolveActor } from "./auth";

/** The operator viewing a server-rendered page, or null (the page then sends them to /login). */
export async function currentOperator(ctx: HiveContext): Promise<OperatorActor | null> {
  const incoming = await headers();
  const request = new Request("http://page.local/", { headers: new Headers(incoming) });
  try {
    const actor = await resolveActor(ctx, request);
    return actor?.kind === "operator" ? actor : null;
  } catch {
    return null;
  }
}
