import type { LogLineData } from "@/server/contracts/journal";
import { stripAnsi } from "./ansi";

/** A line in the viewer: `seq` identifies it across appends (selection, keys), `plain` is its escape-free text. */
export type JournalLine = { seq: number; stream: "stdout" | "stderr"; timestamp: string | null; text: string; plain: string };

export function toJournalLines(lines: LogLineData[], firstSeq: number): JournalLine[] {
  return lines.map((line, index) => ({ ...line, seq: firstSeq + index, plain: stripAnsi(line.text) }));
}


/** One occurrence of the search text: the line's index in the searched list, and where it is in its plain text. */
export type Match = { index: number; start: number; end: number };

/** Every occurrence of `query` (case-insensitive, plain text), in reading order. */
export function findMatches(lines: JournalLine[], query: string): Match[] {
  if (!query) return [];
  const needle = query.toLowerCase();
  const matches: Match[] = [];
  for (let index = 0; index < lines.length; index++) {
    const haystack = lines[index]!.plain.toLowerCase();
    for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) {
      matches.push({ index, start: at, end: at + needle.length });
    }
  }
  return matches;
}

/** "14:02:11.123" from an engine stamp (UTC, as the stamps are). */
export const shortTime = (timestamp: string) => timestamp.slice(11, 23);

/** A line as text for copying and downloading: escape-free, with its full stamp when stamps are shown. */
export function lineAsText(line: JournalLine, timestamps: boolean): string {
  return timestamps && line.timestamp ? `${line.timestamp} ${line.plain}` : line.plain;
}

export function logFileName(agent: string, now = new Date()): string {
  return `${agent}-${now.toISOString().replace(/[:.]/g, "-").replace(/-\d{3}Z$/, "Z")}.log`;
}
