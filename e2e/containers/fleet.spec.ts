import type { APIRequestContext, Page } from "@playwright/test";
import { docker, expect, loginAsOperator, TEST_IMAGE, test } from "../fixtures";
import { expectAccessible } from "../helpers/axe";

/** Agents made behind the dashboard's back as its own (its installation's label): quicker than spawns, no boot. */
async function createAgents(api: APIRequestContext, names: string[], options: { start?: string[]; env?: Record<string, string[]> } = {}) {
  const { installation } = (await (await api.get("/api/diagnostics")).json()) as { installation: string };
  const create = async (name: string) => {
    const container = await docker.createContainer({
      name: `hive-${name}`,
      Image: TEST_IMAGE,
      Env: options.env?.[name],
      Labels: { "hive.agent": name, "hive.installation": installation },
      HostConfig: { NetworkMode: "none" },
    });
    if (options.start?.includes(name)) await container.start();
  };
  // A few at a time: the engine is shared.
  for (let index = 0; index < names.length; index += 5) await Promise.all(names.slice(index, index + 5).map(create));
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
  await expect(page.getByRole("table", { name: "Agent containers" }).getByRole("columnheader", { name: "Agent" })).toHaveAttribute("aria-sort", "descending");
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
  await expect(page.getByRole("table", { name: "Agent containers" }).getByRole("columnheader", { name: "Since" })).toHaveAttribute("aria-sort", "descending");
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

test("[FLEET] select with a click, a shift-click and all matching; a bulk restart lists the one that was busy", async ({ page, prefix, api }) => {
  test.setTimeout(180_000); // agents to make and restart on a shared engine
  // Ten: more than the four restarts that run at once, few enough for CI (the scale bench does the hundreds).
  const names = Array.from({ length: 10 }, (_, index) => `${prefix}-n${String(index).padStart(2, "0")}`);
  const busy = names[0]!; // first in line, while its slot is surely still taken
  await createAgents(api, names, { start: names, env: { [busy]: ["AGENT_STOP_DELAY_S=20"] } });
  await loginAsOperator(page);
  await page.getByRole("searchbox", { name: "Filter by name or image" }).fill(prefix);
  await expect(page.getByRole("status").filter({ hasText: /^10 of \d+ shown$/ })).toBeVisible();

  // A click, then a shift-click: the range between them.
  await page.getByRole("checkbox", { name: `Select ${names[1]}` }).click();
  await page.getByRole("checkbox", { name: `Select ${names[4]}` }).click({ modifiers: ["Shift"] });
  const bar = page.getByRole("region", { name: "Selected agents" });
  await expect(bar).toContainText("4 selected");
  await expect(page.getByRole("checkbox", { name: `Select ${names[3]}` })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: `Select ${names[0]}` })).not.toBeChecked();
  await page.getByRole("checkbox", { name: "Select all 10 shown" }).check();
  await expect(bar).toContainText("10 selected");

  // One agent's slot is taken by a slow stop: its restart is refused, the other 29 go through.
  const stopping = api.post(`/api/agents/${busy}/stop`, { data: {} });
  await expect
    .poll(async () => {
      const state = (await (await api.get("/api/state")).json()) as { containers: { name: string; pending: { kind: string } | null }[] };
      return state.containers.find((agent) => agent.name === busy)?.pending?.kind;
    })
    .toBe("stopping");
  const restartsBefore = await docker.getContainer(`hive-${names[5]}`).inspect();
  await bar.getByRole("button", { name: "Restart 10 agents" }).click();
  await expect(bar.getByRole("status")).toHaveText(/^restarting \d+\/10/);
  await expect(bar.getByRole("status")).toHaveText(/restarted \d+ of 10/, { timeout: 120_000 });
  // Every failure with its reason: exactly the busy one, refused for its slot.
  const failures = bar.getByRole("list", { name: "Failures of the bulk restart" });
  await expect(failures.getByRole("listitem")).toHaveText([new RegExp(`^${busy}: .*\\(action_in_flight\\)$`)]);
  await expect(bar.getByRole("status")).toHaveText(/restarted 9 of 10 · 1 failed/);
  expect((await docker.getContainer(`hive-${names[5]}`).inspect()).State.StartedAt).not.toBe(restartsBefore.State.StartedAt);
  await expectAccessible(page, "a bulk restart's summary with a failure");
  await bar.getByRole("button", { name: "Dismiss" }).click();
  await expect(bar.getByRole("status")).toBeEmpty();
  await stopping;
});

