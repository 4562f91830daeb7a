import { startServer, TEST_OPERATOR_TOKEN, tempDir } from "../../tests/helpers/server";
import { expect, test } from "../fixtures";

// Its own dashboard process, so the test can take the server away and bring it back under the page.
test("[LIVE] a lost connection to the dashboard is shown, and the page recovers by itself", async ({ page }) => {
  test.setTimeout(120_000);
  const dataDir = tempDir("hive-e2e-live-");
  let server = await startServer({}, { dataDir });
  const port = server.port;
  try {
    await page.goto(`${server.baseUrl}/login#token=${TEST_OPERATOR_TOKEN}`);
    await expect(page.getByRole("heading", { name: "Containers" })).toBeVisible();
    await expect(page.getByRole("status", { name: /^Live updates: Live$/ })).toBeVisible();

    await server.stop();
    await expect(page.getByRole("status", { name: /^Live updates: (Offline|Live updates lost)/ })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByRole("alert").filter({ hasText: "Not up to date" })).toBeVisible({ timeout: 15_000 });

    server = await startServer({}, { dataDir, port });
    await expect(page.getByRole("status", { name: /^Live updates: Live$/ })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole("alert").filter({ hasText: "Not up to date" })).toBeHidden({ timeout: 15_000 });
  } finally {
    await server.stop();
  }
});
