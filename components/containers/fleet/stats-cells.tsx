"use client";

import type { AgentStatsView } from "@/server/contracts/agent-stats";
import type { StatsPoint } from "../../queries/use-agent-stats-query";
import { formatBytes } from "../../ui/format";
import { ArrowDownIcon, ArrowUpIcon } from "../../ui/icons";
import { Sparkline } from "./sparkline";

const formatPercent = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} %`;

function Missing({ stats, running }: { stats: AgentStatsView | undefined; running: boolean }) {
  if (!running) return <span className="muted">—</span>;
  if (stats?.status === "unavailable") {
    return (
      <span className="muted" title={stats.reason ?? undefined}>
        n/a
      </span>
    );
  }
  return <span className="muted" aria-label="reading">…</span>;
}

/** CPU, memory and network of one agent, with sparklines of the last minutes, as table cells. */
export function StatsCells({ stats, history, running }: { stats: AgentStatsView | undefined; history: StatsPoint[] | undefined; running: boolean }) {
  const ok = running && stats?.status === "ok";
  const points = history ?? [];
  return (
    <>
      <td className="stat-cell nowrap">
        {ok && stats.cpuPercent !== null ? (
          <>
            <Sparkline values={points.map((point) => point.cpuPercent)} max={100} />
            <span className="stat-figure">{formatPercent(stats.cpuPercent)}</span>
          </>
        ) : (
          <Missing stats={stats} running={running} />
        )}
      </td>
      <td className="stat-cell nowrap">
        {ok && stats.memoryBytes !== null ? (
          <>
            <Sparkline values={points.map((point) => point.memoryBytes)} max={stats.memoryLimitBytes ?? undefined} />
            <span className="stat-figure">
              {formatBytes(stats.memoryBytes)}
              {stats.memoryLimitBytes !== null ? <span className="muted"> / {formatBytes(stats.memoryLimitBytes)}</span> : null}
            </span>
            {stats.nearOom ? (
              <span className="badge badge-danger" title="at or above 90 % of its memory limit: the kernel kills it at the limit">
                near OOM
              </span>
            ) : null}
          </>
        ) : (
          <Missing stats={stats} running={running} />
        )}
      </td>
      <td className="stat-cell nowrap">
        {ok && stats.network ? (
          <span className="stat-figure">
            <ArrowDownIcon />
            <span className="visually-hidden">received </span>
            {formatBytes(stats.network.rxBytes)} <ArrowUpIcon />
            <span className="visually-hidden">sent </span>
            {formatBytes(stats.network.txBytes)}
          </span>
        ) : ok ? (
          <span className="muted" title="no network of its own (host networking or none)">
            none
          </span>
        ) : (
          <Missing stats={stats} running={running} />
        )}
      </td>
    </>
  );
}
