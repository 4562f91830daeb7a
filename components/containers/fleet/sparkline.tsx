/** A tiny line of recent values (decorative: the cell's text carries the figure). Drawn as SVG: no style attribute. */
export function Sparkline({ values, max }: { values: (number | null)[]; max?: number }) {
  const points = values.map((value, index) => ({ value, index })).filter((point): point is { value: number; index: number } => point.value !== null);
  if (points.length < 2) return <svg className="sparkline" viewBox="0 0 60 16" aria-hidden="true" focusable="false" />;
  const top = Math.max(max ?? 0, ...points.map((point) => point.value), 1e-9);
  const last = values.length - 1 || 1;
  const path = points.map((point) => `${((point.index / last) * 60).toFixed(1)},${(15 - (point.value / top) * 14).toFixed(1)}`).join(" ");
  return (
    <svg className="sparkline" viewBox="0 0 60 16" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <polyline points={path} fill="none" stroke="currentColor" strokeWidth="1.25" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
