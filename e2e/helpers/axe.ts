import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

const BLOCKING = new Set(["serious", "critical"]);

/**
 * Runs axe-core over the page as it is now and fails on serious and critical violations, naming each one's rule,
 * impact and elements. Minor and moderate ones are printed, not failed on, so they stay visible in the run's log.
 */
export async function expectAccessible(page: Page, state: string) {
  // label-content-name-mismatch is experimental in axe-core (off by default); a voice-control user needs it.
  const { violations } = await new AxeBuilder({ page }).options({ rules: { "label-content-name-mismatch": { enabled: true } } }).analyze();
  const lines = violations.map(
    (violation) => `  ${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(" | ")}`,
  );
  if (lines.length > 0) console.log(`[axe] ${state}:\n${lines.join("\n")}`);
  const blocking = violations.filter((violation) => BLOCKING.has(violation.impact ?? ""));
  // Soft: a spec goes on to its next state, so one run names every violation it meets; it still fails.
  expect.soft(blocking.map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(" | ")}`), `axe on ${state}`).toEqual([]);
}
