/** Query keys, one factory per entity; mutations invalidate by prefix. */
export const dashboardKeys = {
  all: ["dashboard"] as const,
  state: () => [...dashboardKeys.all, "state"] as const,
};

export const crashKeys = {
  all: ["crashes"] as const,
  list: (agent: string, total: number) => [...crashKeys.all, agent, total] as const,
};

export const logKeys = {
  all: ["logs"] as const,
  tail: (agent: string, lines: number, source: string) => [...logKeys.all, agent, "tail", lines, source] as const,
};
