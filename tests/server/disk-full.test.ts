import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { agentFetch, mintAgentToken, operatorFetch, type ServerProcess, startServer, tempDir } from "../helpers/server";

// The embedded database's disk fills up: a small tmpfs of the test's own as HIVE_DATA_DIR, filled by a file beside it.
const mountPoint = tempDir("hive-small-disk-");
let mounted = false;
const servers: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  if (mounted) spawnSync("umount", [mountPoint]);
});

function mountSmallDisk(megabytes: number) {
  const result = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${megabytes}m,mode=0755`, "tmpfs", mountPoint], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`mount tmpfs (needs root): ${result.stderr}`);
  mounted = true;
}

/** Takes the disk's free space with a file: written until the disk refuses it. */
function fillDisk(file: string): number {
  const chunk = Buffer.alloc(256 * 1024, 1);
  const fd = fs.openSync(file, "w");
  let written = 0;
  try {
    for (;;) written += fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

describe("the embedded database's disk is full", () => {
  it("answers 507 storage_full, keeps every row it had, and writes again once space returns, also after a restart", async () => {
    mountSmallDisk(160);
    const dataDir = path.join(mountPoint, "data");
    const server = await startServer({}, { dataDir });
    servers.push(server);
    const token = (await mintAgentToken(server, "writer")).token;
    const ask = (text: string) => agentFetch(server, token, "/api/agent/questions", { method: "POST", body: JSON.stringify({ question: text }) });
    const kept: string[] = [];
    for (let index = 0; index < 5; index++) {
      const response = await ask(`kept ${index}`);
      expect(response.status).toBe(201);
      kept.push((await response.json()).id);
    }

    const filler = path.join(mountPoint, "filler");
    fillDisk(filler);
    // Rows go into pages with room left first; questions of 4000 characters soon need new ones, which the disk refuses.
    let refused: Response | undefined;
    for (let attempt = 0; attempt < 3000 && !refused; attempt++) {
      const response = await ask(`${attempt} ${"x".repeat(3990)}`);
      if (response.status !== 201) refused = response;
    }
    expect(refused?.status).toBe(507);
    const body = await refused!.json();
    expect(body).toEqual({ error: { code: "storage_full", message: expect.stringContaining("disk is full") } });
    // Reads still answer, with every row the database had.
    const health = await fetch(`${server.baseUrl}/dashboard-healthz`);
    expect(health.status).toBe(200);
    for (const id of kept) expect((await agentFetch(server, token, `/api/agent/questions/${id}`)).status).toBe(200);
    expect(server.logs().some((line) => line.msg === "storage full")).toBe(true);

    // Space returns: the next write works, without a restart.
    fs.rmSync(filler);
    const after = await ask("after the disk was freed");
    expect(after.status).toBe(201);
    const afterId = (await after.json()).id;

    // A restart finds everything: the rows from before, and the one written after.
    expect(await server.stop()).toBe(0);
    const again = await startServer({}, { dataDir });
    servers.push(again);
    for (const id of [...kept, afterId]) {
      const view = await agentFetch(again, token, `/api/agent/questions/${id}`);
      expect(view.status).toBe(200);
    }
    expect((await operatorFetch(again, "/api/state")).status).toBe(200);
  }, 240_000);
});
