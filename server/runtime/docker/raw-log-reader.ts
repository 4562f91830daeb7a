import "server-only";
import net from "node:net";
import { PassThrough, type Readable } from "node:stream";

/**
 * A GET to the engine over HTTP/1.0, answered with the body as a stream once the status is 200 (else rejected like
 * dockerode, with statusCode and the engine's message). The engine flushes after every log line, so over HTTP/1.1
 * a 5000-line read arrives as 5000 chunks for the client to parse; HTTP/1.0 has no chunking and the socket hands
 * the body over in large reads, which makes a big read a third faster. Unix sockets and plain TCP only.
 */
export function rawEngineGet(address: { socketPath: string } | { host: string; port: number }, path: string, signal?: AbortSignal): Promise<Readable> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(Object.assign(new Error("aborted"), { code: "ABORT_ERR" }));
    const socket = "socketPath" in address ? net.connect(address.socketPath) : net.connect(address.port, address.host);
    const body = new PassThrough();
    // A reader that already stopped (a crash watch giving up, a client gone) must not turn a late socket error
    // into an uncaught exception; readers that are still reading see the error through their own listeners.
    body.on("error", () => undefined);
    let head: Buffer | null = Buffer.alloc(0);
    let status = 0;
    const abort = () => {
      socket.destroy();
      body.destroy();
    };
    signal?.addEventListener("abort", abort, { once: true });
    const done = () => signal?.removeEventListener("abort", abort);
    body.once("close", done);
    socket.setTimeout(15 * 60_000, () => socket.destroy(new Error("ETIMEDOUT: the engine stopped answering")));
    socket.on("connect", () => socket.write(`GET ${path} HTTP/1.0\r\nHost: docker\r\nUser-Agent: hive-dashboard\r\n\r\n`));
    socket.on("data", (chunk: Buffer) => {
      if (head === null) {
        if (!body.write(chunk)) {
          socket.pause();
          body.once("drain", () => socket.resume());
        }
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString("latin1"))?.[1] ?? 0);
      const rest = head.subarray(end + 4);
      head = null;
      if (status === 200) {
        resolve(body);
        if (rest.length) body.write(rest);
        return;
      }
      // An error answer: its JSON message, read to the end.
      const parts = [rest];
      socket.removeAllListeners("data");
      socket.on("data", (more: Buffer) => parts.push(more));
      socket.once("end", () => {
        const text = Buffer.concat(parts).toString("utf8");
        let json: { message?: string } | null = null;
        try {
          json = JSON.parse(text) as { message?: string };
        } catch {
          // not JSON: the text is the message
        }
        done();
        reject(Object.assign(new Error(`(HTTP code ${status}) - ${json?.message ?? text.trim()}`), { statusCode: status, json }));
      });
    });
    socket.on("end", () => {
      if (head === null && status === 200) body.end();
    });
    socket.on("error", (error) => {
      done();
      if (head !== null) reject(error);
      else body.destroy(error);
    });
    socket.on("close", () => {
      if (head !== null) reject(Object.assign(new Error("the engine closed the connection before answering"), { code: "ECONNRESET" }));
      else if (!body.writableEnded) body.destroy(new Error("the engine closed the log stream early"));
    });
  });
}

