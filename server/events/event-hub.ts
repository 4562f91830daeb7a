import "server-only";
import type { Logger } from "pino";
import { z } from "zod";
import type { DatabaseHandle } from "../db/client";
import { EVENTS_CHANNEL, type EventNotice } from "../db/queries/events";

const Notice = z.object({ id: z.number(), kind: z.string(), agent: z.string().nullable(), at: z.string(), ref: z.string().optional() });

export type HubMessage = EventNotice | { id: 0; kind: "resync"; agent: null; at: string };
type Subscriber = (message: HubMessage) => void;

/**
 * Fans database notifications out to this process's live connections (SSE). Every replica LISTENs, so a
 * change made through one dashboard reaches browsers connected to any other.
 */
export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.database.listen(
      EVENTS_CHANNEL,
      (payload) => {
        let json: unknown;
        try {
          json = JSON.parse(payload);
        } catch {
          return;
        }
        const parsed = Notice.safeParse(json);
        if (parsed.success) this.emit(parsed.data);
        else this.logger.warn({ payload: payload.slice(0, 200) }, "ignored a malformed event notification");
      },
      // Notifications sent while the listening connection was down are lost: tell clients to refetch.
      () => this.emit({ id: 0, kind: "resync", agent: null, at: new Date().toISOString() }),
    );
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /**
   * Resolves with the first message matching `predicate`, or null when the time is up or the signal aborts.
   * Long polls wait on this rather than polling the database.
   */
  waitFor(predicate: (message: HubMessage) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<HubMessage | null> {
    return new Promise((resolve) => {
      const finish = (message: HubMessage | null) => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener("abort", onAbort);
        resolve(message);
      };
      const onAbort = () => finish(null);
      const timer = setTimeout(() => finish(null), timeoutMs);
      const unsubscribe = this.subscribe((message) => {
        if (predicate(message) || message.kind === "resync") finish(message);
      });
      if (signal?.aborted) finish(null);
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  get size(): number {
    return this.subscribers.size;
  }

  private emit(message: HubMessage) {
    for (const subscriber of this.subscribers) {
      try {
        subscriber(message);
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, "event subscriber failed");
      }
    }
  }

  async stop(): Promise<void> {
    this.subscribers.clear();
    await this.unlisten?.();
  }
}
