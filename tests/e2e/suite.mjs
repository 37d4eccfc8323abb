// What both e2e suites share: where the repository, the demo build and the artifacts are, and the
// suite's life: the demo build served (with the e2e fixtures), one Chromium, and its figures written.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";
import { serve } from "./server.mjs";

/** This directory (tests/e2e). */
export const here = dirname(fileURLToPath(import.meta.url));
/** The repository's root. */
export const repo = resolve(here, "../..");
/** The demo build under test: WHYTHIS_DIST, or dist/. */
export const dist = resolve(process.env.WHYTHIS_DIST || join(repo, "dist"));
/** Where screenshots and figures go. */
export const artifacts = join(here, "artifacts");
mkdirSync(artifacts, { recursive: true });

/**
 * Registers the suite's before/after hooks: serves `dist` with /e2e-fixtures/ and `mounts`, recording
 * every request in `served` ([time, method, url]), launches Chromium as `name` with `viewport`, and at the
 * end writes `figures` to artifacts/`figuresFile`. Returns { server, context, served }, filled in `before`.
 */
export function demoSuite({ name, viewport, mounts = {}, figuresFile, figures }) {
  const suite = { server: null, context: null, served: [] };
  before(async () => {
    assert.ok(existsSync(join(dist, "index.html")), `no demo build in ${dist}: run scripts/test-browser.sh`);
    suite.server = await serve(dist, {
      mounts: { "/e2e-fixtures/": join(here, "fixtures"), ...mounts },
      onRequest: (method, url) => suite.served.push([Date.now(), method, url]),
    });
    suite.context = await launchChromium(name, viewport);
  });
  after(async () => {
    writeFileSync(join(artifacts, figuresFile), JSON.stringify(figures, null, 2));
    await suite.context?.close();
    await suite.server?.close();
  });
  return suite;
}

// A hostile catalog, as a storefront's compromised data could be: every title and tag is markup that would
// run if a sink parsed it (`window.__pwned`), right-to-left-overridden, and 10,000 letters long.
export const RLO = "\u202E";
export const hostileTitle = (id) => `${RLO}<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>${"W".repeat(10_000)}${id}`;

/**
 * Serves the demo's catalog to `page` as `edit` leaves it (the entries, edited in place). A card that pins
 * the catalog's sha256 (a packed card pins every file) is served pinning the edited one: this is the
 * storefront's own data gone bad, not a file changed after packing, which integrity refuses.
 */
export async function routeCatalog(page, edit) {
  const entries = JSON.parse(readFileSync(join(dist, "models/catalog.json"), "utf8"));
  edit(entries);
  const body = JSON.stringify(entries);
  const sha256 = createHash("sha256").update(body).digest("hex");
  await page.route("**/models/*.card.json", async (route) => {
    // The demo asks whether its second card exists with a HEAD, which has no body to edit.
    if (route.request().method() !== "GET") return route.continue();
    const response = await route.fetch();
    const card = await response.json();
    if (card.catalog && card.sha256?.[card.catalog]) card.sha256[card.catalog] = sha256;
    await route.fulfill({ response, json: card });
  });
  await page.route("**/models/catalog.json", (route) => route.fulfill({ status: 200, contentType: "application/json", body }));
}

/** Serves the demo's catalog to `page` with every title hostile and `tags` before each item's own. */
export function routeHostileCatalog(page, tags) {
  return routeCatalog(page, (entries) => {
    for (const entry of entries) {
      entry.title = hostileTitle(entry.id);
      entry.tags = [...tags, ...entry.tags];
    }
  });
}
