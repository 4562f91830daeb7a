import type { APIRequestContext, Locator, Page } from "@playwright/test";
import { ensureTestImage } from "../../tests/helpers/test-image";
import { expect, OPERATOR_TOKEN, TEST_IMAGE } from "../fixtures";

export { ensureTestImage };

const bearer = { authorization: `Bearer ${OPERATOR_TOKEN}` };

/** Spawns a test agent through the API, with the test agent's switches (AGENT_*) in `env`. */
export async function spawnAgent(request: APIRequestContext, name: string, env: Record<string, string> = {}) {
  const response = await request.post("/api/agents", { headers: bearer, data: { name, image: TEST_IMAGE, network: "none", env } });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { agent: { containerId: string } }).agent;
}

/** Engine log streams the server holds open for an agent (its own diagnostics count). */
export async function openLogStreams(request: APIRequestContext, name: string): Promise<number> {
  const response = await request.get("/api/diagnostics", { headers: bearer });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { runtime: { openLogStreams: Record<string, number> } }).runtime.openLogStreams[name] ?? 0;
}

/** Opens an agent's logs block and returns the viewer and its line list. */
export async function openLogs(page: Page, name: string): Promise<{ viewer: Locator; lines: Locator }> {
  await page.getByRole("button", { name: `logs · ${name}` }).click();
  const viewer = page.getByRole("region", { name: `Logs of ${name}` });
  await expect(viewer).toBeVisible();
  return { viewer, lines: viewer.getByRole("listbox", { name: `Log lines of ${name}` }) };
}
