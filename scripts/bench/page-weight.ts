// The dashboard page's first load as Chromium receives it: the JavaScript bytes on the wire (after content
// encoding), beside the same files uncompressed and gzip-only, and the page's HTML.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";
import { BENCH_TOKEN, report, ROOT, type BenchServer } from "./lib";

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const KiB = (bytes: number) => bytes / 1024;

export const PAGE_WEIGHT_ROWS = [
  "dashboard first-load JS on the wire (KiB, Chromium)",
  "same scripts gzip only (KiB)",
  "same scripts uncompressed (KiB)",
  "dashboard HTML on the wire (KiB)",
];

/** The build's precompressed copies (npm run build makes them; a bare `next build` does not). */
export function ensurePrecompressed() {
  const chunks = path.join(ROOT, ".next", "static", "chunks");
  if (fs.readdirSync(chunks).some((name) => name.endsWith(".br"))) return;
  console.log("  no precompressed assets in .next/static: running scripts/precompress.mjs");
  const result = spawnSync(process.execPath, [path.join(ROOT, "scripts", "precompress.mjs")], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("precompress failed");
}

async function sizeWith(url: string, encoding: string): Promise<number> {
  // Node's fetch would decode the body; the encoded size is what Content-Length says (static assets carry it).
  const response = await fetch(url, { headers: { "accept-encoding": encoding } });
  await response.arrayBuffer();
  return Number(response.headers.get("content-length") ?? 0);
}

export async function measurePageWeight(server: BenchServer) {
  ensurePrecompressed();
  const browser = await chromium.launch({ executablePath: process.env.HIVE_CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/login#token=${BENCH_TOKEN}`);
    await page.getByRole("heading", { name: "Containers" }).waitFor();
    // A fresh page (no cache) is the first load; its script responses, counted once each when fully received.
    const context = await browser.newContext();
    await context.addCookies(await page.context().cookies());
    const fresh = await context.newPage();
    const scripts: { url: string; wire: number; encoding: string }[] = [];
    const pending: Promise<void>[] = [];
    let html = 0;
    fresh.on("requestfinished", (request) => {
      pending.push(
        (async () => {
          const response = await request.response();
          if (!response) return;
          const sizes = await request.sizes();
          if (request.resourceType() === "script") {
            scripts.push({ url: request.url(), wire: sizes.responseBodySize, encoding: (await response.allHeaders())["content-encoding"] ?? "identity" });
          } else if (request.resourceType() === "document") html = sizes.responseBodySize;
        })(),
      );
    });
    // Every script of the first load is in the HTML (async), so all have arrived by the load event.
    await fresh.goto(`${server.baseUrl}/`, { waitUntil: "load" });
    await fresh.getByRole("heading", { name: "Containers" }).waitFor();
    await Promise.all(pending);
    const wire = scripts.reduce((sum, script) => sum + script.wire, 0);
    let identity = 0;
    let gzip = 0;
    for (const script of scripts) {
      identity += await sizeWith(script.url, "identity");
      gzip += await sizeWith(script.url, "gzip");
      if (process.env.BENCH_VERBOSE) console.log(`  ${script.url.replace(server.baseUrl, "")}  ${KiB(script.wire).toFixed(1)} KiB (${script.encoding})`);
    }
    console.log(`  dashboard first load: ${scripts.length} scripts, ${KiB(wire).toFixed(1)} KiB on the wire (${[...new Set(scripts.map((script) => script.encoding))].join(", ")}); HTML ${KiB(html).toFixed(1)} KiB`);
    report(PAGE_WEIGHT_ROWS[0]!, KiB(wire), null, { max: 150, label: "≤ 150 KiB" });
    report(PAGE_WEIGHT_ROWS[1]!, KiB(gzip), null, { label: "figure" });
    report(PAGE_WEIGHT_ROWS[2]!, KiB(identity), null, { label: "figure" });
    report(PAGE_WEIGHT_ROWS[3]!, KiB(html), null, { label: "figure" });
  } finally {
    await browser.close();
  }
}
