import "server-only";
import http from "node:http";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { type DockerEndpoint, parseDockerHost } from "../docker/endpoint";
import { withDeadline } from "../../timeout";
import { RuntimeError } from "../types";
import { classifyEngineError } from "../docker/errors";
import { StreamingAgent } from "../docker/streaming-agent";

/** One engine (the manager, or a node's own) as the driver talks to it: short, long and streaming calls apart. */
export type EngineClient = {
  endpoint: string;
  address: DockerEndpoint;
  /** Short calls (ping, lists, inspects) fail fast on a hung engine. */
  quick: Docker;
  /** Calls that legitimately wait (a stop timeout, a copy). */
  slow: Docker;
  /** Streams (events, followed logs) own their connection, closed with them. */
  streaming: Docker;
};

export function engineClient(endpoint: string, probeTimeoutMs: number): EngineClient {
  const address = parseDockerHost(endpoint);
  const ownConnections: Docker.DockerOptions & { agent: http.Agent } = { ...address, agent: new StreamingAgent({ keepAlive: false }) };
  return {
    endpoint,
    address,
    quick: new Docker({ ...address, timeout: probeTimeoutMs + 1_000 }),
    slow: new Docker({ ...address, timeout: 15 * 60_000 }),
    streaming: new Docker(ownConnections),
  };
}

type RequestOptions = {
  query?: Record<string, unknown>;
  body?: unknown;
  /** A request body to stream (a tar archive). */
  file?: Readable;
  /** Answer the response body as a stream. */
  stream?: boolean;
  signal?: AbortSignal;
};

/**
 * One Engine API call, its failure classified (RuntimeError). Query values that are objects are sent as JSON (the
 * engine's `filters`); a 2xx answer is the parsed JSON (or the stream).
 */
export function engineRequest<T = unknown>(client: Docker, method: string, path: string, options: RequestOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    client.modem.dial(
      {
        path: `${path}?`,
        method,
        options: { _query: options.query ?? {}, ...(options.body === undefined ? {} : { _body: options.body }) },
        file: options.file,
        isStream: options.stream ?? false,
        abortSignal: options.signal,
        statusCodes: { 200: true, 201: true, 204: true, 304: "not modified", 404: "not found", 409: "conflict", 500: "server error", 503: "unavailable" },
      } as never,
      (error: unknown, data: unknown) => (error ? reject(classifyEngineError(error)) : resolve(data as T)),
    );
  });
}

/** A call that must answer within the probe deadline (a hung engine counts as unavailable). */
export function quickly<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return withDeadline(work, timeoutMs, () => new RuntimeError("unavailable", `ETIMEDOUT: ${what} did not answer within ${timeoutMs} ms`));
}
