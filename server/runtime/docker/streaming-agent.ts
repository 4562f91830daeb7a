import "server-only";
import http from "node:http";
import { inspect } from "node:util";

/**
 * The HTTP agent of the driver's streaming client (log follows, the events stream). docker-modem formats every
 * request's options with `util.inspect(…, { showHidden: true, depth: null })` for its debug log, even when that log
 * is off, and the options hold this agent with every open follow's socket: each new engine call walked all of them
 * on the main thread (60 follows opening at once: 1.8 MB formatted per call, every request of the dashboard,
 * /dashboard-healthz included, waiting 7-60 s). A short inspect form keeps that formatting cheap.
 */
export class StreamingAgent extends http.Agent {
  [inspect.custom](): string {
    return `StreamingAgent(${Object.values(this.sockets).reduce((count, list) => count + (list?.length ?? 0), 0)} sockets)`;
  }
}
