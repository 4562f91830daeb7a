"use client";

import { createContext, useContext, useEffect, useState } from "react";

type Clock = { offsetMs: number; now: number };
const ClockContext = createContext<Clock>({ offsetMs: 0, now: Date.now() });

/**
 * Ticks once a second on the server's clock: the offset between the server's time (from /api/state) and
 * this browser's, so a skewed laptop clock still shows correct ages and countdowns.
 */
export function ServerClockProvider({ serverTime, children }: { serverTime: string; children: React.ReactNode }) {
  const [offsetMs, setOffsetMs] = useState(() => Date.parse(serverTime) - Date.now());
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setOffsetMs(Date.parse(serverTime) - Date.now());
  }, [serverTime]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <ClockContext.Provider value={{ offsetMs, now }}>{children}</ClockContext.Provider>;
}

/** The current time on the server's clock, in ms since the epoch; re-renders every second. */
export function useServerNow(): number {
  const { offsetMs, now } = useContext(ClockContext);
  return now + offsetMs;
}
