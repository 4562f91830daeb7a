import { docker, expect, loginAsOperator, test } from "../fixtures";
import { expectAccessible } from "../helpers/axe";
import { ensureTestImage, openLogs, openLogStreams, spawnAgent } from "./helpers";

test.beforeAll(async () => {
  // The image is shared with other checkouts, which may have rebuilt it without the switches used here.
  await ensureTestImage();
});

test("[JOURNAL] a collapsed logs block makes no log request; opening fetches once, refresh and the lines selector fetch again", async ({ page, prefix }) => {
  const name = `${prefix}-lazy`;
  const other = `${prefix}-other`;
  await spawnAgent(page.request, name);
  const logRequests: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (/^\/api\/agents\/[^/]+\/(logs|crashes)/.test(url.pathname)) logRequests.push(`${url.pathname}${url.search}`);
  });
  await loginAsOperator(page);
  await expect(page.getByRole("button", { name: `logs · ${name}` })).toHaveAttribute("aria-expanded", "false");
  // A change re-renders every row (a new agent appears): still no log request from any collapsed block.
  const refreshed = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/state");
  await spawnAgent(page.request, other);
  await expect(page.getByRole("button", { name: `logs · ${other}` })).toBeVisible();
  await refreshed;
  expect(logRequests).toEqual([]);

  const { viewer, lines } = await openLogs(page, name);
  await expect(lines.getByRole("option", { name: `[${name}] boot 1` })).toBeVisible();
  expect(logRequests).toEqual([`/api/agents/${name}/logs?lines=200&source=agent&timestamps=true`]);
  await expectAccessible(page, "an agent's logs open");

  await viewer.getByRole("button", { name: "Refresh" }).click();
  await expect.poll(() => logRequests.length).toBe(2);
  await viewer.getByRole("combobox", { name: "Lines" }).selectOption("5000");
  await expect.poll(() => logRequests.at(-1)).toBe(`/api/agents/${name}/logs?lines=5000&source=agent&timestamps=true`);
  await viewer.getByRole("combobox", { name: "Source" }).selectOption("all");
  await expect.poll(() => logRequests.at(-1)).toBe(`/api/agents/${name}/logs?lines=5000&source=all&timestamps=true`);
  expect(logRequests).toHaveLength(4);
});

test("[JOURNAL] follow shows the lines the agent prints next without a refresh, and collapsing closes the engine stream", async ({ page, prefix }) => {
  const name = `${prefix}-follow`;
  await spawnAgent(page.request, name, { AGENT_CLOCK: "1" });
  await loginAsOperator(page);
  const { viewer, lines } = await openLogs(page, name);
  await expect(lines.getByRole("option", { name: `[${name}] boot 1` })).toBeVisible();
  let requests = 0;
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === `/api/agents/${name}/logs`) requests++;
  });
  await viewer.getByRole("checkbox", { name: "Follow" }).check();
  await expect(viewer.getByRole("status").filter({ hasText: "following" })).toBeVisible();
  await expect.poll(() => openLogStreams(page.request, name)).toBe(1);
  const followingSince = await page.evaluate(() => Date.now());

  // Lines printed after following began (" t=<ms>" says when) arrive over the stream: no log read is asked for.
  // How soon each one shows is the bench's figure (follow latency, printed → shown).
  const printedAt = (text: string) => Number(/ t=(\d+)$/.exec(text)?.[1] ?? 0);
  const followed = async () => (await lines.getByRole("option").allTextContents()).filter((text) => printedAt(text) > followingSince);
  await expect.poll(async () => (await followed()).length).toBeGreaterThanOrEqual(2);
  expect(requests).toBe(0);

  // Collapsing the block ends the follow request, and the server closes its engine stream.
  await page.getByRole("button", { name: `logs · ${name}` }).click();
  await expect(viewer).toHaveCount(0);
  await expect.poll(() => openLogStreams(page.request, name)).toBe(0);
});

test("[JOURNAL] search highlights matches, steps through them, and filters to matching lines", async ({ page, prefix }) => {
  const name = `${prefix}-search`;
  await spawnAgent(page.request, name, { AGENT_BOOT_LINES: "needle alpha\\nhay one\\nthe NEEDLE beta and needle gamma\\nhay two" });
  await loginAsOperator(page);
  const { viewer, lines } = await openLogs(page, name);
  await expect(lines.getByRole("option", { name: "hay two" })).toBeVisible();
  const search = viewer.getByRole("searchbox", { name: "Search log" });
  await search.fill("needle");
  const count = viewer.getByRole("status").filter({ hasText: /of 3|no matches/ });
  // Three matches over two lines; the search starts at the newest.
  await expect(count).toHaveText("3 of 3");
  await expect(lines.locator("mark")).toHaveText(["needle", "NEEDLE", "needle"]);
  await expect(lines.locator("mark.current")).toHaveText("needle");
  await expect(lines.getByRole("option", { name: "the NEEDLE beta and needle gamma" }).locator("mark.current")).toHaveCount(1);
  await viewer.getByRole("button", { name: "Next match" }).click();
  await expect(count).toHaveText("1 of 3");
  await expect(lines.getByRole("option", { name: "needle alpha" }).locator("mark.current")).toHaveCount(1);
  await viewer.getByRole("button", { name: "Previous match" }).click();
  await expect(count).toHaveText("3 of 3");
  await search.press("Shift+Enter");
  await expect(count).toHaveText("2 of 3");
  await expect(lines.locator("mark.current")).toHaveText("NEEDLE");

  await viewer.getByRole("checkbox", { name: "Only matching lines" }).check();
  await expect(lines.getByRole("option")).toHaveText(["needle alpha", "the NEEDLE beta and needle gamma"]);
  await search.fill("no such text");
  await expect(viewer.getByRole("status").filter({ hasText: "no matches" })).toBeVisible();
  await expect(lines.getByRole("option")).toHaveCount(0);
  await viewer.getByRole("checkbox", { name: "Only matching lines" }).uncheck();
  await expect(lines.getByRole("option", { name: "hay two" })).toBeVisible();
});

