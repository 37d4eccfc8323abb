// Issue 17: whythis on pages that enforce Trusted Types, in Debian's headless Chromium. The demo's strict
// CSP plus `require-trusted-types-for 'script'`, with `trusted-types whythis` (what pkg/README.md tells
// a host to add: the engine in its worker, no violation, no console error, hostile titles still text)
// and with `trusted-types 'none'` (a host that allows no policy: the widget works on the main thread
// and says so, in its panel and in a `trusted-types` whythis-error). Run by scripts/test-browser.sh
// after `trunk build` (the demo in dist/).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serve, trustedTypesPolicy } from "./server.mjs";
import { artifacts, demoSuite, dist, here, repo, RLO, routeHostileCatalog } from "./suite.mjs";

const LOAD_TIMEOUT = 180_000;
const figures = {};
const suite = demoSuite({ name: "tt", viewport: { width: 1100, height: 900 }, figuresFile: "trusted-types.json", figures });

// One server per header; each serves the demo and the fixtures like the suite's own.
const servers = {};
before(async () => {
  for (const allow of ["whythis", "'none'"]) {
    servers[allow] = await serve(dist, {
      mounts: { "/e2e-fixtures/": join(here, "fixtures") },
      headers: { "content-security-policy": trustedTypesPolicy(allow) },
    });
  }
});
after(async () => {
  for (const server of Object.values(servers)) await server.close();
});

/** Opens `path` on the server that sends `trusted-types ALLOW`, recording what a host page could observe. */
async function open(allow, path, { prepare = null } = {}) {
  const page = await suite.context.newPage();
  const seen = { errors: [], console: [], requests: [] };
  // An uncaught error (a refused HTML sink would be one) ends the waits below at once.
  page.crashed = new Promise((_, fail) => page.on("pageerror", (e) => fail(new Error(`uncaught on the page: ${e}`))));
  page.crashed.catch(() => {});
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("console", (m) => seen.console.push({ type: m.type(), text: m.text() }));
  page.on("request", (r) => seen.requests.push(r.url()));
  await page.addInitScript(() => {
    window.__events = [];
    window.__violations = [];
    document.addEventListener("whythis-error", (e) => window.__events.push({ target: e.target.id, detail: e.detail }));
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__violations.push({ directive: e.violatedDirective, sample: e.sample, source: e.sourceFile }),
    );
  });
  if (prepare) await prepare(page);
  const response = await page.goto(servers[allow].url + path);
  assert.equal(response.headers()["content-security-policy"], trustedTypesPolicy(allow), "the page is served with the Trusted Types policy");
  return { page, seen };
}

const fixture = (...specs) => "/e2e-fixtures/reliability.html?" + specs.map((s) => "w=" + encodeURIComponent(s)).join("&");
const widget = (page, id) => page.locator(`why-this-item#${id}`);

async function waitReady(page, id) {
  const ready = page.waitForFunction((id) => {
    const root = document.getElementById(id)?.shadowRoot;
    return root && root.querySelector(".wt-list")?.getAttribute("aria-busy") === "false" && root.querySelector(".wt-item");
  }, id, { timeout: LOAD_TIMEOUT });
  await Promise.race([ready, page.crashed]);
}

/**
 * Goes through every view of the panel: the panel, the deeper dive (heatmap, tables, ledger), a what-if
 * switch, and feedback with a reason. Each builds elements that leptos would parse from HTML.
 */
