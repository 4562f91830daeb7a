"use client";

import { useQuery } from "@tanstack/react-query";
import { useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState } from "react";
import type { CrashDetailView } from "@/server/contracts/containers";
import type { LogLineData, LogSource } from "@/server/contracts/journal";
import { LOG_LINE_CHOICES, LOG_LINES_DEFAULT } from "@/server/contracts/journal-lines";
import { apiFetch } from "../queries/api";
import { crashKeys } from "../queries/keys";
import { useAgentLogsQuery } from "../queries/use-agent-logs-query";
import { type FollowState, useFollowLogs } from "../queries/use-follow-logs";
import { ArrowDownIcon, ArrowUpIcon } from "../ui/icons";
import { useToast } from "../ui/toast";
import { findMatches, type JournalLine, lineAsText, logFileName, toJournalLines } from "./journal-lines";
import { LogView, type LogViewHandle, type SelectMode } from "./log-view";

/** Lines kept while following; the oldest go first. */
const MAX_BUFFER_LINES = 10_000;

const FOLLOW_TEXT: Record<FollowState["status"], string> = {
  off: "",
  connecting: "connecting…",
  following: "following",
  waiting: "container stopped; following resumes when it runs",
  error: "follow interrupted; retrying",
  gone: "the container is gone",
};

type Selection = { selected: ReadonlySet<number>; anchor: number | null; active: number | null };
const NO_SELECTION: Selection = { selected: new Set(), anchor: null, active: null };

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-http dashboards have no async clipboard: the old copy command still works from a user gesture.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("the browser refused to copy");
}

