import { randomBytes } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { createParser } from "eventsource-parser";
import { cleanupAgents, docker } from "../../tests/helpers/docker";
import { ensureTestImage } from "../../tests/helpers/test-image";
import { TEST_OPERATOR_TOKEN } from "../../tests/helpers/server";
import { agentRow, expect, test, TEST_IMAGE } from "../fixtures";
import { type IngressStack, PROXY_USER, startIngressStack } from "./stack";

// An operator's day through a real nginx in front of two replicas on one PostgreSQL: under /hive/, then at a host's
// root. Every request the page, its scripts, its streams and the agents make goes through nginx.
const FOLLOW_SECONDS = 30;

/** Seconds printed by the test agent: "[name] line N" once a second. */
const lineNumber = (text: string) => Number(/\] line (\d+)$/.exec(text)?.[1] ?? Number.NaN);

async function logIn(page: Page, stack: IngressStack) {
  await page.goto(`${stack.tokenUrl}/`);
  await expect(page).toHaveURL(`${stack.tokenUrl}/login`);
  await page.getByLabel("Operator token").fill(TEST_OPERATOR_TOKEN);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(`${stack.tokenUrl}/`);
  await expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
}

/** Reads a quiet event stream through nginx for `seconds`: the comments (heartbeats) it got, and whether it stayed open. */
async function quietStream(url: string, seconds: number): Promise<{ heartbeats: number; openToTheEnd: boolean }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, accept: "text/event-stream" }, signal: controller.signal });
  expect(response.status).toBe(200);
  let heartbeats = 0;
  let openToTheEnd = true;
  const parser = createParser({ onEvent: () => undefined, onComment: () => heartbeats++ });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = setTimeout(() => controller.abort(), seconds * 1000);
  try {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) break;
      parser.feed(chunk.value);
    }
    openToTheEnd = controller.signal.aborted; // ended by us, not by the proxy
  } finally {
    clearTimeout(deadline);
  }
  return { heartbeats, openToTheEnd };
}

