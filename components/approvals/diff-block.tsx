"use client";

import type { DiffLine } from "@/server/contracts/approvals";

/** A coloured unified diff. Lines are rendered as text nodes: nothing in a config can become markup. */
export function DiffBlock({ lines, label }: { lines: DiffLine[]; label: string }) {
  const added = lines.filter((line) => line.op === "+").length;
  const removed = lines.filter((line) => line.op === "-").length;
  return (
    <figure className="diff">
      <figcaption className="muted small">
        {label}: <span className="diff-count add">+{added}</span> <span className="diff-count del">−{removed}</span>
      </figcaption>
      <pre aria-label={label}>
        {lines.map((line, index) => (
          <span key={index} className={line.op === "+" ? "diff-add" : line.op === "-" ? "diff-del" : "diff-same"}>
            {line.op} {line.text}
            {"\n"}
          </span>
        ))}
      </pre>
    </figure>
  );
}
