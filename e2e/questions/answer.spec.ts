import { docker, expect, loginAsOperator, TEST_IMAGE, test } from "../fixtures";
import { expectAccessible } from "../helpers/axe";

async function agentLog(name: string): Promise<string> {
  return (await docker.getContainer(`hive-${name}`).logs({ stdout: true, stderr: true, tail: 200 })).toString();
}

test("[QUESTIONS] an agent asks from its container, the operator answers with two options and free text, the agent gets the merged answer", async ({
  page,
  api,
  prefix,
}) => {
  const name = `${prefix}-asker`;
  const spawned = await api.post("/api/agents", {
    data: {
      name,
      image: TEST_IMAGE,
      network: "host",
      env: { AGENT_ASK: `Which environments should I deploy to (${prefix})?`, AGENT_ASK_OPTIONS: "staging|production|canary", AGENT_ASK_MULTI: "1", AGENT_ASK_TTL: "600" },
    },
  });
  expect(spawned.status()).toBe(201);
  await loginAsOperator(page);

  const card = page.getByRole("article", { name: `Which environments should I deploy to (${prefix})?` });
  await expect(card).toBeVisible();
  await expect(card).toContainText(name);
  await expect(card.getByRole("timer")).toHaveText(/^(10m 00s|9m \d\ds)$/);
  await expectAccessible(page, "a waiting question's card");
  const form = card.getByRole("form", { name: `Answer ${name}'s question` });
  await form.getByRole("checkbox", { name: "staging" }).check();
  await form.getByRole("checkbox", { name: "canary" }).check();
  await form.getByRole("textbox", { name: "Or type your own answer" }).fill("after 18:00 UTC");
  await form.getByRole("button", { name: "Answer" }).click();

  await expect(page.getByRole("status", { name: "Notifications" })).toContainText(`Answer sent to ${name}`);
  await expect(card).toBeHidden();
  await expect.poll(() => agentLog(name), { timeout: 30_000 }).toContain(`[${name}] answer: staging, canary, after 18:00 UTC`);

  await page.getByText("Recent", { exact: true }).click();
  const recent = page.getByRole("table", { name: "Recently resolved questions" });
  await expect(recent).toContainText("staging, canary, after 18:00 UTC");
});

test("[QUESTIONS] cancel is separate from the answer form, confirms, and sends [cancelled]", async ({ page, api, prefix }) => {
  const tokenResponse = await api.post("/api/agent-tokens", { data: { agent: `${prefix}-c` } });
  const { token } = await tokenResponse.json();
  const asked = await api.post("/api/agent/questions", {
    data: { question: `Should I rotate the keys (${prefix})?`, options: ["yes", "no"] },
    headers: { authorization: `Bearer ${token}` },
  });
  const { id } = await asked.json();
  await loginAsOperator(page);
  const card = page.getByRole("article", { name: `Should I rotate the keys (${prefix})?` });
  const form = card.getByRole("form", { name: `Answer ${prefix}-c's question` });
  await form.getByRole("radio", { name: "yes" }).check();
  await card.getByRole("button", { name: `Cancel question from ${prefix}-c` }).click();
  const dialog = page.getByRole("dialog", { name: `Cancel ${prefix}-c's question?` });
  await expect(dialog).toContainText("[cancelled]");
  await expectAccessible(page, "the confirm dialog of a question's cancel");
  await dialog.getByRole("button", { name: "Cancel", exact: true }).click();
  await expect(card).toBeVisible(); // nothing was sent, the choice is still there
  await expect(form.getByRole("radio", { name: "yes" })).toBeChecked();

  await card.getByRole("button", { name: `Cancel question from ${prefix}-c` }).click();
  await page.getByRole("dialog", { name: `Cancel ${prefix}-c's question?` }).getByRole("button", { name: "Cancel question" }).click();
  await expect(card).toBeHidden();
  const view = await (await api.get(`/api/agent/questions/${id}`, { headers: { authorization: `Bearer ${token}` } })).json();
  expect(view).toMatchObject({ status: "cancelled", answer: "[cancelled]" });
});

test("[QUESTIONS] the TTL chip counts down on the server's clock even when the laptop's clock is wrong, and turns urgent under a minute", async ({
  page,
  api,
  prefix,
}) => {
  const { token } = await (await api.post("/api/agent-tokens", { data: { agent: `${prefix}-t` } })).json();
  await api.post("/api/agent/questions", {
    data: { question: `Quick decision needed (${prefix})?`, ttl_seconds: 75 },
    headers: { authorization: `Bearer ${token}` },
  });
  // This browser's clock runs 3 hours fast.
  await page.clock.install({ time: new Date(Date.now() + 3 * 3_600_000) });
  await page.clock.resume();
  await loginAsOperator(page);
  const timer = page.getByRole("article", { name: `Quick decision needed (${prefix})?` }).getByRole("timer");
  await expect(timer).toHaveText(/^1m \d\ds$/);
  await expect(timer).not.toHaveClass(/urgent/);
  await expect(timer).toHaveText(/^\d{1,2}s$/, { timeout: 30_000 });
  await expect(timer).toHaveClass(/urgent/);
});

test("[QUESTIONS] an expired question shows [expired] to every operator", async ({ browser, api, prefix }) => {
  const { token } = await (await api.post("/api/agent-tokens", { data: { agent: `${prefix}-x` } })).json();
  const { id } = await (
    await api.post("/api/agent/questions", { data: { question: `Anyone (${prefix})?`, ttl_seconds: 10 }, headers: { authorization: `Bearer ${token}` } })
  ).json();
  const one = await (await browser.newContext()).newPage();
  const two = await (await browser.newContext()).newPage();
  for (const page of [one, two]) await loginAsOperator(page);
  for (const page of [one, two]) {
    await expect(page.getByRole("article", { name: `Anyone (${prefix})?` })).toBeHidden({ timeout: 20_000 });
    await page.getByText("Recent", { exact: true }).click();
    await expect(page.getByRole("row", { name: `Question ${id}` })).toContainText("[expired]");
  }
  await one.context().close();
  await two.context().close();
});
