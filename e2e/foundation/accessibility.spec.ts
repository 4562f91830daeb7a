import path from "node:path";
import { expect, loginAsOperator, spawnAgent, test } from "../fixtures";
import { expectAccessible } from "../helpers/axe";
import { openLogs } from "../journal/helpers";

// HIVE_SCREENSHOTS=<dir> also saves the page in both themes there, for a person to look at.
const screenshotsDir = process.env.HIVE_SCREENSHOTS;

test("[A11Y] the dashboard with an agent, a waiting question and its logs open has no serious axe violation, light or dark", async ({ page, api, prefix }) => {
  const name = `${prefix}-a11y`;
  await spawnAgent(api, name);
  await loginAsOperator(page);

  // Asked while the page is open, so the card first renders from a live push: a 300 s question never reads above 5m 00s.
  const tokenResponse = await api.post("/api/agent-tokens", { data: { agent: name } });
  const { token } = await tokenResponse.json();
  const question = `Which region should ${name} use?`;
  const asked = await api.post("/api/agent/questions", {
    data: { question, options: ["eu-west", "us-east"], ttl_seconds: 300 },
    headers: { authorization: `Bearer ${token}` },
  });
  expect(asked.status(), await asked.text()).toBe(201);
  const card = page.getByRole("article", { name: question });
  await expect(card.getByRole("timer")).toHaveText(/^(5m 00s|4m [0-5]\ds)$/);

  await openLogs(page, name);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    if (screenshotsDir) await page.screenshot({ path: path.join(screenshotsDir, `dashboard-${scheme}.png`), fullPage: true });
    await expectAccessible(page, `dashboard with an agent, a question and its logs open (${scheme})`);
  }
});

test("[A11Y] the not-found page has no serious axe violation", async ({ page }) => {
  await loginAsOperator(page);
  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expectAccessible(page, "the not-found page");
});
