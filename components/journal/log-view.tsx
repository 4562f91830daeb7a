"use client";

import { type KeyboardEvent, memo, type ReactNode, type Ref, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState } from "react";
import { type AnsiSegment, parseAnsi, segmentPresentation } from "./ansi";
import { type JournalLine, type Match, shortTime } from "./journal-lines";

/** Every line is one row of this height (CSS keeps it so): the list only renders the rows in view. */
const ROW_HEIGHT = 18;
const OVERSCAN = 20;

export type LogViewHandle = {
  scrollToBottom(): void;
  /** Scrolls the line into view, centred when it was out of view. */
  reveal(index: number): void;
};

export type SelectMode = "only" | "range" | "toggle";

const segmentCache = new WeakMap<JournalLine, AnsiSegment[]>();
function segmentsOf(line: JournalLine): AnsiSegment[] {
  let segments = segmentCache.get(line);
  if (!segments) {
    segments = parseAnsi(line.text);
    segmentCache.set(line, segments);
  }
  return segments;
}

/** The line's styled segments, cut where search matches begin and end so matches can be marked. */
function LineText({ line, ranges, current }: { line: JournalLine; ranges: Match[] | undefined; current: number }) {
  const segments = segmentsOf(line);
  if (!ranges?.length && segments.length === 1 && !segments[0]!.style) return <>{segments[0]!.text}</>;
  const pieces: ReactNode[] = [];
  let key = 0;
  for (const segment of segments) {
    const { className, style } = segmentPresentation(segment.style);
    const end = segment.start + segment.text.length;
    let position = segment.start;
    while (position < end) {
      const range = ranges?.find((candidate) => candidate.end > position && candidate.start < end);
      const inside = range !== undefined && range.start <= position;
      const stop = inside ? Math.min(end, range.end) : Math.min(end, range ? range.start : end);
      const text = segment.text.slice(position - segment.start, stop - segment.start);
      const span = className || style ? (
        <span key={key++} className={className} style={style}>
          {text}
        </span>
      ) : (
        text
      );
      pieces.push(
        inside ? (
          <mark key={key++} className={range.start === current ? "journal-match current" : "journal-match"}>
            {span}
          </mark>
        ) : typeof span === "string" ? (
          <span key={key++}>{span}</span>
        ) : (
          span
        ),
      );
      position = stop;
    }
  }
  return <>{pieces}</>;
}

type RowProps = {
  id: string;
  line: JournalLine;
  number: number;
  showTimestamps: boolean;
  showStreams: boolean;
  ranges: Match[] | undefined;
  current: number;
  selected: boolean;
  active: boolean;
  position: number;
  total: number;
  onPointerSelect: (seq: number, mode: SelectMode) => void;
};

const Row = memo(function Row({ id, line, number, showTimestamps, showStreams, ranges, current, selected, active, position, total, onPointerSelect }: RowProps) {
  const stderr = line.stream === "stderr";
  return (
    <div
      id={id}
      role="option"
      aria-selected={selected}
      aria-posinset={position}
      aria-setsize={total}
      className={`journal-line${stderr && showStreams ? " stderr" : ""}${selected ? " selected" : ""}${active ? " active" : ""}`}
      onMouseDown={(event) => {
        // Shift and Ctrl pick lines; without this the browser would extend a text selection instead.
        if (event.shiftKey || event.ctrlKey || event.metaKey) event.preventDefault();
      }}
      onClick={(event) => {
        const modified = event.shiftKey || event.ctrlKey || event.metaKey;
        // A drag that selected text is the operator copying text, not picking lines.
        if (!modified && window.getSelection()?.toString()) return;
        onPointerSelect(line.seq, event.shiftKey ? "range" : modified ? "toggle" : "only");
      }}
    >
      {/* The number is drawn by CSS: it is not part of the line's text when copying or reading. */}
      <span className="journal-gutter" data-line={number} aria-hidden="true" />
      {showTimestamps && line.timestamp ? (
        <span className="journal-time" title={line.timestamp}>
          {shortTime(line.timestamp)}
        </span>
      ) : null}
      {stderr && showStreams ? <span className="visually-hidden">stderr: </span> : null}
      <span className="journal-text">
        <LineText line={line} ranges={ranges} current={current} />
      </span>
    </div>
  );
});

/**
 * The log as a multi-select listbox of lines, virtualised: a 5000-line log keeps a few dozen rows in the page.
 * Arrow keys move, Shift extends, Space toggles, Ctrl+A selects all, Ctrl+C copies the selected lines.
 */
