import "server-only";
import type { HiveApp } from "../app";
import type { DiagnosticsView } from "../contracts/journal";

/** What this process holds open right now: engine log streams, credential-bound streams (operators, leak tests). */
export function readDiagnostics({ app }: { app: HiveApp }): DiagnosticsView {
  return {
    runtime: { status: app.runtimeMonitor.status, openLogStreams: app.runtime.openLogStreams() },
    streams: { watchedCredentials: app.revocations.size },
  };
}
