import { randomBytes } from "node:crypto";
import { type APIRequestContext, test as base, expect, type Page, request } from "@playwright/test";
import Docker from "dockerode";
import { cleanupAgents } from "../tests/helpers/docker";

export const OPERATOR_TOKEN = "hive_op_e2e-operator-token-0123456789";
export const docker = new Docker({ socketPath: "/var/run/docker.sock" });
export const TEST_IMAGE = "hive-test-agent:latest";

/** Logs in the way an operator does: the printed login URL with the token in its fragment. */
export async function loginAsOperator(page: Page) {
  await page.goto(`/login#token=${OPERATOR_TOKEN}`);
  await expect(page.getByRole("heading", { name: "Containers" })).toBeVisible();
  // The server-rendered page is visible before React hydrates; "Live" only appears once the client runs
  // (its live connection is up), so clicks from here on reach their handlers.
  await expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
}

type Fixtures = { prefix: string; api: APIRequestContext };

/** Each test gets a unique agent-name prefix; containers and volumes under it are removed afterwards. */
export const test = base.extend<Fixtures>({
  // The operator's API, as a script uses it (bearer token): seeds what a test needs.
  api: async ({ baseURL }, use) => {
    const context = await request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    await use(context);
    await context.dispose();
  },
  prefix: async ({}, use) => {
    const prefix = `e${randomBytes(3).toString("hex")}`;
    await use(prefix);
    await cleanupAgents(prefix);
  },
});

export { expect };

/** Spawns a test agent through the dashboard's API. */
export async function spawnAgent(api: APIRequestContext, name: string, env: Record<string, string> = {}) {
  const response = await api.post("/api/agents", { data: { name, image: TEST_IMAGE, network: "none", env } });
  expect(response.status(), await response.text()).toBe(201);
}

/** The agent's row in the containers table. */
export const agentRow = (page: Page, name: string) => page.getByRole("row", { name: `Agent ${name}` });
