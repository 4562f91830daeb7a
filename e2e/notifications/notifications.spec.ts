import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { expect, loginAsOperator, test } from "../fixtures";
import { expectAccessible } from "../helpers/axe";

const screenshotsDir = process.env.HIVE_SCREENSHOTS;

test("[NOTIFICATIONS] a webhook added in the page gets a signed test delivery, shown in its delivery log", async ({ page, api }) => {
  test.slow();
  const received: http.IncomingHttpHeaders[] = [];
  const receiver = http.createServer((request, response) => {
    received.push(request.headers);
    request.resume();
    request.on("end", () => response.writeHead(200).end("ok from the receiver"));
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hive-e2e`;
  try {
    await loginAsOperator(page);
    const section = page.getByRole("region", { name: "Webhooks" });
    await section.getByText("Add a webhook").click();
    const form = section.getByRole("form", { name: "Add a webhook" });
    await form.getByLabel("Endpoint URL").fill("http://user:pw@127.0.0.1/x");
    await form.getByRole("button", { name: "Add webhook" }).click();
    await expect(form.getByRole("alert")).toContainText("must not carry credentials");
    await form.getByLabel("Endpoint URL").fill(url);
    await form.getByRole("checkbox", { name: "Question waiting" }).check();
    await form.getByRole("button", { name: "Add webhook" }).click();
    await expect(form.getByRole("status")).toContainText("whsec_");
    const webhook = section.getByRole("listitem", { name: `Webhook ${url}` });
    await webhook.getByRole("button", { name: `Send test to ${url}` }).click();
    const log = webhook.getByRole("table", { name: `Deliveries to ${url}` });
    await expect(log.getByRole("row").filter({ hasText: "webhook.test" })).toContainText("delivered", { timeout: 20_000 });
    await expect(log).toContainText("200");
    expect(received.at(-1)?.["x-hive-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    await expectAccessible(page, "the webhooks section with a webhook and its delivery log");
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      if (screenshotsDir) await section.screenshot({ path: path.join(screenshotsDir, `webhooks-${scheme}.png`) });
    }
    const { webhooks } = await (await api.get("/api/webhooks")).json();
    for (const hook of webhooks) await api.delete(`/api/webhooks/${hook.id}`);
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test("[NOTIFICATIONS] opted in, a question asked while the tab is hidden makes a browser notification; none while it is shown", async ({ page, api, prefix, context, baseURL }) => {
  await context.grantPermissions(["notifications"], { origin: baseURL });
  // Records each notification the page makes, and lets the test say whether the tab is hidden.
  await page.addInitScript(() => {
    const record = window as unknown as { __notifications: { title: string; body?: string }[]; __hidden: boolean };
    record.__notifications = [];
    record.__hidden = false;
    const Original = window.Notification;
    class Recording extends Original {
      constructor(title: string, options?: NotificationOptions) {
        record.__notifications.push({ title, body: options?.body });
        super(title, options);
      }
    }
    Object.defineProperty(Recording, "permission", { get: () => Original.permission });
    Recording.requestPermission = Original.requestPermission.bind(Original);
    window.Notification = Recording;
    Object.defineProperty(document, "visibilityState", { get: () => (record.__hidden ? "hidden" : "visible") });
  });
  await loginAsOperator(page);
  const toggle = page.getByRole("button", { name: "Notifications" });
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "true");

  const { token } = await (await api.post("/api/agent-tokens", { data: { agent: `${prefix}-asker` } })).json();
  const ask = (question: string) => api.post("/api/agent/questions", { headers: { authorization: `Bearer ${token}` }, data: { question } });
  await page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = true));
  expect((await ask("Deploy to staging now?")).status()).toBe(201);
  await expect.poll(() => page.evaluate(() => (window as unknown as { __notifications: unknown[] }).__notifications)).toEqual([
    { title: `${prefix}-asker asks`, body: "Deploy to staging now?" },
  ]);

  await page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = false));
  expect((await ask("And production?")).status()).toBe(201);
  await expect(page.getByText("And production?")).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __notifications: unknown[] }).__notifications)).toHaveLength(1);
});