function download(fileName: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * An agent's container log: the last lines on open and on refresh, live lines while following, search with
 * highlights and a filter, ANSI colours, line selection to copy, download. Crash records' last lines are offered
 * under "View" and stay readable after the container was rebuilt.
 */
export function JournalViewer({
  id,
  name,
  containerKey,
  crashesTotal,
  crashesVersion,
}: {
  id: string;
  name: string;
  /** Changes when the container is replaced or restarted: following reconnects at once. */
  containerKey: string;
  crashesTotal: number;
  /** Changes when the crash records do (see crashVersion). */
  crashesVersion: string;
}) {
  const toast = useToast();
  const uid = useId().replace(/:/g, "");
  const logView = useRef<LogViewHandle>(null);
  const [lineCount, setLineCount] = useState<number>(LOG_LINES_DEFAULT);
  const [source, setSource] = useState<LogSource>("agent");
  const [timestamps, setTimestamps] = useState(false);
  const [follow, setFollow] = useState(false);
  const [view, setView] = useState<"live" | number>("live");
  const [query, setQuery] = useState("");
  const [onlyMatches, setOnlyMatches] = useState(false);
  const [current, setCurrent] = useState<{ seq: number; start: number } | null>(null);
  const [stick, setStick] = useState(true);
  const [selection, setSelection] = useState<Selection>(NO_SELECTION);
  const searchText = useDeferredValue(query);

  const live = view === "live";
  const logs = useAgentLogsQuery({ name, lines: lineCount, source, enabled: live });
  const crashes = useQuery({
    queryKey: crashKeys.list(name, crashesVersion),
    queryFn: ({ signal }) => apiFetch<{ crashes: CrashDetailView[] }>(`/api/agents/${encodeURIComponent(name)}/crashes`, { signal }),
    enabled: crashesTotal > 0,
  });
  const crash = typeof view === "number" ? crashes.data?.crashes.find((entry) => entry.id === view) : undefined;

  // Line identities: every fetched or followed line gets the next number, so keys and selections never collide.
  const nextSeq = useRef(1);
  const takeSeq = (count: number) => {
    const first = nextSeq.current;
    nextSeq.current += count;
    return first;
  };
  const base = useMemo(() => (logs.data ? toJournalLines(logs.data.lines, takeSeq(logs.data.lines.length)) : []), [logs.data]);
  const [followed, setFollowed] = useState<{ base: JournalLine[]; lines: JournalLine[] }>({ base: [], lines: [] });
  const all = useMemo(() => {
    const merged = followed.base === base && followed.lines.length ? base.concat(followed.lines) : base;
    return merged.length > MAX_BUFFER_LINES ? merged.slice(-MAX_BUFFER_LINES) : merged;
  }, [base, followed]);
  const crashLines = useMemo(() => (crash ? toJournalLines(crash.lastLines, takeSeq(crash.lastLines.length)) : []), [crash]);

  const sourceLines = useMemo(() => {
    if (live) return all;
    return source === "all" ? crashLines : crashLines.filter((line) => line.stream === "stdout");
  }, [live, all, crashLines, source]);

  // An agent without a container (destroyed, or between rebuild steps) still has its crash records: show the newest.
  const notFound = Boolean(logs.error && "code" in logs.error && logs.error.code === "agent_not_found");
  const newestCrash = crashes.data?.crashes[0]?.id;
  useEffect(() => {
    if (notFound && newestCrash !== undefined) setView(newestCrash);
  }, [notFound, newestCrash]);

  // A fresh read starts at the newest line.
  useEffect(() => {
    setStick(true);
    setSelection(NO_SELECTION);
  }, [logs.dataUpdatedAt, view]);

  // Followed lines arrive in batches and are added once per frame.
  const pending = useRef<LogLineData[]>([]);
  const frame = useRef<number | undefined>(undefined);
  const baseRef = useRef(base);
  baseRef.current = base;
  const allRef = useRef(all);
  allRef.current = all;
  const onLines = useCallback((lines: LogLineData[]) => {
    pending.current.push(...lines);
    frame.current ??= requestAnimationFrame(() => {
      frame.current = undefined;
      const batch = pending.current;
      pending.current = [];
      const first = nextSeq.current;
      nextSeq.current += batch.length;
      const added = toJournalLines(batch, first);
      setFollowed((previous) => {
        const kept = previous.base === baseRef.current ? previous.lines : [];
        const lines = kept.concat(added);
        return { base: baseRef.current, lines: lines.length > MAX_BUFFER_LINES ? lines.slice(-MAX_BUFFER_LINES) : lines };
      });
    });
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current ?? 0), []);
  const followState = useFollowLogs({
    name,
    source,
    enabled: follow && live && logs.isSuccess,
    restartKey: `${logs.dataUpdatedAt}|${containerKey}`,
    from: logs.data?.cursor ?? null,
    onLines,
  });

  // Search: matches over the lines of the chosen source; the filter shows only lines with a match.
  const matches = useMemo(() => findMatches(sourceLines, searchText), [sourceLines, searchText]);
  const matchesBySeq = useMemo(() => {
    const map = new Map<number, { index: number; start: number; end: number }[]>();
    for (const match of matches) {
      const seq = sourceLines[match.index]!.seq;
      const list = map.get(seq);
      if (list) list.push(match);
      else map.set(seq, [match]);
    }
    return map;
  }, [matches, sourceLines]);
  const shown = useMemo(
    () => (onlyMatches && searchText ? sourceLines.filter((line) => matchesBySeq.has(line.seq)) : sourceLines),
    [onlyMatches, searchText, sourceLines, matchesBySeq],
  );
  const positionOf = useMemo(() => new Map(sourceLines.map((line, index) => [line.seq, index + 1])), [sourceLines]);
  const currentIndex = current ? matches.findIndex((match) => sourceLines[match.index]!.seq === current.seq && match.start === current.start) : -1;

  // Jump to latest: offered while scrolled up, with the number of lines that arrived since leaving the bottom.
  const lengthWhenLeft = useRef(0);
  const stickRef = useRef(stick);
  stickRef.current = stick;
  const onStickChange = useCallback((atBottom: boolean) => {
    if (!atBottom && stickRef.current) lengthWhenLeft.current = allRef.current.length;
    setStick(atBottom);
  }, []);
  const newSinceLeft = stick ? 0 : Math.max(0, all.length - lengthWhenLeft.current);

  const goToMatch = useCallback(
    (index: number) => {
      if (matches.length === 0) return;
      const match = matches[(index + matches.length) % matches.length]!;
      const seq = sourceLines[match.index]!.seq;
      setCurrent({ seq, start: match.start });
      const row = shown.findIndex((line) => line.seq === seq);
      if (row >= 0) {
        onStickChange(row >= shown.length - 2);
        requestAnimationFrame(() => logView.current?.reveal(row));
      }
    },
    [matches, sourceLines, shown, onStickChange],
  );
  // A new search text goes to the newest match (logs are read from the bottom).
  useEffect(() => {
    if (!searchText) setCurrent(null);
    else goToMatch(matches.length - 1);
    // Only when the text changes: new lines must not move the current match.
  }, [searchText]);


  // Line selection (click, Shift+click, Ctrl+click, keyboard): over the lines shown.
  const onSelect = useCallback(
    (seq: number, mode: SelectMode) => {
      setSelection((previous) => {
        if (mode === "toggle") {
          const selected = new Set(previous.selected);
          if (selected.has(seq)) selected.delete(seq);
          else selected.add(seq);
          return { selected, anchor: seq, active: seq };
        }
        if (mode === "range" && previous.anchor !== null) {
          const from = shown.findIndex((line) => line.seq === previous.anchor);
          const to = shown.findIndex((line) => line.seq === seq);
          if (from >= 0 && to >= 0) {
            const [low, high] = from < to ? [from, to] : [to, from];
            return { selected: new Set(shown.slice(low, high + 1).map((line) => line.seq)), anchor: previous.anchor, active: seq };
          }
        }
        const only = previous.selected.size === 1 && previous.selected.has(seq);
        return { selected: only ? new Set() : new Set([seq]), anchor: seq, active: seq };
      });
    },
    [shown],
  );
  const onMove = useCallback(
    (target: { delta: number } | { to: "first" | "last" }, extend: boolean) => {
      if (shown.length === 0) return;
      const at = selection.active === null ? -1 : shown.findIndex((line) => line.seq === selection.active);
      const index =
        "to" in target
          ? target.to === "first"
            ? 0
            : shown.length - 1
          : at < 0
            ? target.delta > 0
              ? 0
              : shown.length - 1
            : Math.min(shown.length - 1, Math.max(0, at + target.delta));
      const seq = shown[index]!.seq;
      if (index < shown.length - 1) onStickChange(false);
      if (extend) onSelect(seq, "range");
      else setSelection((previous) => ({ ...previous, active: seq, anchor: seq }));
    },
    [shown, selection.active, onSelect, onStickChange],
  );
  const selectedLines = useMemo(() => sourceLines.filter((line) => selection.selected.has(line.seq)), [sourceLines, selection.selected]);
  const copySelection = useCallback(() => {
    if (selectedLines.length === 0) return;
    copyText(`${selectedLines.map((line) => lineAsText(line, timestamps)).join("\n")}\n`).then(
      () => toast.show("success", `Copied ${selectedLines.length} line${selectedLines.length === 1 ? "" : "s"}`),
      (error: Error) => toast.show("error", `Could not copy: ${error.message}`),
    );
  }, [selectedLines, timestamps, toast]);

  const onDownload = () => {
    const text = shown.map((line) => lineAsText(line, timestamps)).join("\n");
    download(crash ? logFileName(`${name}-crash-${crash.id}`) : logFileName(name), text ? `${text}\n` : "");
  };

  let status: string;
  if (!live) {
    status = crash
      ? `Last ${crash.lastLines.length} lines before the crash at ${new Date(crash.crashedAt).toLocaleString()} (exit ${crash.exitCode ?? "?"}${crash.oomKilled ? ", OOM" : ""}), container ${crash.containerId.slice(0, 12)}; kept after rebuilds and destroys.`
      : crashes.isPending
        ? "Loading the crash record…"
        : "This crash record is no longer available.";
  } else if (logs.isPending) status = `Loading the last ${lineCount} lines…`;
  else if (logs.isError) status = "";
  else {
    const short = (logs.data?.lines.length ?? 0) < lineCount;
    const whole = !short ? "" : source === "all" ? " (the whole log)" : ` (the agent's among the last ${lineCount} log lines)`;
    status = `${all.length} line${all.length === 1 ? "" : "s"}${whole}`;
  }

  return (
    <div id={id} className="journal" role="region" aria-label={`Logs of ${name}`}>
      <div className="journal-toolbar">
        <div className="journal-controls" role="group" aria-label="What to show">
          {crashesTotal > 0 ? (
            <span className="journal-field">
              <label htmlFor={`${uid}-view`}>View</label>
              <select id={`${uid}-view`} value={String(view)} onChange={(event) => setView(event.target.value === "live" ? "live" : Number(event.target.value))}>
                <option value="live">Container log</option>
                {crashes.data?.crashes.map((entry) => (
                  <option key={entry.id} value={entry.id}>
                    Crash {new Date(entry.crashedAt).toLocaleString()} · exit {entry.exitCode ?? "?"}
                  </option>
                ))}
              </select>
            </span>
          ) : null}
          <span className="journal-field">
            <label htmlFor={`${uid}-lines`}>Lines</label>
            <select id={`${uid}-lines`} value={lineCount} disabled={!live} onChange={(event) => setLineCount(Number(event.target.value))}>
              {LOG_LINE_CHOICES.map((choice) => (
                <option key={choice} value={choice}>
                  {choice}
                </option>
              ))}
            </select>
          </span>
          <span className="journal-field">
            <label htmlFor={`${uid}-source`}>Source</label>
            <select id={`${uid}-source`} value={source} onChange={(event) => setSource(event.target.value as LogSource)}>
              <option value="agent">agent (stdout)</option>
              <option value="all">all (stdout + stderr)</option>
            </select>
          </span>
          <label className="journal-check">
            <input type="checkbox" checked={timestamps} onChange={(event) => setTimestamps(event.target.checked)} />
            Timestamps
          </label>
          <label className="journal-check">
            <input type="checkbox" checked={follow} disabled={!live} onChange={(event) => setFollow(event.target.checked)} />
            Follow
          </label>
          <button type="button" className="btn-xs" disabled={!live || logs.isFetching} onClick={() => void logs.refetch()}>
            Refresh
          </button>
        </div>
        <div className="journal-search" role="search" aria-label={`Search the logs of ${name}`}>
          <input
            type="search"
            aria-label="Search log"
            placeholder="Search…"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter") {
                event.preventDefault();
                goToMatch(currentIndex < 0 ? matches.length - 1 : currentIndex + (event.shiftKey ? -1 : 1));
              }
            }}
          />
          <button type="button" className="btn-xs" aria-label="Previous match" disabled={matches.length === 0} onClick={() => goToMatch(currentIndex - 1)}>
            <ArrowUpIcon />
          </button>
          <button type="button" className="btn-xs" aria-label="Next match" disabled={matches.length === 0} onClick={() => goToMatch(currentIndex + 1)}>
            <ArrowDownIcon />
          </button>
          <span className="journal-count" role="status" aria-live="polite">
            {searchText ? (matches.length ? `${currentIndex + 1} of ${matches.length}` : "no matches") : ""}
          </span>
          <label className="journal-check">
            <input type="checkbox" checked={onlyMatches} onChange={(event) => setOnlyMatches(event.target.checked)} />
            Only matching lines
          </label>
        </div>
        <div className="journal-keep" role="group" aria-label="Keep">
          <button type="button" className="btn-xs" disabled={selectedLines.length === 0} onClick={copySelection} title="Select lines by clicking them (Shift: a range, Ctrl: one more)">
            {selectedLines.length ? `Copy ${selectedLines.length} line${selectedLines.length === 1 ? "" : "s"}` : "Copy lines"}
          </button>
          <button type="button" className="btn-xs" disabled={shown.length === 0} onClick={onDownload}>
            Download .log
          </button>
        </div>
      </div>
      {logs.isError && live ? (
        <p className="journal-status form-error" role="alert">
          {notFound
            ? `${name} has no container right now.${crashesTotal > 0 ? " Its crash records' last lines are under View." : ""}`
            : `Log unavailable: ${logs.error.message}`}
        </p>
      ) : (
        <p className="journal-status muted">
          {/* The count changes with every followed line: announced only when following is off. */}
          <span role="status" aria-live={follow && live ? "off" : "polite"}>
            {status}
          </span>
          {follow && live ? <span role="status"> · {FOLLOW_TEXT[followState.status]}</span> : null}
        </p>
      )}
      <LogView
        ref={logView}
        id={`journal-${uid}`}
        label={crash ? `Last lines before a crash of ${name}` : `Log lines of ${name}`}
        lines={shown}
        numberOf={(line) => positionOf.get(line.seq) ?? 0}
        showTimestamps={timestamps}
        showStreams={source === "all"}
        matchesBySeq={matchesBySeq}
        currentMatch={current}
        selected={selection.selected}
        active={selection.active}
        stick={stick}
        emptyText={live && logs.isPending ? "Loading…" : searchText && onlyMatches ? "No line matches." : "No log lines."}
        onStickChange={onStickChange}
        onSelect={onSelect}
        onMove={onMove}
        onSelectAll={() => setSelection({ selected: new Set(shown.map((line) => line.seq)), anchor: shown[0]?.seq ?? null, active: selection.active })}
        onClearSelection={() => setSelection(NO_SELECTION)}
        onCopySelection={copySelection}
        overlay={
          stick ? null : (
            <button
              type="button"
              className="journal-jump"
              onClick={() => {
                setStick(true);
                logView.current?.scrollToBottom();
              }}
            >
              Jump to latest{newSinceLeft > 0 ? ` (${newSinceLeft} new)` : ""}
            </button>
          )
        }
      />
    </div>
  );
}
