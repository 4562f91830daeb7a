import path from "node:path";
import { agentRow, expect, loginAsOperator, spawnAgent, test } from "../fixtures";
import { expectAccessible } from "../helpers/axe";

// HIVE_SCREENSHOTS=<dir> also saves the open strip in both themes there, for a person to look at.
const screenshotsDir = process.env.HIVE_SCREENSHOTS;

test("[UPTIME] a row shows its 24 h uptime and opens a strip of hourly and daily ticks that tell their figures", async ({ page, api, prefix }) => {
  // A spawn, the uptime worker's first look and two axe scans: more than the default minute on a busy machine.
  test.slow();
  const name = `${prefix}-uptime`;
  await spawnAgent(api, name);
  await loginAsOperator(page);
  const row = agentRow(page, name);
  // Up since it was spawned (the spawn's own moment is an action in flight, not downtime).
  const toggle = row.getByRole("button", { name: `Uptime of ${name} over 24 hours: 100%` });
  await expect(toggle).toBeVisible({ timeout: 30_000 });
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");

  const strip = page.getByRole("group", { name: `Uptime history of ${name}` });
  const hourly = strip.getByRole("list", { name: `Hourly uptime of ${name}` });
  await expect(hourly.getByRole("listitem")).toHaveCount(24);
  const thisHour = hourly.getByRole("listitem").last();
  await expect(thisHour).toHaveAccessibleName(/: 100% up(, \d+s stopped)?$/);
  // Keyboard users get the tooltip on focus, as mouse users do on hover.
  await hourly.getByRole("listitem").nth(22).focus();
  await page.keyboard.press("Tab");
  await expect(thisHour).toBeFocused();
  await expect(thisHour.locator(".uptime-tooltip")).toBeVisible();
  await expect(hourly.getByRole("listitem").first()).toHaveAccessibleName(/: no data$/);
  await expectAccessible(page, "a row's uptime strip, hourly");

  await strip.getByRole("radio", { name: "30 days" }).click();
  const daily = strip.getByRole("list", { name: `Daily uptime of ${name}` });
  await expect(daily.getByRole("listitem")).toHaveCount(30);
  await expect(daily.getByRole("listitem").last()).toHaveAccessibleName(/: 100% up(, \d+s stopped)?$/);
  await expectAccessible(page, "a row's uptime strip, daily");

  // A stop by the operator is not downtime: the figure stays at 100%.
  await row.getByRole("button", { name: `Stop ${name}` }).click();
  await expect(row.getByRole("button", { name: `Start ${name}` })).toBeVisible({ timeout: 30_000 });
  const uptime = await (await api.get(`/api/agents/${name}/uptime?window=24h`)).json();
  expect(uptime).toMatchObject({ agent: name, uptimePercent: 100 });

  await strip.getByRole("radio", { name: "24 hours" }).click();
  await thisHour.hover();
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    if (screenshotsDir) await row.locator("xpath=..").screenshot({ path: path.join(screenshotsDir, `uptime-strip-${scheme}.png`) });
  }
});
