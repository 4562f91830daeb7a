import type { Page } from "@playwright/test";
import { spawnAgent } from "../journal/helpers";
import { expect, loginAsOperator, test } from "../fixtures";

/** Every CSP violation and console error the page reports, collected from before its first script. */
async function watchProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${message.text()} @ ${message.location().url}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (event) =>
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`),
    ),
  );
  return problems;
}

test("[SECURITY] pages work under their Content-Security-Policy with no violation or console error", async ({ page, prefix }) => {
  const name = `${prefix}-csp`;
  await spawnAgent(page.request, name);
  const problems = await watchProblems(page);
  const login = await page.request.get("/login");
  const policy = login.headers()["content-security-policy"]!;
  expect(policy).toMatch(/script-src 'nonce-[A-Za-z0-9_-]{16,}' 'strict-dynamic'/);
  expect(policy).toContain("frame-ancestors 'none'");
  expect(login.headers()["x-content-type-options"]).toBe("nosniff");
  expect(login.headers()["referrer-policy"]).toBe("no-referrer");

  await loginAsOperator(page); // the page hydrates and goes live: its scripts ran
  await page.getByRole("button", { name: "New agent" }).click();
  await expect(page.getByRole("dialog", { name: "New agent" })).toBeVisible();
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: `logs · ${name}` }).click();
  const viewer = page.getByRole("region", { name: `Logs of ${name}` });
  await expect(viewer.getByRole("listbox", { name: `Log lines of ${name}` }).getByRole("option", { name: `[${name}] boot 1` })).toBeVisible();
  const missing = await page.goto("/no-such-page");
  expect(missing!.status()).toBe(404);
  expect(missing!.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  // The browser reports the 404 document itself as a failed load: expected, not a problem of the page.
  problems.splice(0, problems.length, ...problems.filter((text) => !/^Failed to load resource: .* 404 .*@ \S+\/no-such-page$/.test(text)));
  await page.goto("/");
  await expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
  expect(problems).toEqual([]);
});
