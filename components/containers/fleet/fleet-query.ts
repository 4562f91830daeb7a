import type { ContainerView } from "@/server/contracts/containers";

/** How the fleet table is filtered and sorted; kept in the page's URL so a view can be shared and survives a reload. */
export type FleetQuery = {
  /** Part of a name or image (case-insensitive). */
  text: string;
  state: FleetStateFilter | null;
  node: string | null;
  crashLooping: boolean;
  waitingQuestion: boolean;
  sort: FleetSortKey;
  direction: "asc" | "desc";
  /** Whether the rows on screen read their agents' CPU, memory and network (`stats=off` in the URL turns it off). */
  liveStats: boolean;
};

export const FLEET_STATE_FILTERS = ["running", "stopped", "created", "paused", "transient", "unreachable"] as const;
export type FleetStateFilter = (typeof FLEET_STATE_FILTERS)[number];
export const FLEET_SORT_KEYS = ["name", "state", "uptime", "cpu", "memory", "crashes"] as const;
export type FleetSortKey = (typeof FLEET_SORT_KEYS)[number];

/** Names first go A→Z and states in their order; numbers go largest first (the busiest agents on top). */
export const defaultDirection = (key: FleetSortKey): "asc" | "desc" => (key === "name" || key === "state" ? "asc" : "desc");

export const DEFAULT_FLEET_QUERY: FleetQuery = {
  text: "",
  state: null,
  node: null,
  crashLooping: false,
  waitingQuestion: false,
  sort: "name",
  direction: "asc",
  liveStats: true,
};

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | null =>
  value !== null && (values as readonly string[]).includes(value) ? (value as T) : null;

/** Reads the query from the URL; anything unknown or malformed falls back to the default (a shared link never breaks). */
export function parseFleetQuery(params: URLSearchParams): FleetQuery {
  const sort = oneOf(FLEET_SORT_KEYS, params.get("sort")) ?? "name";
  return {
    text: (params.get("q") ?? "").slice(0, 200),
    state: oneOf(FLEET_STATE_FILTERS, params.get("state")),
    node: params.get("node")?.slice(0, 200) || null,
    crashLooping: params.get("crashlooping") === "1",
    waitingQuestion: params.get("waiting") === "1",
    sort,
    direction: oneOf(["asc", "desc"] as const, params.get("dir")) ?? defaultDirection(sort),
    liveStats: params.get("stats") !== "off",
  };
}

/** Writes the query into `params` (other parameters kept); defaults are left out so the plain page has a plain URL. */
export function writeFleetQuery(query: FleetQuery, params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (key: string, value: string | null) => (value ? next.set(key, value) : next.delete(key));
  set("q", query.text.trim() || null);
  set("state", query.state);
  set("node", query.node);
  set("crashlooping", query.crashLooping ? "1" : null);
  set("waiting", query.waitingQuestion ? "1" : null);
  set("sort", query.sort === "name" ? null : query.sort);
  set("dir", query.direction === defaultDirection(query.sort) ? null : query.direction);
  set("stats", query.liveStats ? null : "off");
  return next;
}

export const isFiltered = (query: FleetQuery) =>
  query.text.trim() !== "" || query.state !== null || query.node !== null || query.crashLooping || query.waitingQuestion;

function matchesState(agent: ContainerView, state: FleetStateFilter): boolean {
  switch (state) {
    case "running":
      return agent.state === "running";
    case "stopped":
      return agent.state === "exited";
    case "transient":
      return agent.pending !== null || agent.state === "starting" || agent.state === "stopping" || agent.state === "removing";
    default:
      return agent.state === state;
  }
}

/** The agents the query lets through, in their given order. */
export function filterFleet(agents: readonly ContainerView[], query: FleetQuery, waitingAgents: ReadonlySet<string>): ContainerView[] {
  const text = query.text.trim().toLowerCase();
  return agents.filter(
    (agent) =>
      (text === "" || agent.name.toLowerCase().includes(text) || agent.image.toLowerCase().includes(text)) &&
      (query.state === null || matchesState(agent, query.state)) &&
      (query.node === null || agent.node === query.node) &&
      (!query.crashLooping || agent.crashLoopingSince !== null) &&
      (!query.waitingQuestion || waitingAgents.has(agent.name)),
  );
}

const STATE_RANK: Record<ContainerView["state"], number> = {
  running: 0,
  starting: 1,
  stopping: 2,
  paused: 3,
  created: 4,
  exited: 5,
  removing: 6,
  unreachable: 7,
};

/** Resource figures the sort may use, by agent; an agent without them goes last whichever the direction. */
export type FleetSortFigures = ReadonlyMap<string, { cpuPercent: number | null; memoryBytes: number | null }>;

function sortValue(agent: ContainerView, key: FleetSortKey, now: number, figures: FleetSortFigures): number | string | null {
  switch (key) {
    case "name":
      return agent.name;
    case "state":
      return STATE_RANK[agent.state];
    case "uptime":
      return (agent.state === "running" || agent.state === "starting") && agent.startedAt ? now - Date.parse(agent.startedAt) : null;
    case "cpu":
      return figures.get(agent.name)?.cpuPercent ?? null;
    case "memory":
      return figures.get(agent.name)?.memoryBytes ?? null;
    case "crashes":
      return agent.crashes.total;
  }
}

/** A new array in the query's order; ties keep name order, so rows do not jump between refreshes. */
export function sortFleet(agents: readonly ContainerView[], query: Pick<FleetQuery, "sort" | "direction">, now: number, figures: FleetSortFigures = new Map()): ContainerView[] {
  const sign = query.direction === "asc" ? 1 : -1;
  const keyed = agents.map((agent) => ({ agent, value: sortValue(agent, query.sort, now, figures) }));
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value !== b.value) return a.value === null ? 1 : -1;
    } else if (a.value !== b.value) {
      return (typeof a.value === "string" ? a.value.localeCompare(b.value as string) : a.value - (b.value as number)) * sign;
    }
    return a.agent.name.localeCompare(b.agent.name);
  });
  return keyed.map(({ agent }) => agent);
}