async function useEveryView(page, id) {
  await waitReady(page, id);
  let item = widget(page, id).locator(".wt-item").first();
  await item.locator(".wt-why").click();
  await Promise.race([item.locator(".wt-narrative").waitFor({ timeout: LOAD_TIMEOUT }), page.crashed]);
  await item.locator(".wt-deep-toggle").click();
  await item.locator("canvas").waitFor();
  await item.locator(".wt-ledger").waitFor();
  for (const details of await item.locator("details").all()) await details.evaluate((d) => (d.open = true));
  const tableRows = await item.locator(".wt-table tbody tr").count();
  await item.locator('.wt-switch[aria-checked="true"]').first().click();
  await waitReady(page, id);
  item = widget(page, id).locator(".wt-item").first();
  if ((await item.locator(".wt-why").getAttribute("aria-expanded")) !== "true") await item.locator(".wt-why").click();
  await Promise.race([item.locator(".wt-narrative").waitFor({ timeout: LOAD_TIMEOUT }), page.crashed]);
  await item.locator(".wt-fb-yes").click();
  await item.locator(".wt-fb-reason input").fill("<b>not markup</b>");
  await item.locator(".wt-fb-reason button[type=submit]").click();
  await item.locator(".wt-fb-thanks", { hasText: "reason was saved" }).waitFor();
  return { tableRows };
}

const workerUrls = (page) => page.workers().map((w) => new URL(w.url()).pathname);
const problems = (seen) => seen.console.filter((m) => m.type === "error" || (m.type === "warning" && /whythis/i.test(m.text)));

test("trusted-types whythis: the demo works, engine in its worker, with no violation and no console error", async () => {
  const { page, seen } = await open("whythis", "/");
  try {
    await page.selectOption("#user", { index: 1 });
    const started = Date.now();
    const { tableRows } = await useEveryView(page, "main-widget");
    figures.whythis_demo_every_view_ms = Date.now() - started;
    assert.ok(tableRows > 0, "the deeper dive's tables have rows");
    // The second widget reads its history from localStorage: it too is built under the policy.
    await waitReady(page, "second-widget");

    assert.deepEqual(workerUrls(page), ["/pkg/worker.js"], "the engine runs in whythis's worker");
    const mainThreadFetches = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
    assert.ok(!mainThreadFetches.includes("/pkg/whythis_engine_bg.wasm"), "the page itself did not load the engine");
    assert.deepEqual(await page.evaluate(() => window.__violations), [], "no securitypolicyviolation");
    assert.deepEqual(seen.errors, [], "no uncaught error");
    assert.deepEqual(problems(seen), [], "no console error, no whythis warning");
    assert.deepEqual(await page.evaluate(() => window.__events), [], "no whythis-error");
    assert.equal(await page.locator("why-this-item .wt-notice").count(), 0, "no notice in any panel");
    assert.equal(await page.evaluate(() => typeof window.trustedTypes?.createPolicy), "function", "this Chromium has Trusted Types");
  } finally {
    await page.close();
  }
});

// The reliability suite's hostile catalog (suite.mjs), now on a page that enforces Trusted Types: with no
// HTML sink in the widget there is no policy to talk into making markup of a title.
test("trusted-types whythis: hostile catalog titles and tags still render as text", async () => {
  const hostileCatalog = (page) => routeHostileCatalog(page, ["<script>window.__pwned=1</script>"]);
  const { page, seen } = await open("whythis", fixture("w:50.181.172.1.121.117:top-k=3"), { prepare: hostileCatalog });
  try {
    await useEveryView(page, "w");
    const facts = await page.evaluate(() => {
      const root = document.getElementById("w").shadowRoot;
      const texts = (selector) => [...root.querySelectorAll(selector)].map((e) => e.textContent);
      return {
        pwned: window.__pwned,
        elements: root.querySelectorAll("img, script, iframe, object, embed, b").length + document.querySelectorAll("img, iframe, object, embed").length,
        titles: texts(".wt-title"),
        eventTitles: texts(".wt-ev-title"),
        tableHeads: texts(".wt-table tbody th"),
      };
    });
    assert.equal(facts.pwned, undefined, "no script from the catalog ran");
    assert.equal(facts.elements, 0, "no element was made from catalog (or typed) text");
    assert.ok(!seen.requests.some((u) => new URL(u).pathname.endsWith("/x")), "no image was requested");
    assert.equal(facts.titles.length, 3);
    for (const text of [...facts.titles, ...facts.eventTitles]) assert.ok(text.startsWith(`${RLO}<img src=x`), `shown as text: ${text.slice(0, 40)}`);
    assert.ok(facts.eventTitles.length > 0, "the timeline names events");
    assert.ok(facts.tableHeads.some((t) => t.includes("<img src=x")), "the deeper dive's tables name events as text");
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(problems(seen), []);
  } finally {
    await page.close();
  }
});