test("[JOURNAL] ANSI colours are rendered and markup in a log line stays text", async ({ page, prefix }) => {
  const name = `${prefix}-ansi`;
  const hostile = `<img src=x onerror="window.__pwned=1"> <b>bold?</b> <script>window.__pwned=2</script> &amp;`;
  await spawnAgent(page.request, name, { AGENT_BOOT_LINES: `\\033[31mred alert\\033[0m plain \\033[1;32mbold green\\033[0m ${hostile}\\n\\033]0;window title\\007\\033[2Kcleared` });
  await loginAsOperator(page);
  const { lines } = await openLogs(page, name);
  const line = lines.getByRole("option", { name: `red alert plain bold green ${hostile}` });
  await expect(line).toBeVisible();
  const red = line.getByText("red alert", { exact: true });
  await expect(red).toHaveClass(/ansi-fg-1/);
  const colours = await red.evaluate((element) => ({
    red: getComputedStyle(element).color,
    plain: getComputedStyle(element.closest(".journal-text")!).color,
  }));
  expect(colours.red).not.toBe(colours.plain);
  const green = line.getByText("bold green", { exact: true });
  await expect(green).toHaveClass(/ansi-fg-2/);
  await expect(green).toHaveCSS("font-weight", "700");
  // Markup stays text: no element was made from it and nothing ran.
  await expect(lines.locator("img, b, script")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // Other escape sequences (a window title, a line erase) are dropped, not shown as garbage.
  await expect(lines.getByRole("option", { name: "cleared", exact: true })).toBeVisible();
  await expect(lines).not.toContainText("[31m");
  await expect(lines).not.toContainText("window title");
});

test("[JOURNAL] the shown log downloads as a .log file, and selected lines are copied", async ({ page, prefix, context }) => {
  const name = `${prefix}-keep`;
  await spawnAgent(page.request, name, { AGENT_BOOT_LINES: "first kept\\nsecond kept\\nthird kept\\n\\033[33mfourth kept\\033[0m", AGENT_TICK_S: "1000" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await loginAsOperator(page);
  const { viewer, lines } = await openLogs(page, name);
  await expect(lines.getByRole("option", { name: "fourth kept" })).toBeVisible();

  const downloading = page.waitForEvent("download");
  await viewer.getByRole("button", { name: "Download .log" }).click();
  const file = await downloading;
  expect(file.suggestedFilename()).toMatch(new RegExp(`^${name}-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z\\.log$`));
  const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
  expect(text).toBe(`[${name}] boot 1\nfirst kept\nsecond kept\nthird kept\nfourth kept\n[${name}] line 1\n`);

  // Mouse: a click, then Shift+click for a range.
  await lines.getByRole("option", { name: "second kept" }).click();
  await lines.getByRole("option", { name: "fourth kept" }).click({ modifiers: ["Shift"] });
  await expect(lines.getByRole("option", { selected: true })).toHaveText(["second kept", "third kept", "fourth kept"]);
  await viewer.getByRole("button", { name: "Copy 3 lines" }).click();
  await expect(page.getByRole("status", { name: "Notifications" })).toContainText("Copied 3 lines");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("second kept\nthird kept\nfourth kept\n");

  // Keyboard: arrows move, Shift extends, Ctrl+C copies; with stamps shown the copy carries them.
  await viewer.getByRole("checkbox", { name: "Timestamps" }).check();
  await lines.press("Escape");
  await expect(lines.getByRole("option", { selected: true })).toHaveCount(0);
  await lines.press("Home");
  await lines.press("Shift+ArrowDown");
  await expect(lines.getByRole("option", { selected: true })).toHaveCount(2);
  await lines.press("Control+c");
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(
    new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z \\[${name}\\] boot 1\\n\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z first kept\\n$`),
  );
});

test("[JOURNAL] the log sticks to the newest line while following, stays put when scrolled up, and offers to jump to the latest", async ({ page, prefix }) => {
  const name = `${prefix}-stick`;
  await spawnAgent(page.request, name, { AGENT_BURST_LINES: "100", AGENT_TICK_S: "0.3" });
  await loginAsOperator(page);
  const { viewer, lines } = await openLogs(page, name);
  await expect(lines.getByRole("option", { name: /burst 100$/ })).toBeVisible();
  const atBottom = () => lines.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight < 2);
  expect(await atBottom()).toBe(true);
  await viewer.getByRole("checkbox", { name: "Follow" }).check();
  await expect(viewer.getByRole("status").filter({ hasText: "following" })).toBeVisible();
  const lastShown = async () => Number(/line (\d+)$/.exec((await lines.getByRole("option").last().textContent()) ?? "")?.[1] ?? 0);
  const before = await lastShown();
  await expect.poll(lastShown).toBeGreaterThan(before + 1);
  expect(await atBottom()).toBe(true);

  await lines.hover();
  await page.mouse.wheel(0, -2_000);
  const jump = viewer.getByRole("button", { name: /^Jump to latest/ });
  await expect(jump).toBeVisible();
  const scrolledTo = await lines.evaluate((element) => element.scrollTop);
  await expect(jump).toHaveText(/^Jump to latest \(\d+ new\)$/);
  expect(await lines.evaluate((element) => element.scrollTop)).toBe(scrolledTo);
  expect(await atBottom()).toBe(false);

  await jump.click();
  await expect(jump).toHaveCount(0);
  expect(await atBottom()).toBe(true);
});

test("[JOURNAL] 5000 long lines load, keep a small page, and scroll to either end", async ({ page, prefix }) => {
  const name = `${prefix}-big`;
  await spawnAgent(page.request, name, { AGENT_BURST_LINES: "6000", AGENT_LINE_BYTES: "400", AGENT_TICK_S: "1000" });
  await loginAsOperator(page);
  const { viewer, lines } = await openLogs(page, name);
  await expect(lines.getByRole("option", { name: `[${name}] line 1` })).toBeVisible();
  await viewer.getByRole("combobox", { name: "Lines" }).selectOption("5000");
  await expect(viewer.getByRole("status").filter({ hasText: /^5000 lines$/ })).toBeVisible();
  // Only the rows in view (and a margin) are in the page, each telling its place among the 5000.
  const rendered = await lines.getByRole("option").count();
  expect(rendered).toBeGreaterThan(10);
  expect(rendered).toBeLessThan(100);
  await expect(lines.getByRole("option").last()).toHaveAttribute("aria-setsize", "5000");
  await expect(lines.getByRole("option").last()).toHaveAttribute("aria-posinset", "5000");
  await lines.press("Home");
  await expect(lines.getByRole("option").first()).toHaveAttribute("aria-posinset", "1");
  // The log is boot, 6000 burst lines, line 1: its last 5000 start at burst 1002.
  await expect(lines.getByRole("option").first()).toContainText(`[${name}] burst 1002 ....`);
  expect(await lines.getByRole("option").count()).toBeLessThan(100);
  await lines.press("End");
  await expect(lines.getByRole("option", { name: `[${name}] line 1` })).toBeVisible();
});

test("[JOURNAL] a crashed agent's last lines stay in the viewer after a rebuild", async ({ page, prefix }) => {
  const name = `${prefix}-crash`;
  const first = await spawnAgent(page.request, name, { AGENT_BOOT_LINES: "final words before the crash", AGENT_EXIT_AFTER_S: "2", AGENT_EXIT_CODE: "3" });
  await loginAsOperator(page);
  const row = page.getByRole("row", { name: `Agent ${name}` });
  await expect(row.getByRole("button", { name: /^Crash history of/ })).toBeVisible({ timeout: 20_000 });
  await row.getByRole("button", { name: `Rebuild ${name}` }).click();
  // Mid-rebuild the agent's name is briefly free (the old container parked, the new one not created yet).
  const current = () => docker.getContainer(`hive-${name}`).inspect().then((container) => container.Id, () => null);
  await expect.poll(async () => [null, first.containerId].includes(await current()), { timeout: 20_000 }).toBe(false);
  // The old container (the one that crashed) is removed once its replacement runs: its own log is gone.
  await expect
    .poll(() => docker.getContainer(first.containerId).inspect().then(() => "present", () => "removed"), { timeout: 20_000 })
    .toBe("removed");

  const { viewer } = await openLogs(page, name);
  const view = viewer.getByRole("combobox", { name: "View" });
  await expect(view.getByRole("option", { name: /^Crash .* exit 3$/ }).first()).toBeAttached();
  const crashOption = await view.getByRole("option", { name: /^Crash .* exit 3$/ }).last().getAttribute("value");
  await view.selectOption(crashOption!);
  const kept = viewer.getByRole("listbox", { name: `Last lines before a crash of ${name}` });
  await expect(kept.getByRole("option", { name: "final words before the crash" })).toBeVisible();
  await expect(viewer.getByRole("status").filter({ hasText: /^Last \d+ lines before the crash/ })).toContainText(first.containerId.slice(0, 12));
  await viewer.getByRole("combobox", { name: "Source" }).selectOption("all");
  await expect(kept.getByRole("option", { name: `stderr: [${name}] exiting with code 3 after 2s` })).toBeVisible();
});
