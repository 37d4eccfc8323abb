// Issue 15.2: <why-this-item> as frameworks use it, in Debian's headless Chromium on the demo build:
// lazy (nothing loads until the widget nears the viewport, unless loading="eager"), `hidden` (no work
// while hidden, caught up when shown), and disconnectedCallback (the panel, the observer entry and,
// with the last widget, the engine's worker are given back). Fixture: fixtures/lifecycle.{html,js}.
// Run by scripts/test-browser.sh after `trunk build` (the demo in dist/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSuite } from "./suite.mjs";

const LOAD_TIMEOUT = 180_000;
const figures = {};
const suite = demoSuite({ name: "element", viewport: { width: 1000, height: 800 }, figuresFile: "element.json", figures });

/** Opens the lifecycle fixture with these widget specs, recording every request. */
async function open(...specs) {
  const page = await suite.context.newPage();
  const seen = { requests: [], errors: [], console: [] };
  page.on("request", (r) => seen.requests.push(new URL(r.url()).pathname));
  page.on("console", (m) => seen.console.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  await page.goto(suite.server.url + "/e2e-fixtures/lifecycle.html?" + specs.map((s) => "w=" + encodeURIComponent(s)).join("&"));
  await page.waitForFunction(() => window.__started, null, { timeout: LOAD_TIMEOUT });
  return { page, seen };
}

/** The ranking `id` shows once idle (its items' ids joined by ","), waiting until it differs from `unlike`. */
async function ranking(page, id, unlike = null) {
  const handle = await page.waitForFunction(
    ([id, unlike]) => {
      const root = document.getElementById(id)?.shadowRoot;
      if (!root || root.querySelector(".wt-list")?.getAttribute("aria-busy") !== "false") return null;
      const items = [...root.querySelectorAll(".wt-item")].map((li) => li.dataset.item).join(",");
      return items && items !== unlike ? items : null;
    },
    [id, unlike],
    { timeout: LOAD_TIMEOUT },
  );
  return handle.jsonValue();
}

// The model and the engine's wasm (the engine's small JS glue comes with index.js, for loadModel).
const modelRequests = (seen) => seen.requests.filter((p) => p.startsWith("/models/") || p.includes("whythis_engine_bg"));
const settle = (page) => page.waitForTimeout(1500);

test("a lazy widget loads nothing until it nears the viewport; loading=eager loads at once", async () => {
  const { page, seen } = await open("z:50.181.172:top-k=2:box=far");
  try {
    await settle(page);
    assert.deepEqual(modelRequests(seen), [], "no model or engine request while far from the viewport");
    assert.equal(await page.evaluate(() => window.__workers.started), 0, "no worker");
    assert.equal(await page.evaluate(() => document.getElementById("z").shadowRoot), null, "not mounted");
    assert.equal(await page.evaluate(() => window.__observed.size), 1, "watched by the observer");
    const started = Date.now();
    await page.locator("#z").scrollIntoViewIfNeeded();
    await ranking(page, "z");
    figures.lazy_scroll_to_ranking_ms = Date.now() - started;
    assert.ok(seen.requests.includes("/models/sasrec.card.json"), "the model loaded once near");
    assert.equal(await page.evaluate(() => window.__workers.started), 1, "the worker started once near");
    assert.equal(await page.evaluate(() => window.__observed.size), 0, "no longer watched");
    assert.deepEqual(seen.errors, []);
  } finally {
    await page.close();
  }
  const eager = await open("z:50.181.172:top-k=2:box=far:loading=eager");
  try {
    await ranking(eager.page, "z");
    assert.equal(await eager.page.evaluate(() => window.scrollY), 0, "ranked without scrolling");
    assert.equal(await eager.page.evaluate(() => window.__observed.size), 0, "an eager widget is not watched");
  } finally {
    await eager.page.close();
  }
});

test("a hidden widget does no work; shown, it catches up on what changed meanwhile", async () => {
  const { page, seen } = await open("h:50.181.172:top-k=2:hidden");
  try {
    await settle(page);
    assert.deepEqual(modelRequests(seen), [], "a hidden widget loads nothing");
    assert.equal(await page.evaluate(() => window.__workers.started), 0, "and starts no worker");
    assert.equal(await page.evaluate(() => document.getElementById("h").shadowRoot), null, "not mounted");
    await page.evaluate(() => document.getElementById("h").removeAttribute("hidden"));
    const first = await ranking(page, "h");

    // Hidden once mounted: a new history and attribute reach no engine …
    const sent = await page.evaluate(() => {
      const el = document.getElementById("h");
      el.hidden = true;
      el.history = [1, 121, 117, 7, 98].map((item) => ({ item, action: "rated_5" }));
      el.setAttribute("top-k", "3");
      return window.__workerMessages;
    });
    assert.equal(await page.locator("#h").isVisible(), false, "hidden is honoured (display: none)");
    await settle(page);
    assert.equal(await page.evaluate(() => window.__workerMessages), sent, "no message to the engine while hidden");
    assert.equal(await ranking(page, "h"), first, "the ranking is the one before");

    // … until it is shown: then it ranks the new history, three items.
    await page.evaluate(() => (document.getElementById("h").hidden = false));
    await page.waitForFunction(() => document.getElementById("h").shadowRoot.querySelectorAll(".wt-item").length === 3, null, { timeout: LOAD_TIMEOUT });
    const after = await ranking(page, "h", first);
    assert.equal(after.split(",").length, 3, "the top-k set while hidden is used");
    assert.ok((await page.evaluate(() => window.__workerMessages)) > sent, "shown, it asked the engine");
    assert.deepEqual(seen.errors, []);
  } finally {
    await page.close();
  }
});

test("disconnected, a widget gives back its panel and observer entry; the last one takes the worker with it", async () => {
  const { page, seen } = await open("a:50.181.172:top-k=2", "b:1.121.117:top-k=2", "c:7.98:top-k=2:box=far");
  try {
    await ranking(page, "a");
    await ranking(page, "b");
    const worker = page.workers()[0];
    assert.ok(worker, "the engine runs in a worker");
    const closed = new Promise((done) => worker.once("close", done));
    assert.equal(await page.evaluate(() => window.__observed.size), 1, "the far widget is watched");

    await page.evaluate(() => document.getElementById("c").remove());
    assert.equal(await page.evaluate(() => window.__observed.size), 0, "a removed lazy widget is no longer watched");
    await page.evaluate(() => document.getElementById("a").remove());
    await settle(page);
    assert.equal(await page.evaluate(() => document.getElementById("a") === null), true);
    assert.equal(await page.evaluate(() => window.__workers.terminated), 0, `the worker stays while a widget is left (console: ${seen.console})`);
    assert.equal(page.workers().length, 1);

    const emptied = await page.evaluate(() => {
      const b = document.getElementById("b");
      b.remove();
      return b.shadowRoot.childNodes.length;
    });
    assert.equal(emptied, 0, "the removed widget's panel is gone from its shadow root");
    await Promise.race([closed, page.waitForTimeout(10_000).then(() => assert.fail("the worker was not terminated"))]);
    assert.equal(await page.evaluate(() => window.__workers.terminated), 1, "the last widget gone, the worker is terminated");
    assert.equal(page.workers().length, 0);

    // A widget added afterwards starts a fresh worker, the model loaded into it again.
    await page.evaluate(() => {
      const el = document.createElement("why-this-item");
      el.id = "d";
      el.setAttribute("model", "/models/sasrec.card.json");
      el.setAttribute("top-k", "2");
      el.history = [50, 181, 172];
      document.getElementById("near").append(el);
    });
    await ranking(page, "d");
    assert.equal(await page.evaluate(() => window.__workers.started), 2, "a fresh worker");
    // Moving a widget (out and back in one task) keeps the worker.
    await page.evaluate(() => {
      const el = document.getElementById("d");
      document.getElementById("far").append(el);
      document.getElementById("near").append(el);
    });
    await settle(page);
    assert.equal(await page.evaluate(() => window.__workers.terminated), 1, `moved, not released (console: ${seen.console})`);
    await ranking(page, "d");
    // An answer that arrives for a removed widget goes nowhere (it once panicked on its disposed state).
    assert.deepEqual(seen.console.filter((m) => /panicked/.test(m)), [], "no panic");
    assert.deepEqual(seen.errors, []);
  } finally {
    await page.close();
  }
});