test("trusted-types whythis: the policy admits no worker but whythis's own; a host's other worker gets a main-thread engine it is told of", async () => {
  const other = "/e2e-fixtures/third-party.js";
  const { page, seen } = await open("whythis", fixture("w:50.181.172:top-k=2") + "&worker=" + encodeURIComponent(other));
  try {
    await useEveryView(page, "w");
    assert.deepEqual(workerUrls(page), [], "no worker was started from a URL the policy does not admit");
    assert.ok(!seen.requests.some((u) => new URL(u).pathname === other), "the other script was never fetched");
    const events = await page.evaluate(() => window.__events);
    assert.equal(events.length, 1, `one whythis-error: ${JSON.stringify(events)}`);
    assert.equal(events[0].detail.code, "trusted-types");
    assert.match(events[0].detail.message, /main thread/);
    assert.match(events[0].detail.message, /not whythis's own worker\.js/);
    assert.equal(await widget(page, "w").locator(".wt-notice").innerText(), events[0].detail.message);
    assert.deepEqual(seen.errors, []);
  } finally {
    await page.close();
  }
});

test("trusted-types 'none': every widget works on the main thread and says, in its panel and a whythis-error, which policy to allow", async () => {
  const { page, seen } = await open("'none'", fixture("a:50.181.172.1.121:top-k=3", "b:1.121.117:top-k=2"));
  try {
    const started = Date.now();
    await useEveryView(page, "a");
    figures.none_every_view_ms = Date.now() - started;
    await waitReady(page, "b");

    assert.deepEqual(workerUrls(page), [], "no worker");
    const events = await page.evaluate(() => window.__events);
    assert.deepEqual(events.map((e) => [e.target, e.detail.code]).sort(), [["a", "trusted-types"], ["b", "trusted-types"]], "one trusted-types error per widget");
    for (const { target, detail } of events) {
      assert.match(detail.message, /trusted-types whythis/, "it names the directive to add");
      assert.match(detail.message, /main thread/, "it says where the engine runs instead");
      assert.equal(detail.model, "SASRec on MovieLens-100k", "it names the widget's model");
      const notice = widget(page, target).locator(".wt-notice");
      assert.equal(await notice.innerText(), detail.message, `widget ${target}'s panel says the same`);
      assert.equal(await notice.getAttribute("role"), "note");
    }
    assert.equal(await widget(page, "a").locator(".wt-alert").innerText(), "", "it is a notice, not a failure");
    await widget(page, "b").screenshot({ path: join(artifacts, "trusted-types-none.png") });
    assert.deepEqual(seen.errors, [], "no uncaught error");

    // The only violations are the two the browser reports for the worker: the refused policy and the
    // plain string at new Worker. None comes from the panel (an HTML sink would be a TrustedHTML one).
    const violations = await page.evaluate(() => window.__violations);
    figures.none_violations = violations;
    assert.ok(violations.length > 0, "the browser reports the refused worker");
    for (const v of violations) {
      assert.ok(
        (v.directive === "trusted-types" && v.sample === "whythis") || (v.directive === "require-trusted-types-for" && /Worker/i.test(v.sample)),
        `a violation other than the worker's: ${JSON.stringify(v)}`,
      );
    }
    const warned = seen.console.filter((m) => m.type === "warning" && /whythis:.*trusted-types whythis/.test(m.text));
    assert.equal(warned.length, 1, "the console says it once, as a warning");
  } finally {
    await page.close();
  }
});

test("pkg/README.md gives the line a host adds to its CSP, the one these tests send", () => {
  const readme = readFileSync(join(repo, "pkg/README.md"), "utf8");
  const line = "require-trusted-types-for 'script'; trusted-types whythis";
  assert.ok(readme.includes(line), "the README names the directives");
  assert.ok(trustedTypesPolicy("whythis").includes(line), "and they are what the tests above send");
});
