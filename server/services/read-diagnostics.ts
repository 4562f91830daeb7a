import "server-only";
import type { HiveApp } from "../app";
import type { DiagnosticsView } from "../contracts/journal";

/** What this process holds open against the engine right now (for operators and leak tests). */
export function readDiagnostics({ app }: { app: HiveApp }): DiagnosticsView {
  return { runtime: { status: app.runtimeMonitor.status, openLogStreams: app.runtime.openLogStreams() } };
}