export function LogView({
  ref,
  id,
  label,
  lines,
  numberOf,
  showTimestamps,
  showStreams,
  matchesBySeq,
  currentMatch,
  selected,
  active,
  stick,
  emptyText,
  onStickChange,
  onSelect,
  onMove,
  onSelectAll,
  onClearSelection,
  onCopySelection,
  overlay,
}: {
  ref?: Ref<LogViewHandle>;
  id: string;
  label: string;
  lines: JournalLine[];
  numberOf: (line: JournalLine) => number;
  showTimestamps: boolean;
  showStreams: boolean;
  matchesBySeq: Map<number, Match[]>;
  currentMatch: { seq: number; start: number } | null;
  selected: ReadonlySet<number>;
  active: number | null;
  stick: boolean;
  emptyText: string;
  onStickChange: (atBottom: boolean) => void;
  onSelect: (seq: number, mode: SelectMode) => void;
  /** Keyboard movement of the active line: by rows, or to an end; `extend` grows the selection with it. */
  onMove: (target: { delta: number } | { to: "first" | "last" }, extend: boolean) => void;
  onSelectAll: () => void;
  onClearSelection: () => void;
  onCopySelection: () => void;
  /** Shown over the lines while they overflow the block (the "jump to latest" button). */
  overlay?: ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(24 * 12);

  useImperativeHandle(ref, () => ({
    scrollToBottom() {
      const element = box.current;
      if (element) element.scrollTop = element.scrollHeight;
    },
    reveal(index) {
      const element = box.current;
      if (!element) return;
      const top = index * ROW_HEIGHT;
      if (top < element.scrollTop || top + ROW_HEIGHT > element.scrollTop + element.clientHeight) {
        element.scrollTop = Math.max(0, top - element.clientHeight / 2 + ROW_HEIGHT / 2);
      }
    },
  }));

  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    setHeight(element.clientHeight);
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Sticks to the newest line while the operator has not scrolled up.
  useLayoutEffect(() => {
    const element = box.current;
    if (stick && element) {
      element.scrollTop = element.scrollHeight;
      setScrollTop(element.scrollTop);
    }
  }, [stick, lines]);

  const activeIndex = active === null ? -1 : lines.findIndex((line) => line.seq === active);
  useEffect(() => {
    const element = box.current;
    if (!element || activeIndex < 0) return;
    const top = activeIndex * ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
  }, [activeIndex]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(lines.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const visible = lines.slice(first, last);
  const widest = useMemo(() => lines.reduce((most, line) => Math.max(most, line.plain.length), 0), [lines]);
  const gutterChars = String(lines.length ? numberOf(lines.at(-1)!) : 1).length;
  const rowsPerPage = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const command = event.ctrlKey || event.metaKey;
    if (command && event.key.toLowerCase() === "a") {
      event.preventDefault();
      onSelectAll();
    } else if (command && event.key.toLowerCase() === "c") {
      // Text the operator dragged over is copied by the browser as usual; otherwise the selected lines.
      if (!window.getSelection()?.toString() && selected.size > 0) {
        event.preventDefault();
        onCopySelection();
      }
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp" || event.key === "PageDown" || event.key === "PageUp") {
      event.preventDefault();
      const step = event.key.startsWith("Page") ? rowsPerPage : 1;
      onMove({ delta: event.key === "ArrowDown" || event.key === "PageDown" ? step : -step }, event.shiftKey);
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      onMove({ to: event.key === "Home" ? "first" : "last" }, event.shiftKey);
    } else if (event.key === " " && active !== null) {
      event.preventDefault();
      onSelect(active, "toggle");
    } else if (event.key === "Escape" && selected.size > 0) {
      event.preventDefault();
      onClearSelection();
    }
  };

  return (
    <div className="journal-frame">
      <div
        ref={box}
        id={id}
        className="journal-lines"
        role="listbox"
        aria-multiselectable="true"
        aria-label={label}
        aria-activedescendant={activeIndex >= 0 ? `${id}-line-${active}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={(event) => {
          const element = event.currentTarget;
          setScrollTop(element.scrollTop);
          const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < ROW_HEIGHT / 2;
          if (atBottom !== stick) onStickChange(atBottom);
        }}
        style={{ ["--journal-gutter" as string]: `${gutterChars}ch` }}
      >
        {lines.length > 0 ? (
          <div className="journal-spacer" style={{ height: lines.length * ROW_HEIGHT, minWidth: `calc(${widest}ch + ${gutterChars}ch + ${showTimestamps ? 14 : 0}ch + 3em)` }}>
            <div className="journal-window" style={{ transform: `translateY(${first * ROW_HEIGHT}px)` }}>
              {visible.map((line, offset) => (
                <Row
                  key={line.seq}
                  id={`${id}-line-${line.seq}`}
                  line={line}
                  number={numberOf(line)}
                  showTimestamps={showTimestamps}
                  showStreams={showStreams}
                  ranges={matchesBySeq.get(line.seq)}
                  current={currentMatch?.seq === line.seq ? currentMatch.start : -1}
                  selected={selected.has(line.seq)}
                  active={line.seq === active}
                  onPointerSelect={onSelect}
                  position={first + offset + 1}
                  total={lines.length}
                />
              ))}
            </div>
          </div>
        ) : null}
      </div>
      {lines.length === 0 ? <p className="journal-empty">{emptyText}</p> : null}
      {overlay && lines.length * ROW_HEIGHT > height ? overlay : null}
    </div>
  );
}
