import "server-only";
import type { AgentContainer } from "./types";

export const isUp = (state: AgentContainer["state"]) => state === "running" || state === "restarting";

/** Docker's own humanized durations ("Less than a second", "5 minutes", "About an hour", "3 days"). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(minutes / 60);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

/** The one-line status the engine's list would show, for a container we only inspected. */
export function humanStatus(state: string, startedAt: string | null, finishedAt: string | null, exitCode: number): string {
  const now = Date.now();
  if (state === "running" && startedAt) return `Up ${humanDuration(now - Date.parse(startedAt))}`;
  if ((state === "exited" || state === "dead") && finishedAt) return `Exited (${exitCode}) ${humanDuration(now - Date.parse(finishedAt))} ago`;
  return state.charAt(0).toUpperCase() + state.slice(1);
}

/**
 * The container as its "die" event describes it: the run that was up has exited with the event's code. The
 * engine's own inspect answers only after it has cleaned the container up, which takes a busy host hundreds of ms.
 */
export function exitedByEvent(container: AgentContainer, exit: { exitCode: number; at: string; oomKilled: boolean }): AgentContainer {
  return {
    ...container,
    state: "exited",
    status: humanStatus("exited", container.startedAt, exit.at, exit.exitCode),
    finishedAt: exit.at,
    exitCode: exit.exitCode,
    oomKilled: exit.oomKilled,
  };
}

/** The container as its "start" event describes it: running since the event (an inspect follows to refine it). */
export function startedByEvent(container: AgentContainer, at: string): AgentContainer {
  return { ...container, state: "running", status: "Up Less than a second", startedAt: at, exitCode: null, oomKilled: false };
}
