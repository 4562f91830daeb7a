/** The server's clock as the browser keeps it: the offset learnt from the server's last time, and the last tick. */
export type ServerClock = { serverTime: string; offsetMs: number; tickedAt: number };

/** Learns a server time; the tick moves to the same instant, so offset and tick never disagree. */
export function syncServerClock(serverTime: string, browserNow: number): ServerClock {
  return { serverTime, offsetMs: Date.parse(serverTime) - browserNow, tickedAt: browserNow };
}

export function tickServerClock(clock: ServerClock, browserNow: number): ServerClock {
  return { ...clock, tickedAt: browserNow };
}

/** The time on the server's clock at the last tick or sync, in ms since the epoch. */
export function serverNow(clock: ServerClock): number {
  return clock.tickedAt + clock.offsetMs;
}
