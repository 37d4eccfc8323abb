// Debian's headless Chromium for the e2e suites, in a persistent context of its own (a real user-data
// dir, so localStorage and workers behave as in a profile), with nothing that calls home.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

/** Launches Chromium (`CHROMIUM` or /usr/bin/chromium) with a fresh profile named after `name`. */
export function launchChromium(name, viewport) {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), `whythis-${name}-`)), {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
