import "server-only";
import type { CallContext } from "../context";

/**
 * A JSON answer written as its chunks are made. The status is sent before the last byte is known, so a failure part
 * way is reported the only way left: a cut-off body (invalid JSON), and a line in the log.
 */
export function streamedJsonResponse(ctx: CallContext, chunks: AsyncIterable<Uint8Array>): Response {
  const iterator = chunks[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) controller.enqueue(next.value);
        controller.close();
      } catch (error) {
        if (!ctx.signal.aborted) ctx.logger.warn({ err: (error as Error).message }, "streamed answer failed part way");
        try {
          controller.error(error);
        } catch {
          // the client is gone already
        }
      }
    },
    cancel() {
      void iterator.return?.()?.catch(() => undefined);
    },
  });
  return new Response(body, { headers: { "Content-Type": "application/json; charset=utf-8" } });
}
