import { expect, loginAsOperator, OPERATOR_TOKEN, test } from "../fixtures";
import { expectAccessible } from "../helpers/axe";

test("[AUTH] an anonymous visitor is sent to the login page", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await expectAccessible(page, "the login page");
});

test("[AUTH] a wrong token is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Operator token").fill("hive_op_not-the-right-token");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "operator token" })).toHaveText("that operator token is not valid");
  await expect(page.getByLabel("Operator token")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page, "the login page refusing a token");
});

test("[AUTH] the printed login URL logs the operator in, drops the token from the address bar, and logout ends the session", async ({ page }) => {
  await loginAsOperator(page);
  expect(page.url()).not.toContain(OPERATOR_TOKEN);
  await expect(page.getByRole("status", { name: "Container engine status" })).toContainText("Engine up");
  await expectAccessible(page, "the dashboard after login");
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

test("[AUTH] typing the token into the form logs in", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Operator token").fill(OPERATOR_TOKEN);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Containers" })).toBeVisible();
});
