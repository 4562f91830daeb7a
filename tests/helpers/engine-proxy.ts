import net from "node:net";
import { Transform } from "node:stream";
import path from "node:path";
import { tempDir } from "./server";

const REQUEST_LINE = /^(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r?$/gm;

export type EngineProxy = {
  /** `DOCKER_HOST` value that routes a dashboard through this proxy. */
  dockerHost: string;
  /** Every request line the dashboard sent the engine ("GET /v1.41/containers/json?..."), decoded. */
  requests: () => string[];
  /** Connections open right now that carry a log-follow request (the engine-side truth about leaked streams). */
  openFollowConnections: (containerId?: string) => number;
  /** From now on, the engine's answers to requests whose line matches are held back this long (a slow engine). */
  delayResponses: (match: RegExp, ms: number) => void;
  /**
   * What the engine sends from now on over connections already open for a matching request (a stream, such as the
   * events stream) is held back this long, then passes in order: the engine is late to tell.
   */
  holdOpenStreams: (match: RegExp, ms: number) => number;
  /** From now on, the engine's answers to requests whose line matches never come (a hung engine), until `release()`. */
  hang: (match: RegExp) => void;
  /** Lets every held answer through and stops hanging. */
  release: () => void;
  /** The engine goes away: open connections (the events stream too) are cut and new ones refused, until `reconnect()`. */
  disconnect: () => void;
  reconnect: () => void;
  close: () => Promise<void>;
};

/**
 * A unix socket in front of the real engine that records what reaches it and which connections are open. It lets a
 * test check what the dashboard sends the engine, and whether a log-follow connection really closed, from outside
 * the dashboard process.
 */
export async function startEngineProxy(upstreamSocket = "/var/run/docker.sock"): Promise<EngineProxy> {
  const socketPath = path.join(tempDir("hive-engine-proxy-"), "docker.sock");
  const seen: string[] = [];
  const connections = new Set<{ requests: string[]; follows: string[]; socket: net.Socket; holdUntil: number; hung: boolean }>();
  let delay: { match: RegExp; ms: number } | null = null;
  let hangMatch: RegExp | null = null;
  const hung = new Set<() => void>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const entry = { requests: [] as string[], follows: [] as string[], socket: client, holdUntil: 0, hung: false };
    connections.add(entry);
    const upstream = net.connect(upstreamSocket);
    client.on("data", (chunk: Buffer) => {
      for (const match of chunk.toString("latin1").matchAll(REQUEST_LINE)) {
        const target = decodeURIComponent(match[2]!);
        seen.push(`${match[1]} ${target}`);
        entry.requests.push(`${match[1]} ${target}`);
        if (delay?.match.test(`${match[1]} ${target}`)) entry.holdUntil = Date.now() + delay.ms;
        if (hangMatch?.test(`${match[1]} ${target}`)) entry.hung = true;
        if (/\/logs\?/.test(target) && /[?&]follow=(true|1)\b/.test(target)) entry.follows.push(target);
      }
    });
    // Answers pass through a gate that can hold them back; pipes keep backpressure and end the client only after
    // the last held chunk (an engine that closes its side must not cut the answer short).
    const gate = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (entry.hung) {
          hung.add(() => done(null, chunk));
          return;
        }
        const wait = entry.holdUntil - Date.now();
        if (wait <= 0) done(null, chunk);
        else setTimeout(() => done(null, chunk), wait);
      },
    });
    client.pipe(upstream);
    upstream.pipe(gate).pipe(client);
    const drop = () => {
      connections.delete(entry);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", drop);
    client.on("error", drop);
    upstream.on("error", drop);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    dockerHost: `unix://${socketPath}`,
    requests: () => [...seen],
    delayResponses: (match, ms) => {
      delay = { match, ms };
    },
    holdOpenStreams: (match, ms) => {
      const held = [...connections].filter((entry) => entry.requests.some((line) => match.test(line)));
      for (const entry of held) entry.holdUntil = Date.now() + ms;
      return held.length;
    },
    hang: (match) => {
      hangMatch = match;
    },
    release: () => {
      hangMatch = null;
      for (const entry of connections) entry.hung = false;
      for (const pass of hung) pass();
      hung.clear();
    },
    disconnect: () => {
      refusing = true;
      for (const entry of connections) entry.socket.destroy();
    },
    reconnect: () => {
      refusing = false;
    },
    openFollowConnections: (containerId) =>
      [...connections].filter((entry) => entry.follows.some((target) => !containerId || target.includes(`/containers/${containerId}/`))).length,
    close: async () => {
      for (const entry of connections) entry.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
