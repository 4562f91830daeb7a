import { describe, expect, it } from "vitest";
import { parseAnsi, segmentPresentation, stripAnsi } from "@/components/journal/ansi";
import { findMatches, lineAsText, logFileName, toJournalLines } from "@/components/journal/journal-lines";

const ESC = "\x1b";

describe("ANSI in log lines", () => {
  it("turns SGR codes into styled segments with offsets in the plain text", () => {
    const segments = parseAnsi(`${ESC}[31merror${ESC}[0m: ${ESC}[1;32mok${ESC}[22m done`);
    expect(segments.map((segment) => [segment.text, segment.start, segment.style?.fg ?? null, segment.style?.bold ?? false])).toEqual([
      ["error", 0, 1, false],
      [": ", 5, null, false],
      ["ok", 7, 2, true],
      [" done", 9, 2, false],
    ]);
  });

  it("reads bright, 256-colour and RGB colours, backgrounds and resets", () => {
    expect(parseAnsi(`${ESC}[91mx`)[0]!.style!.fg).toBe(9);
    expect(parseAnsi(`${ESC}[38;5;208mx`)[0]!.style!.fg).toBe("rgb(255, 135, 0)");
    expect(parseAnsi(`${ESC}[38;5;244mx`)[0]!.style!.fg).toBe("rgb(128, 128, 128)");
    expect(parseAnsi(`${ESC}[38;5;3mx`)[0]!.style!.fg).toBe(3);
    expect(parseAnsi(`${ESC}[48;2;1;2;3mx`)[0]!.style!.bg).toBe("rgb(1, 2, 3)");
    expect(parseAnsi(`${ESC}[38;2;999;0;0mx`)[0]!.style).toBeNull(); // out of range: no colour
    expect(parseAnsi(`${ESC}[44mx${ESC}[49my`).map((segment) => segment.style?.bg ?? null)).toEqual([4, null]);
    expect(parseAnsi(`${ESC}[1mx${ESC}[mx`).map((segment) => segment.style?.bold ?? false)).toEqual([true, false]);
  });

  it("drops every other escape sequence, including unterminated ones, and keeps the text", () => {
    const line = `${ESC}]0;title${ESC}\\a${ESC}[2Kb${ESC}[?25lc${ESC}7d${ESC}(B${ESC}`;
    expect(stripAnsi(line)).toBe("abcd");
    expect(parseAnsi(line).map((segment) => segment.text).join("")).toBe("abcd");
    expect(stripAnsi("no escapes <b>here</b>")).toBe("no escapes <b>here</b>");
    expect(parseAnsi("<img src=x onerror=alert(1)>")).toEqual([{ text: "<img src=x onerror=alert(1)>", start: 0, style: null }]);
  });

  it("presents palette colours as theme classes and exact colours inline; inverse swaps them", () => {
    expect(segmentPresentation(parseAnsi(`${ESC}[1;4;31mx`)[0]!.style)).toEqual({ className: "ansi-fg-1 ansi-bold ansi-underline" });
    expect(segmentPresentation(parseAnsi(`${ESC}[38;2;10;20;30mx`)[0]!.style)).toEqual({ style: { color: "rgb(10, 20, 30)" } });
    expect(segmentPresentation(parseAnsi(`${ESC}[7mx`)[0]!.style)).toEqual({ className: "ansi-fg-inverse ansi-bg-inverse" });
    expect(segmentPresentation(parseAnsi(`${ESC}[7;32mx`)[0]!.style)).toEqual({ className: "ansi-fg-inverse ansi-bg-2" });
    expect(segmentPresentation(null)).toEqual({});
  });
});

describe("viewer lines", () => {
  const lines = toJournalLines(
    [
      { stream: "stdout", text: `${ESC}[31mNeedle${ESC}[0m one`, timestamp: "2026-01-02T03:04:05.000000001Z" },
      { stream: "stderr", text: "needle needle", timestamp: "2026-01-02T03:04:05.000000002Z" },
      { stream: "stdout", text: "hay", timestamp: "2026-01-02T03:04:05.000000002Z" },
    ],
    10,
  );

  it("numbers lines and keeps their plain text", () => {
    expect(lines.map((line) => [line.seq, line.plain])).toEqual([
      [10, "Needle one"],
      [11, "needle needle"],
      [12, "hay"],
    ]);
  });

  it("finds every occurrence, case-insensitively, in the plain text", () => {
    expect(findMatches(lines, "NEEDLE")).toEqual([
      { index: 0, start: 0, end: 6 },
      { index: 1, start: 0, end: 6 },
      { index: 1, start: 7, end: 13 },
    ]);
    expect(findMatches(lines, "31m")).toEqual([]);
    expect(findMatches(lines, "")).toEqual([]);
  });

  it("writes lines as plain text, with full stamps when shown, into a file named for the agent", () => {
    expect(lineAsText(lines[0]!, false)).toBe("Needle one");
    expect(lineAsText(lines[0]!, true)).toBe("2026-01-02T03:04:05.000000001Z Needle one");
    expect(logFileName("scout", new Date("2026-01-02T03:04:05.678Z"))).toBe("scout-2026-01-02T03-04-05Z.log");
  });
});
