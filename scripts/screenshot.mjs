// Takes Chromium screenshots of a running dashboard for a visual check:
//   node scripts/screenshot.mjs <baseUrl> <operatorToken> <outDir> [path...]
import fs from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";

const [baseUrl = "http://127.0.0.1:3000", token, outDir = "/tmp/hive-shots", ...paths] = process.argv.slice(2);
fs.mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
for (const scheme of ["light", "dark"]) {
  const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.screenshot({ path: path.join(outDir, `login-${scheme}.png`) });
  if (token) {
    await page.goto("about:blank");
    await page.goto(`${baseUrl}/login#token=${token}`);
    await page.waitForURL(`${baseUrl}/`);
    await page.waitForTimeout(800);
    for (const target of paths.length ? paths : ["/"]) {
      if (target !== "/") await page.goto(`${baseUrl}${target}`);
      const name = target === "/" ? "dashboard" : target.replace(/\W+/g, "-");
      await page.screenshot({ path: path.join(outDir, `${name}-${scheme}.png`), fullPage: true });
    }
  }
  await context.close();
}
await browser.close();
console.log(`screenshots in ${outDir}`);
