import { describe, expect, it } from "vitest";
import { LogDemuxer } from "@/server/runtime/docker";

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("log demultiplexing", () => {
  it("separates stdout and stderr frames and splits lines", () => {
    const demuxer = new LogDemuxer(false, false);
    const lines = demuxer.push(Buffer.concat([frame(1, "one\ntwo\n"), frame(2, "oops\n")]));
    expect(lines).toEqual([
      { stream: "stdout", text: "one", timestamp: null },
      { stream: "stdout", text: "two", timestamp: null },
      { stream: "stderr", text: "oops", timestamp: null },
    ]);
  });

  it("reassembles frames and lines cut across chunks", () => {
    const demuxer = new LogDemuxer(false, false);
    const whole = Buffer.concat([frame(1, "hello wor"), frame(1, "ld\nnext")]);
    const out = [...demuxer.push(whole.subarray(0, 5)), ...demuxer.push(whole.subarray(5, 19)), ...demuxer.push(whole.subarray(19))];
    expect(out).toEqual([{ stream: "stdout", text: "hello world", timestamp: null }]);
    expect(demuxer.flush()).toEqual([{ stream: "stdout", text: "next", timestamp: null }]);
  });

  it("splits the engine's timestamp from the text", () => {
    const demuxer = new LogDemuxer(false, true);
    expect(demuxer.push(frame(1, "2026-11-22T13:00:00.123456789Z line 1\n"))).toEqual([
      { stream: "stdout", text: "line 1", timestamp: "2026-11-22T13:00:00.123456789Z" },
    ]);
  });

  it("joins a long line the engine sent in stamped pieces, keeping the first piece's stamp", () => {
    const demuxer = new LogDemuxer(false, true);
    const lines = demuxer.push(
      Buffer.concat([
        frame(1, "2026-11-22T13:00:00.000000001Z first half, "),
        frame(1, "2026-11-22T13:00:00.000000002Z second half\n"),
        frame(2, "2026-11-22T13:00:00.000000003Z err\r\n"),
        frame(1, "2026-11-22T13:00:00.000000004Z\n"),
      ]),
    );
    expect(lines).toEqual([
      { stream: "stdout", text: "first half, second half", timestamp: "2026-11-22T13:00:00.000000001Z" },
      { stream: "stderr", text: "err", timestamp: "2026-11-22T13:00:00.000000003Z" },
      { stream: "stdout", text: "", timestamp: "2026-11-22T13:00:00.000000004Z" },
    ]);
  });

  it("keeps a character whole when a chunk cuts through it", () => {
    const framed = new LogDemuxer(false, false);
    const bytes = frame(1, "bee 🐝 done\n");
    const cut = bytes.indexOf(0xf0) + 2;
    expect([...framed.push(bytes.subarray(0, cut)), ...framed.push(bytes.subarray(cut))]).toEqual([{ stream: "stdout", text: "bee 🐝 done", timestamp: null }]);
    const tty = new LogDemuxer(true, false);
    const raw = Buffer.from("日本\n");
    expect([...tty.push(raw.subarray(0, 2)), ...tty.push(raw.subarray(2))]).toEqual([{ stream: "stdout", text: "日本", timestamp: null }]);
  });

  it("reads a TTY container's raw stream as stdout", () => {
    const demuxer = new LogDemuxer(true, false);
    expect(demuxer.push(Buffer.from("a\r\nb\n"))).toEqual([
      { stream: "stdout", text: "a", timestamp: null },
      { stream: "stdout", text: "b", timestamp: null },
    ]);
  });
});
