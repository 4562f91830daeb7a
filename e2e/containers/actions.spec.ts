import { agentRow, docker, expect, loginAsOperator, spawnAgent, test } from "../fixtures";
import { expectAccessible } from "../helpers/axe";

test("[CONTAINERS] two operators: A restarts, B sees the pill and then the running state without reloading", async ({ browser, api, prefix }) => {
  const name = `${prefix}-shared`;
  await spawnAgent(api, name, { AGENT_STOP_DELAY_S: "3" });
  const operatorA = await (await browser.newContext()).newPage();
  const operatorB = await (await browser.newContext()).newPage();
  await loginAsOperator(operatorA);
  await loginAsOperator(operatorB);
  await expect(agentRow(operatorB, name).getByText("running", { exact: true })).toBeVisible();
  await expect(operatorB.getByRole("status", { name: /^Live updates: Live$/ })).toBeVisible();

  await agentRow(operatorA, name).getByRole("button", { name: `Restart ${name}` }).click();

  const rowB = agentRow(operatorB, name);
  // How soon the pill shows is the bench's figure (action → second dashboard); this checks that it does.
  await expect(rowB.getByText("restarting…")).toBeVisible();
  await expect(rowB.getByRole("button", { name: `Stop ${name}` })).toBeDisabled();
  await expect(rowB.getByText("restarting…")).toBeHidden({ timeout: 15_000 });
  await expect(rowB.getByText("running", { exact: true })).toBeVisible();
  await expect(operatorA.getByRole("status", { name: "Notifications" })).toContainText(`${name} restarted`);
  await operatorA.context().close();
  await operatorB.context().close();
});

test("[CONTAINERS] a second action on a busy agent is refused with who holds it", async ({ page, api, prefix }) => {
  const name = `${prefix}-busy`;
  await spawnAgent(api, name, { AGENT_STOP_DELAY_S: "4" });
  await loginAsOperator(page);
  const stopping = api.post(`/api/agents/${name}/stop`, { data: {} });
  const row = agentRow(page, name);
  await expect(row.getByText("stopping…")).toBeVisible();
  await expect(row.getByRole("button", { name: `Restart ${name}` })).toBeDisabled();
  expect((await api.post(`/api/agents/${name}/restart`, { data: {} })).status()).toBe(409);
  await stopping;
  await expect(row.getByText(/^exited/)).toBeVisible();
});

test("[CONTAINERS] kill and destroy confirm what is lost, and purge requires typing the name", async ({ page, api, prefix }) => {
  const name = `${prefix}-doomed`;
  await spawnAgent(api, name);
  await loginAsOperator(page);
  const row = agentRow(page, name);
  await expect(row.getByText("running", { exact: true })).toBeVisible();

  await row.getByRole("button", { name: `Kill ${name}` }).click();
  const killDialog = page.getByRole("dialog", { name: `Kill ${name}?` });
  await expect(killDialog).toContainText("SIGKILL");
  await expect(killDialog).toContainText(`hive-state-${name}`);
  await expectAccessible(page, "the kill confirm dialog");
  await killDialog.getByRole("button", { name: "Cancel" }).click();
  await expect(killDialog).toBeHidden();
  await expect(row.getByText("running", { exact: true })).toBeVisible();

  await row.getByRole("button", { name: `Kill ${name}` }).click();
  await page.getByRole("dialog", { name: `Kill ${name}?` }).getByRole("button", { name: `Kill ${name}` }).click();
  await expect(row.getByText("exited (137)", { exact: true })).toBeVisible();

  await row.getByRole("button", { name: `Purge ${name}` }).click();
  const purgeDialog = page.getByRole("dialog", { name: `Destroy and purge ${name}?` });
  const confirm = purgeDialog.getByRole("button", { name: `Purge ${name}` });
  await expect(confirm).toBeDisabled();
  await purgeDialog.getByLabel(`Type ${name} to confirm`).fill(`${name}x`);
  await expect(confirm).toBeDisabled();
  await purgeDialog.getByLabel(`Type ${name} to confirm`).fill(name);
  await confirm.click();
  await expect(row).toBeHidden();
  await expect(docker.getVolume(`hive-state-${name}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
});

test("[CONTAINERS] destroy keeps the state volume", async ({ page, api, prefix }) => {
  const name = `${prefix}-kept`;
  await spawnAgent(api, name);
  await loginAsOperator(page);
  await agentRow(page, name).getByRole("button", { name: `Destroy ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: `Destroy ${name}?` });
  await expect(dialog).toContainText("kept as a tombstone");
  await dialog.getByRole("button", { name: `Destroy ${name}` }).click();
  await expect(agentRow(page, name)).toBeHidden();
  await docker.getVolume(`hive-state-${name}`).inspect();
});

test("[CONTAINERS] spawning from the New agent form shows the agent running", async ({ page, prefix }) => {
  const name = `${prefix}-fresh`;
  await loginAsOperator(page);
  await page.getByRole("button", { name: "New agent" }).click();
  const dialog = page.getByRole("dialog", { name: "New agent" });
  await dialog.getByLabel("Name").fill("Not Valid!");
  await dialog.getByLabel("Image").fill("hive-test-agent:latest");
  await dialog.getByLabel("Network (optional)").fill("none");
  await dialog.getByRole("button", { name: "Spawn agent" }).click();
  await expect(dialog.getByText(/lowercase letters, digits or inner hyphens/)).toBeVisible();
  await expectAccessible(page, "the spawn dialog showing a refused name");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Environment (KEY=VALUE per line)").fill("GREETING=hello\n# a comment");
  await dialog.getByRole("button", { name: "Spawn agent" }).click();
  await expect(dialog).toBeHidden();
  await expect(agentRow(page, name).getByText("running", { exact: true })).toBeVisible();
  const inspect = await docker.getContainer(`hive-${name}`).inspect();
  expect(inspect.Config.Env).toContain("GREETING=hello");
});

test("[CONTAINERS] a crash shows its exit code, its history with the last lines, and the recovery", async ({ page, api, prefix }) => {
  const name = `${prefix}-crashy`;
  await spawnAgent(api, name);
  await loginAsOperator(page);
  const row = agentRow(page, name);
  await expect(row.getByText("running", { exact: true })).toBeVisible();
  await expect.poll(async () => (await docker.getContainer(`hive-${name}`).logs({ stdout: true, tail: 5 })).toString()).toContain("line 2");
  await docker.getContainer(`hive-${name}`).kill();
  const history = row.getByRole("button", { name: `Crash history of ${name}: 1 crash` });
  await expect(history).toBeVisible();
  await expect(history).toContainText("exit 137");
  await history.click();
  const list = page.getByRole("list", { name: `Crash history of ${name}` });
  await list.getByText("exit 137").click();
  await expect(list.getByLabel("Last log lines before the crash")).toContainText(`[${name}] line 2`);
  await expect(row.getByText("running", { exact: true })).toBeVisible({ timeout: 15_000 });
  await page.getByText("Activity").click();
  await expect(page.getByRole("list", { name: "Recent activity" })).toContainText("restarted after a crash");
});
