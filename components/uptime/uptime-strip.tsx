"use client";

import { useState } from "react";
import type { UptimeFigures, UptimePeriod } from "@/server/contracts/uptime";
import { useFleetUptimeQuery, useUptimeHistoryQuery } from "../queries/use-uptime-queries";

export function formatPercent(percent: number | null): string {
  if (percent === null) return "no data";
  return percent === 100 ? "100%" : `${percent.toFixed(percent >= 99 ? 2 : 1)}%`;
}

function tone(figures: UptimeFigures): "ok" | "warn" | "bad" | "none" {
  if (figures.uptimePercent === null) return "none";
  if (figures.uptimePercent >= 99.5) return "ok";
  return figures.uptimePercent >= 95 ? "warn" : "bad";
}

function formatSpan(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes}m` : `${Math.floor(minutes / 60)}h${minutes % 60 ? ` ${minutes % 60}m` : ""}`;
}

function periodLabel(period: UptimePeriod, granularity: "hourly" | "daily"): string {
  const start = new Date(period.start);
  const when =
    granularity === "hourly"
      ? `${start.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })}, 1 h`
      : start.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
  const down = period.secondsKnown - period.secondsUp;
  const parts = [`${when}: ${period.uptimePercent === null ? "no data" : `${formatPercent(period.uptimePercent)} up`}`];
  if (down > 0) parts.push(`${formatSpan(down)} down`);
  if (period.secondsStopped > 0) parts.push(`${formatSpan(period.secondsStopped)} stopped`);
  return parts.join(", ");
}

/** The row's 24 h uptime; opens the strip of ticks under the row. */
export function UptimeToggle({ name, open, onToggle }: { name: string; open: boolean; onToggle: () => void }) {
  const { data } = useFleetUptimeQuery();
  const figures = data?.agents[name];
  if (!figures) return null;
  return (
    <button
      type="button"
      className={`btn-xs uptime-toggle uptime-${tone(figures)}`}
      aria-expanded={open}
      aria-label={`Uptime of ${name} over 24 hours: ${formatPercent(figures.uptimePercent)}`}
      onClick={onToggle}
    >
      {formatPercent(figures.uptimePercent)}
    </button>
  );
}

/** A strip of ticks, one per period (hours over 24 h, or days over 30 days); each tick tells its figures on hover and focus. */
export function UptimeStrip({ name }: { name: string }) {
  const [range, setRange] = useState<"24h" | "30d">("24h");
  const granularity = range === "24h" ? "hourly" : "daily";
  const { data, error, isPending } = useUptimeHistoryQuery(name, range, granularity);
  return (
    <div className="uptime-strip" role="group" aria-label={`Uptime history of ${name}`}>
      <div className="uptime-strip-head">
        <div className="segmented" role="radiogroup" aria-label="Uptime range">
          {(["24h", "30d"] as const).map((option) => (
            <button key={option} type="button" role="radio" aria-checked={range === option} className="btn-xs" onClick={() => setRange(option)}>
              {option === "24h" ? "24 hours" : "30 days"}
            </button>
          ))}
        </div>
        {data ? <span className="muted">{summary(data.periods)}</span> : null}
      </div>
      {isPending ? <p className="muted">Loading uptime…</p> : null}
      {error ? <p className="form-error">Uptime unavailable: {error.message}</p> : null}
      {data ? (
        <ol className="uptime-ticks" aria-label={`${range === "24h" ? "Hourly" : "Daily"} uptime of ${name}`}>
          {data.periods.map((period) => {
            const label = periodLabel(period, granularity);
            return (
              <li key={period.start} className={`uptime-tick uptime-${tone(period)}`} tabIndex={0} aria-label={label} data-tooltip={label}>
                <span className="uptime-tooltip" role="tooltip" aria-hidden="true">
                  {label}
                </span>
              </li>
            );
          })}
        </ol>
      ) : null}
      <p className="muted uptime-legend">Stopped by an operator is not downtime; time the engine or the dashboard was away is left out.</p>
    </div>
  );
}

function summary(periods: UptimePeriod[]): string {
  let up = 0;
  let known = 0;
  for (const period of periods) {
    up += period.secondsUp;
    known += period.secondsKnown;
  }
  return known > 0 ? `${formatPercent(Math.round((up / known) * 10_000) / 100)} over the range` : "no data in this range";
}

export function UptimeStripRow({ name, colSpan, rowIndex }: { name: string; colSpan: number; rowIndex?: number }) {
  return (
    <tr className="detail-row" aria-rowindex={rowIndex}>
      <td colSpan={colSpan}>
        <UptimeStrip name={name} />
      </td>
    </tr>
  );
}
