import type { ReactNode } from "react";

/** A titled dashboard section; `headerExtra` sits after the count (e.g. a primary button). */
export function Section({ id, title, count, headerExtra, children }: { id: string; title: string; count?: ReactNode; headerExtra?: ReactNode; children: ReactNode }) {
  return (
    <section className="section" aria-labelledby={`${id}-heading`}>
      <div className="section-header">
        <h2 id={`${id}-heading`}>{title}</h2>
        {count}
        {headerExtra}
      </div>
      {children}
    </section>
  );
}

/** A dense table with a labelled header row; `label` names it for screen readers and role locators. */
export function DataTable({ label, columns, children }: { label: string; columns: string[]; children: ReactNode }) {
  return (
    <table className="data" aria-label={label}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** The "recent"/"decided" list under a queue: collapsed, with its length in the summary. */
export function RecentTable({ summary, label, columns, count, children }: { summary: string; label: string; columns: string[]; count: number; children: ReactNode }) {
  if (count === 0) return null;
  return (
    <details className="collapsible recent-questions">
      <summary>
        <span>{summary}</span> <span className="count">{count}</span>
      </summary>
      <DataTable label={label} columns={columns}>
        {children}
      </DataTable>
    </details>
  );
}

/** Pending queue items as cards, or a one-line empty state. */
export function QueueList<T extends { id: string | number }>({ items, empty, render }: { items: T[]; empty: string; render: (item: T) => ReactNode }) {
  if (items.length === 0) return <div className="empty-state compact">{empty}</div>;
  return <div className="question-list">{items.map(render)}</div>;
}
