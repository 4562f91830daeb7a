"use client";

import { createContext, useContext, useEffect, useState } from "react";
import { type ServerClock, serverNow, syncServerClock, tickServerClock } from "./server-clock-state";

const ClockContext = createContext<number>(Date.now());

/**
 * Ticks once a second on the server's clock: the offset between the server's time (from /api/state) and
 * this browser's, so a skewed laptop clock still shows correct ages and countdowns.
 */
export function ServerClockProvider({ serverTime, children }: { serverTime: string; children: React.ReactNode }) {
  const [clock, setClock] = useState<ServerClock>(() => syncServerClock(serverTime, Date.now()));
  // A new server time is learnt while rendering, not in an effect: what came with it must not render on the old
  // offset and a tick up to a second old (a 300 s question's chip read 5m 01s).
  let current = clock;
  if (clock.serverTime !== serverTime) {
    current = syncServerClock(serverTime, Date.now());
    setClock(current);
  }
  useEffect(() => {
    const timer = setInterval(() => setClock((previous) => tickServerClock(previous, Date.now())), 1000);
    return () => clearInterval(timer);
  }, []);
  return <ClockContext.Provider value={serverNow(current)}>{children}</ClockContext.Provider>;
}

/** The current time on the server's clock, in ms since the epoch; re-renders every second. */
export function useServerNow(): number {
  return useContext(ClockContext);
}
