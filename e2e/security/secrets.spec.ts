import { agentRow, docker, expect, loginAsOperator, test } from "../fixtures";

test("[SECURITY] a secret variable typed into the New agent form reaches the agent and is never shown again", async ({ page, prefix }) => {
  const name = `${prefix}-secret`;
  const secret = "sk-live-e2e-4d7c1a";
  await loginAsOperator(page);
  await page.getByRole("button", { name: "New agent" }).click();
  const dialog = page.getByRole("dialog", { name: "New agent" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Image").fill("hive-test-agent:latest");
  await dialog.getByLabel("Network (optional)").fill("none");
  await dialog.getByRole("button", { name: "Add secret variable" }).click();
  await dialog.getByLabel("Secret variable 1 name").fill("API_KEY");
  const value = dialog.getByLabel("Secret variable 1 value");
  await value.fill(secret);
  await expect(value).toHaveAttribute("type", "password");
  await dialog.getByRole("button", { name: "Spawn agent" }).click();
  await expect(dialog).toBeHidden();
  await expect(agentRow(page, name).getByText("running", { exact: true })).toBeVisible();
  expect((await docker.getContainer(`hive-${name}`).inspect()).Config.Env).toContain(`API_KEY=${secret}`);
  const state = await page.evaluate(async () => (await fetch("/api/state")).text());
  expect(state).not.toContain(secret);
  expect(await page.content()).not.toContain(secret);
});
