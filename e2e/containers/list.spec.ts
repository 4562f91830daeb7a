import { docker, expect, loginAsOperator, TEST_IMAGE, test } from "../fixtures";
import { expectAccessible } from "../helpers/axe";

test("[CONTAINERS] the page lists the agent containers the engine reports, and picks up new ones on the heartbeat", async ({ page, prefix, api }) => {
  // Made behind the dashboard's back, as its own: they carry its installation's label (others' it does not manage).
  const { installation } = (await (await api.get("/api/diagnostics")).json()) as { installation: string };
  const labels = (agent: string) => ({ "hive.agent": agent, "hive.installation": installation });
  const name = `${prefix}-listed`;
  const container = await docker.createContainer({
    name: `hive-${name}`,
    Image: TEST_IMAGE,
    Labels: labels(name),
    HostConfig: { NetworkMode: "none" },
  });
  await container.start();
  await loginAsOperator(page);
  const row = page.getByRole("row", { name: `Agent ${name}` });
  await expect(row).toBeVisible();
  await expect(row.getByText("running", { exact: true })).toBeVisible();
  await expect(row).toContainText(TEST_IMAGE);
  await expectAccessible(page, "the dashboard with agents");

  const later = `${prefix}-later`;
  const second = await docker.createContainer({ name: `hive-${later}`, Image: TEST_IMAGE, Labels: labels(later), HostConfig: { NetworkMode: "none" } });
  await expect(page.getByRole("row", { name: `Agent ${later}` })).toBeVisible({ timeout: 12_000 });
  await expect(page.getByRole("row", { name: `Agent ${later}` }).getByText("created", { exact: true })).toBeVisible();
  await second.remove({ force: true });
});

test("[CONTAINERS] each agent's row names its node, and the nodes strip shows the machine agents run on", async ({ page, prefix, api }) => {
  const { installation } = (await (await api.get("/api/diagnostics")).json()) as { installation: string };
  const name = `${prefix}-placed`;
  const container = await docker.createContainer({
    name: `hive-${name}`,
    Image: TEST_IMAGE,
    Labels: { "hive.agent": name, "hive.installation": installation },
    HostConfig: { NetworkMode: "none" },
  });
  const host = ((await docker.info()) as { Name: string }).Name;
  try {
    await loginAsOperator(page);
    await expect(page.getByRole("columnheader", { name: "Node" })).toBeVisible();
    await expect(page.getByRole("row", { name: `Agent ${name}` }).getByRole("cell", { name: host, exact: true })).toBeVisible();
    // A single engine is one node: its host, ready, with the engine's CPUs and memory.
    const strip = page.getByRole("list", { name: "Nodes" });
    const node = strip.getByRole("listitem", { name: `Node ${host}` });
    await expect(node).toBeVisible();
    await expect(node).toContainText("ready");
    await expect(node).toContainText("single engine");
    await expect(node).toContainText(/\d+ agents? · \d+ CPU · /);
  } finally {
    await container.remove({ force: true });
  }
});

test("[CONTAINERS] the theme toggle switches to dark and the choice survives a reload", async ({ page }) => {
  await loginAsOperator(page);
  const toggle = page.getByRole("button", { name: /^Theme: system/ });
  await toggle.click(); // system -> light
  await page.getByRole("button", { name: /^Theme: light/ }).click(); // light -> dark
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("button", { name: /^Theme: dark/ })).toBeVisible();
  await expectAccessible(page, "the dashboard in the dark theme");
});
