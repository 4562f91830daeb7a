/** One event of a service's live stream; the HTTP layer sends it as a server-sent event (`type` is its name). */
export type StreamEvent = { type: string; data: unknown; id?: number | string };
