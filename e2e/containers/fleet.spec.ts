import type { APIRequestContext, Page } from "@playwright/test";
import { docker, expect, loginAsOperator, TEST_IMAGE, test } from "../fixtures";
import { expectAccessible } from "../helpers/axe";

/** Agents made behind the dashboard's back as its own (its installation's label): quicker than spawns, no boot. */
async function createAgents(api: APIRequestContext, names: string[], options: { start?: string[] } = {}) {
  const { installation } = (await (await api.get("/api/diagnostics")).json()) as { installation: string };
  for (const name of names) {
    const container = await docker.createContainer({
      name: `hive-${name}`,
      Image: TEST_IMAGE,
      Labels: { "hive.agent": name, "hive.installation": installation },
      HostConfig: { NetworkMode: "none" },
    });
    if (options.start?.includes(name)) await container.start();
  }
}

/** The agents' names as the table lists them, top to bottom. */
async function listedNames(page: Page, prefix: string): Promise<string[]> {
  const labels = await page.getByRole("row", { name: new RegExp(`^Agent ${prefix}-`) }).evaluateAll((rows) => rows.map((row) => row.getAttribute("aria-label") ?? ""));
  return labels.map((label) => label.replace(/^Agent /, ""));
}

test("[FLEET] the filter and the sort are kept in the URL and survive a reload", async ({ page, prefix, api }) => {
  const [alpha, beta, gamma] = [`${prefix}-alpha`, `${prefix}-beta`, `${prefix}-gamma`];
  await createAgents(api, [alpha, beta, gamma], { start: [alpha, gamma] });
  await loginAsOperator(page);
  const filter = page.getByRole("searchbox", { name: "Filter by name or image" });
  await filter.fill(prefix);
  await expect.poll(() => listedNames(page, prefix)).toEqual([alpha, beta, gamma]);

  // Sorting by name again turns it around; the header says how the table is sorted.
  await page.getByRole("button", { name: "Agent", exact: true }).click();
  await expect(page.getByRole("columnheader", { name: "Agent" })).toHaveAttribute("aria-sort", "descending");
  await expect.poll(() => listedNames(page, prefix)).toEqual([gamma, beta, alpha]);

  await page.getByRole("combobox", { name: "State" }).selectOption("running");
  await expect.poll(() => listedNames(page, prefix)).toEqual([gamma, alpha]);
  await expect(page).toHaveURL(new RegExp(`[?&]q=${prefix}(&|$)`));
  await expect(page).toHaveURL(/[?&]state=running(&|$)/);
  await expect(page).toHaveURL(/[?&]dir=desc(&|$)/);
  await expectAccessible(page, "the fleet table filtered and sorted");

  await page.reload();
  await expect(page.getByRole("searchbox", { name: "Filter by name or image" })).toHaveValue(prefix);
  await expect(page.getByRole("combobox", { name: "State" })).toHaveValue("running");
  await expect.poll(() => listedNames(page, prefix)).toEqual([gamma, alpha]);

  // A part of the image matches too; a filter nothing passes says so.
  await filter.fill(`${beta}`);
  await expect(page.getByText("No agent matches the filter.")).toBeVisible();
  await page.getByRole("combobox", { name: "State" }).selectOption("");
  await expect.poll(() => listedNames(page, prefix)).toEqual([beta]);
  await page.getByRole("button", { name: "Clear filter" }).click();
  await expect(page).not.toHaveURL(/[?&](q|state)=/);
});

test("[FLEET] sorting by state and by uptime; the table keeps its row indexes for screen readers", async ({ page, prefix, api }) => {
  const [early, late, idle] = [`${prefix}-early`, `${prefix}-late`, `${prefix}-idle`];
  await createAgents(api, [early], { start: [early] });
  await createAgents(api, [late, idle], { start: [late] });
  await loginAsOperator(page);
  await page.getByRole("searchbox", { name: "Filter by name or image" }).fill(prefix);
  await page.getByRole("button", { name: "Since", exact: true }).click();
  await expect(page.getByRole("columnheader", { name: "Since" })).toHaveAttribute("aria-sort", "descending");
  // Longest up first; an agent that is not up has no uptime and goes last.
  await expect.poll(() => listedNames(page, prefix)).toEqual([early, late, idle]);
  await expect(page).toHaveURL(/[?&]sort=uptime(&|$)/);

  await page.getByRole("button", { name: "State", exact: true }).click();
  await expect.poll(() => listedNames(page, prefix)).toEqual([early, late, idle]);
  await page.getByRole("button", { name: "State", exact: true }).click();
  await expect.poll(() => listedNames(page, prefix)).toEqual([idle, early, late]);

  // Header row 1, then each agent's row and its logs row.
  const table = page.getByRole("table", { name: "Agent containers" });
  await expect(table).toHaveAttribute("aria-rowcount", "7");
  await expect(page.getByRole("row", { name: `Agent ${idle}` })).toHaveAttribute("aria-rowindex", "2");
  await expect(page.getByRole("row", { name: `Agent ${early}` })).toHaveAttribute("aria-rowindex", "4");
});
