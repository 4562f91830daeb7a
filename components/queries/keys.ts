/** Query keys, one factory per entity; mutations invalidate by prefix. */
export const dashboardKeys = {
  all: ["dashboard"] as const,
  state: () => [...dashboardKeys.all, "state"] as const,
};

export const crashKeys = {
  all: ["crashes"] as const,
  /** `version` changes when the agent's crash records do: a new crash, or a record's last lines arriving. */
  list: (agent: string, version: string) => [...crashKeys.all, agent, version] as const,
};

/** The version of an agent's crash records, as the dashboard's state shows them. */
export const crashVersion = (crashes: { total: number; last: { id: number; lineCount: number } | null }) =>
  `${crashes.total}:${crashes.last?.id ?? 0}:${crashes.last?.lineCount ?? 0}`;

export const logKeys = {
  all: ["logs"] as const,
  tail: (agent: string, lines: number, source: string) => [...logKeys.all, agent, "tail", lines, source] as const,
};

export const uptimeKeys = {
  all: ["uptime"] as const,
  fleet: (window: string) => [...uptimeKeys.all, "fleet", window] as const,
  history: (agent: string, window: string, granularity: string) => [...uptimeKeys.all, agent, window, granularity] as const,
};

export const webhookKeys = {
  all: ["webhooks"] as const,
  list: () => [...webhookKeys.all, "list"] as const,
};

export const statsKeys = {
  all: ["agent-stats"] as const,
  /** The agents on screen, in a stable order (scrolling back to the same rows reuses the query). */
  visible: (names: readonly string[]) => [...statsKeys.all, [...names].sort().join(",")] as const,
};