async function journey(browser: Browser, stack: IngressStack, prefix: string) {
  const basePath = new URL(stack.tokenUrl).pathname.replace(/\/$/, "");
  const token = await browser.newContext();
  const page = await token.newPage();
  const sso = await browser.newContext();
  const other = await sso.newPage();
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.tokenUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, "content-type": "application/json", ...init.headers } });

  // Agents: one to restart, one that asks a question (it calls the API through the ingress, from its container).
  const ticker = `${prefix}-tick`;
  const asker = `${prefix}-ask`;
  const question = `Roll out to production (${prefix})?`;
  for (const [name, env] of [
    [ticker, { AGENT_STOP_DELAY_S: "2" }],
    [asker, { AGENT_ASK: question, AGENT_ASK_OPTIONS: "yes|no", AGENT_ASK_TTL: "600" }],
  ] as const) {
    const spawned = await api("/api/agents", { method: "POST", body: JSON.stringify({ name, image: TEST_IMAGE, network: "host", env }) });
    expect(spawned.status, await spawned.clone().text()).toBe(201);
  }

  // Log in with the token; the single-sign-on server's page is the operator the proxy names, on the other replica.
  await logIn(page, stack);
  await other.goto(`${stack.proxyUrl}/`);
  await expect(other.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
  await expect(other.getByTitle("Logged in as")).toHaveText(PROXY_USER);
  await expect(other.getByRole("button", { name: "Log out" })).toHaveCount(0);

  // Through the proxy: a trace id sent comes back, and a cookie request must come from the public URL's origin.
  const traced = await api("/api/state", { headers: { "x-trace-id": `trace-${prefix}-ingress` } });
  expect(traced.headers.get("x-trace-id")).toBe(`trace-${prefix}-ingress`);
  const nobody = `${stack.tokenUrl}/api/agents/${prefix}-nobody/stop`;
  expect((await token.request.post(nobody, { headers: { origin: "http://evil.example" } })).status()).toBe(403);
  expect((await token.request.post(nobody, { headers: { origin: new URL(stack.tokenUrl).origin } })).status()).toBe(404);

  // See the agents; restart one: the pill reaches the page connected through the other replica.
  await expect(agentRow(page, ticker).getByText("running", { exact: true })).toBeVisible();
  await expect(agentRow(other, ticker).getByText("running", { exact: true })).toBeVisible();
  await agentRow(page, ticker).getByRole("button", { name: `Restart ${ticker}` }).click();
  await expect(agentRow(other, ticker).getByText("restarting…")).toBeVisible();
  await expect(agentRow(other, ticker).getByText("restarting…")).toBeHidden({ timeout: 20_000 });
  await expect(agentRow(page, ticker).getByText("running", { exact: true })).toBeVisible();

  // Answer the question the agent asked through the ingress; the agent gets the answer.
  const card = page.getByRole("article", { name: question });
  await expect(card).toBeVisible();
  const form = card.getByRole("form", { name: `Answer ${asker}'s question` });
  await form.getByRole("radio", { name: "yes" }).check();
  await form.getByRole("button", { name: "Answer" }).click();
  await expect(page.getByRole("article", { name: question })).toBeHidden();
  await expect
    .poll(async () => (await docker.getContainer(`hive-${asker}`).logs({ stdout: true, stderr: true, tail: 50 })).toString(), { timeout: 30_000 })
    .toContain("yes");

  // Follow a log live for 30 s, through a proxy that is cut and restarted halfway: no gap, no duplicate. (The asker's
  // log: it was never restarted, so its numbered lines only ever count up.)
  await page.getByRole("button", { name: `logs · ${asker}` }).click();
  const viewer = page.getByRole("region", { name: `Logs of ${asker}` });
  const lines = viewer.getByRole("listbox", { name: `Log lines of ${asker}` });
  await expect(lines.getByRole("option").last()).toBeVisible();
  await viewer.getByRole("checkbox", { name: "Follow" }).check();
  await expect(viewer).toContainText("following");
  // The list is virtualised (a window of rows): each look checks its window and adds it to what was seen.
  const seen = new Set<number>();
  const look = async () => {
    const numbers = (await lines.getByRole("option").allTextContents()).map(lineNumber).filter((n) => !Number.isNaN(n));
    numbers.forEach((n, index) => index > 0 && expect(n, `line after ${numbers[index - 1]}`).toBe(numbers[index - 1]! + 1));
    for (const n of numbers) seen.add(n);
    return numbers.length ? Math.max(...numbers) : 0;
  };
  const first = await look();
  // Meanwhile a quiet stream through the same proxy (its read timeout is 20 s) lives on its heartbeats alone.
  const quiet = quietStream(`${stack.tokenUrl}/api/stream`, 25);
  await expect.poll(async () => (await look()) - first, { timeout: 60_000, intervals: [500] }).toBeGreaterThanOrEqual(FOLLOW_SECONDS / 2);
  expect(await quiet).toEqual({ heartbeats: expect.any(Number), openToTheEnd: true });
  expect((await quiet).heartbeats).toBeGreaterThanOrEqual(1);

  await stack.restartNginx();
  // Every client comes back by itself: the page's live connection, the other page's, and the follow.
  await expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible({ timeout: 30_000 });
  await expect(other.getByRole("status", { name: "Live updates: Live" })).toBeVisible({ timeout: 30_000 });
  await expect.poll(async () => (await look()) - first, { timeout: 60_000, intervals: [500] }).toBeGreaterThanOrEqual(FOLLOW_SECONDS);
  const followed = [...seen].filter((n) => n >= first).sort((a, b) => a - b);
  expect(followed, "every line from the first followed to the last, once").toEqual(Array.from({ length: followed.length }, (_, index) => first + index));
  await expect(viewer).toContainText("following");

  // Log out: the session ends, and the page is the login form under the same prefix.
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(`${stack.tokenUrl}/login`);
  await page.goto(`${stack.tokenUrl}/`);
  await expect(page).toHaveURL(`${stack.tokenUrl}/login`);

  // Nothing the browsers or agents asked for went around the prefix, and no asset failed through the proxy.
  const log = stack.accessLog();
  expect(log.filter((entry) => basePath && !entry.path.startsWith(basePath))).toEqual([]);
  expect(log.filter((entry) => entry.path.includes("/_next/static/") && entry.status !== 200)).toEqual([]);
  expect(log.some((entry) => entry.path === `${basePath}/api/agent/questions`)).toBe(true); // the agent's own call
  await token.close();
  await sso.close();
}

for (const basePath of ["/hive", ""]) {
  test.describe(`[INGRESS] behind nginx ${basePath ? `under ${basePath}/` : "at the root"}`, () => {
    let stack: IngressStack;
    const prefix = `i${randomBytes(3).toString("hex")}`;

    test.beforeAll(async () => {
      test.setTimeout(600_000);
      await ensureTestImage();
      stack = await startIngressStack(basePath);
    });
    test.afterAll(async () => {
      await stack?.stop();
      await cleanupAgents(prefix);
    });

    test(`[INGRESS] an operator logs in, restarts an agent seen through the other replica, answers a question, follows a log through a proxy restart, and logs out${basePath ? " (under a path prefix)" : ""}`, async ({ browser }) => {
      test.setTimeout(300_000);
      await journey(browser, stack, prefix);
    });
  });
}
