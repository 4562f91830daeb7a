import { describe, expect, it } from "vitest";
import { JsonBytes } from "@/server/views/json-bytes";

const samples = [
  "plain ascii line",
  'quote " and backslash \\ inside',
  "tab\there, newline\nthere, return\r, nul\u0000, escape \u001b[31mred\u001b[0m, bell \u0007",
  "ünïcödé, 日本語, emoji 🐝, line separator \u2028 and paragraph \u2029",
  "</script><img src=x onerror=alert(1)>",
  "",
];

describe("JSON built from bytes", () => {
  it("writes each string exactly as JSON.stringify would", () => {
    for (const sample of samples) {
      const json = new JsonBytes();
      json.string(Buffer.from(sample, "utf8"));
      expect(json.take().toString("utf8"), JSON.stringify(sample)).toBe(JSON.stringify(sample));
    }
  });

  it("grows past its chunk size and starts over after take()", () => {
    const json = new JsonBytes();
    json.ascii("[");
    const long = "x".repeat(300_000);
    json.string(Buffer.from(long));
    json.ascii(",");
    json.text(JSON.stringify("é"));
    json.ascii("]");
    expect(json.size).toBe(300_000 + 2 + 3 + 4);
    expect(JSON.parse(json.take().toString("utf8"))).toEqual([long, "é"]);
    expect(json.size).toBe(0);
    json.ascii("{}");
    expect(json.take().toString()).toBe("{}");
  });

  it("passes invalid UTF-8 through for the reader's decoder to replace, still as a JSON string", () => {
    const json = new JsonBytes();
    json.string(Buffer.from([0x61, 0xff, 0x62]));
    expect(JSON.parse(new TextDecoder().decode(json.take()))).toBe("a\ufffdb");
  });
});
