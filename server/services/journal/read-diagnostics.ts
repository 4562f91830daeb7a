import "server-only";
import type { ServiceCall } from "../../context";
import type { DiagnosticsView } from "../../contracts/journal";

/** Which installation this is, and what this process holds open right now: engine log streams, credential-bound streams (operators, leak tests). */
export function readDiagnostics({ ctx }: ServiceCall<void>): DiagnosticsView {
  return {
    installation: ctx.installation,
    runtime: { status: ctx.engine.status, openLogStreams: ctx.runtime.openLogStreams() },
    streams: { watchedCredentials: ctx.revocations.size },
  };
}