test("[FLEET] keyboard: / filters, j and k move, x selects, Enter opens the logs, ? lists the shortcuts; a bulk destroy confirms with the names", async ({ page, prefix, api }) => {
  test.setTimeout(120_000);
  const [one, two, three] = [`${prefix}-kb1`, `${prefix}-kb2`, `${prefix}-kb3`];
  await createAgents(api, [one, two, three], { start: [one] });
  await loginAsOperator(page);
  await page.keyboard.press("/");
  const filter = page.getByRole("searchbox", { name: "Filter by name or image" });
  await expect(filter).toBeFocused();
  // Typed into the filter, j and k are letters, not moves.
  await page.keyboard.type(`${prefix}-kb`);
  await expect(filter).toHaveValue(`${prefix}-kb`);
  await expect(page.getByRole("row", { name: `Agent ${one}` })).not.toBeFocused();
  await page.keyboard.press("Escape");

  await page.keyboard.press("j");
  await expect(page.getByRole("row", { name: `Agent ${one}` })).toBeFocused();
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await expect(page.getByRole("row", { name: `Agent ${three}` })).toBeFocused();
  await page.keyboard.press("x");
  await page.keyboard.press("k");
  await expect(page.getByRole("row", { name: `Agent ${two}` })).toBeFocused();
  await page.keyboard.press("x");
  await expect(page.getByRole("checkbox", { name: `Select ${two}` })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: `Select ${three}` })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: `Select ${one}` })).not.toBeChecked();

  await page.keyboard.press("k");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: `logs · ${one}` })).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByRole("region", { name: `Logs of ${one}` })).toBeVisible();
  await page.getByRole("row", { name: `Agent ${one}` }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: `logs · ${one}` })).toHaveAttribute("aria-expanded", "false");

  await page.keyboard.press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toBeVisible();
  await expect(help).toContainText("Select or unselect the agent");
  await expectAccessible(page, "the keyboard shortcuts dialog");
  await page.keyboard.press("Escape");
  await expect(help).toBeHidden();

  await page.getByRole("region", { name: "Selected agents" }).getByRole("button", { name: "Destroy 2 agents" }).click();
  const confirm = page.getByRole("dialog", { name: "Destroy 2 agents?" });
  await expect(confirm.getByRole("list", { name: "Agents to destroy" }).getByRole("listitem")).toHaveText([two, three]);
  await expectAccessible(page, "the bulk destroy confirmation");
  await confirm.getByRole("button", { name: "Destroy 2 agents" }).click();
  await expect(page.getByRole("region", { name: "Selected agents" }).getByRole("status")).toHaveText(/destroyed 2 of 2/, { timeout: 30_000 });
  await expect(page.getByRole("row", { name: `Agent ${two}` })).toBeHidden();
  await expect(page.getByRole("row", { name: `Agent ${three}` })).toBeHidden();
  await expect(page.getByRole("row", { name: `Agent ${one}` })).toBeVisible();
});

test("[FLEET] a running agent's row shows its CPU and memory from the engine, sortable; a stopped one shows none", async ({ page, prefix, api }) => {
  test.setTimeout(120_000);
  const [busy, quiet, idle] = [`${prefix}-burner`, `${prefix}-quiet`, `${prefix}-still`];
  // One CPU kept busy and 20 MB held, under a 64 MiB limit.
  const spawned = await api.post("/api/agents", {
    data: { name: busy, image: TEST_IMAGE, network: "none", memoryMb: 64, env: { AGENT_BURN_CPU: "1", AGENT_EAT_MB: "20" } },
  });
  expect(spawned.status(), await spawned.text()).toBe(201);
  await createAgents(api, [quiet, idle], { start: [quiet] });
  await loginAsOperator(page);
  await page.getByRole("searchbox", { name: "Filter by name or image" }).fill(prefix);
  const row = page.getByRole("row", { name: `Agent ${busy}` });
  // CPU needs two readings (5 s apart). How much a busy loop gets depends on the machine's load: it is compared with a
  // quiet agent's below, by the sort.
  await expect(row.getByRole("cell", { name: /^\d+(\.\d)? %$/ })).toBeVisible({ timeout: 30_000 });
  const memory = row.getByRole("cell", { name: /MiB \/ 64 MiB/ });
  await expect(memory).toBeVisible();
  // 20 MB held (19 MiB) plus the shell: at least 15 MiB whatever the page cache.
  expect(Number.parseFloat((await memory.textContent()) ?? "0")).toBeGreaterThanOrEqual(15);
  await expect(page.getByRole("row", { name: `Agent ${idle}` }).getByRole("cell", { name: "—", exact: true }).first()).toBeVisible();

  await page.getByRole("button", { name: "CPU", exact: true }).click();
  await expect(page.getByRole("table", { name: "Agent containers" }).getByRole("columnheader", { name: "CPU" })).toHaveAttribute("aria-sort", "descending");
  await expect(page).toHaveURL(/[?&]sort=cpu(&|$)/);
  await expect(page.getByRole("row", { name: `Agent ${quiet}` }).getByRole("cell", { name: /^\d+(\.\d)? %$/ })).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => listedNames(page, prefix), { timeout: 20_000 }).toEqual([busy, quiet, idle]);
  await expectAccessible(page, "the fleet table with live resource use");
});
