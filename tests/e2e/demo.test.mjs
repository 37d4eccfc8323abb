// End-to-end tests of the demo storefront and the widget in Debian's headless Chromium.
// Run by scripts/test-browser.sh after `trunk build` (the demo in dist/). Screenshots and figures go
// to tests/e2e/artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { serve } from "./server.mjs";
import { artifacts, demoSuite, dist, here, repo, routeCatalog } from "./suite.mjs";

const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");
const HOSTILE = "<img src=x onerror=alert(1)>";
const LOAD_TIMEOUT = 180_000;

const metrics = {};
const suite = demoSuite({
  name: "e2e",
  viewport: { width: 1280, height: 900 },
  mounts: { "/fuzz-fixtures/": join(repo, "tests/fixtures/fuzz") },
  figuresFile: "metrics.json",
  figures: metrics,
});

/** Opens a page that records every request, dialog and page error. */
async function open(path) {
  const page = await suite.context.newPage();
  const seen = { requests: [], dialogs: [], errors: [], console: [] };
  page.on("request", (r) => seen.requests.push({ url: r.url(), at: Date.now() }));
  page.on("dialog", (d) => {
    seen.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("console", (m) => seen.console.push(`${m.type()}: ${m.text()}`));
  await page.addInitScript(() => {
    window.__events = [];
    for (const type of ["whythis-feedback", "whythis-error"]) {
      document.addEventListener(type, (e) => window.__events.push({ type, target: e.target.id, detail: e.detail }));
    }
    window.__longest = 0;
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
      }).observe({ type: "longtask", buffered: true });
    } catch {}
  });
  await page.goto(suite.server.url + path);
  return { page, seen };
}

const widget = (page, id = "main-widget") => page.locator(`why-this-item#${id}`);

async function order(page) {
  return widget(page).locator(".wt-item").evaluateAll((lis) => lis.map((li) => li.dataset.item));
}

async function waitIdle(page) {
  await page.waitForFunction(() => {
    const root = document.querySelector("#main-widget")?.shadowRoot;
    return root && root.querySelector(".wt-list")?.getAttribute("aria-busy") === "false" && root.querySelector(".wt-item");
  }, null, { timeout: LOAD_TIMEOUT });
}

async function axe(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } }),
  );
  const violations = result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target).slice(0, 5), help: v.help }));
  writeFileSync(join(artifacts, `axe-${name}.json`), JSON.stringify(violations, null, 2));
  assert.deepEqual(violations, [], `axe found violations on ${name}: ${JSON.stringify(violations, null, 2)}`);
}

test("the storefront ranks, explains, re-ranks on a what-if, and records feedback that survives a reload", async () => {
  const { page, seen } = await open("/");
  const started = Date.now();
  await page.selectOption("#user", { index: 1 });
  await waitIdle(page);
  metrics.history_to_first_ranking_ms = Date.now() - started;
  metrics.longest_main_thread_task_until_first_ranking_ms = Math.round(await page.evaluate(() => window.__longest));
  const second = (await page.locator("why-this-item#second-widget").count()) > 0;
  if (second) await widget(page, "second-widget").locator(".wt-item").first().waitFor({ timeout: LOAD_TIMEOUT });
  const loadedAt = Date.now();
  await page.screenshot({ path: join(artifacts, "01-storefront.png"), fullPage: true });

  const items = await order(page);
  assert.equal(items.length, 5, "top-k=5 recommendations");

  // Click to panel, before the background explanations are done (cold) …
  const cold = await page.evaluate(async () => {
    const root = document.querySelector("#main-widget").shadowRoot;
    const button = root.querySelectorAll(".wt-why")[4];
    const t0 = performance.now();
    button.click();
    await new Promise((done) => {
      const check = () => (root.querySelector(`#${button.getAttribute("aria-controls")} .wt-narrative`) ? done() : requestAnimationFrame(check));
      check();
    });
    return performance.now() - t0;
  });
  metrics.click_to_panel_cold_ms = Math.round(cold);
  // … and once they are (warm).
  await page.waitForFunction(() => document.querySelector("#main-widget").explanation?.recommendations.every((r) => r.narrative), null, { timeout: LOAD_TIMEOUT });
  const warm = await page.evaluate(async () => {
    const root = document.querySelector("#main-widget").shadowRoot;
    const button = root.querySelectorAll(".wt-why")[0];
    const t0 = performance.now();
    button.click();
    await new Promise((done) => {
      const check = () => (root.querySelector(`#${button.getAttribute("aria-controls")} .wt-narrative`) ? done() : requestAnimationFrame(check));
      check();
    });
    return performance.now() - t0;
  });
  metrics.click_to_panel_warm_ms = Math.round(warm);
  await widget(page).locator(".wt-why").nth(4).click(); // close the cold one again

  const first = widget(page).locator(".wt-item").first();
  const why = first.locator(".wt-why");
  assert.equal(await why.getAttribute("aria-expanded"), "true");
  const panel = first.locator(".wt-panel");
  assert.ok((await panel.locator(".wt-narrative").innerText()).length > 20, "a narrative");
  assert.ok((await panel.locator(".wt-cf").innerText()).length > 20, "a counterfactual sentence");
  assert.ok((await panel.locator(".wt-ev").count()) >= 1, "a timeline");
  await panel.locator(".wt-deep-toggle").click();
  await panel.locator("canvas").waitFor();
  await panel.screenshot({ path: join(artifacts, "02-panel.png") });
  // Before axe-core, which is itself a long task on the main thread.
  metrics.longest_main_thread_task_before_axe_ms = Math.round(await page.evaluate(() => window.__longest));
  await axe(page, "panel-open");

  // What-if: switch off recent events one by one until the ranking changes.
  const before = await order(page);
  let after = before;
  for (let i = 0; i < 8 && JSON.stringify(after) === JSON.stringify(before); i++) {
    const first = widget(page).locator(".wt-item").first();
    if ((await first.locator(".wt-why").getAttribute("aria-expanded")) !== "true") await first.locator(".wt-why").click();
    const on = first.locator('.wt-switch[aria-checked="true"]').first();
    await on.waitFor({ timeout: LOAD_TIMEOUT });
    await on.click();
    await page.waitForFunction(() => /Explanation updated/.test(document.querySelector("#main-widget").shadowRoot.querySelector(".wt-status").textContent), null, { timeout: LOAD_TIMEOUT });
    await waitIdle(page);
    after = await order(page);
  }
  assert.notDeepEqual(after, before, "switching events off re-ranks");
  assert.match(await widget(page).locator(".wt-whatif").innerText(), /switched off/);
  await page.screenshot({ path: join(artifacts, "03-what-if.png"), fullPage: true });

  // Was this helpful?
  const item = widget(page).locator(".wt-item").first();
  if ((await item.locator(".wt-why").getAttribute("aria-expanded")) !== "true") await item.locator(".wt-why").click();
  const itemId = Number(await item.getAttribute("data-item"));
  const rank = Number((await item.locator(".wt-rank").innerText()).replace("#", ""));
  await item.locator(".wt-fb-yes").click();
  await item.locator(".wt-fb-thanks", { hasText: "Thanks for your feedback." }).waitFor();
  await item.locator(".wt-fb-reason input").fill("I do like these");
  await item.locator(".wt-fb-reason button").click();
  await item.locator(".wt-fb-thanks", { hasText: "reason was saved" }).waitFor();
  const events = (await page.evaluate(() => window.__events)).filter((e) => e.type === "whythis-feedback");
  assert.equal(events.length, 2);
  const [yes, withReason] = events.map((e) => e.detail);
  assert.equal(yes.item, itemId);
  assert.equal(yes.rank, rank);
  assert.equal(yes.helpful, true);
  assert.equal(yes.reason, null);
  assert.equal(yes.kind, "narrative");
  assert.ok(yes.model.length > 0, "a model id");
  assert.ok(!Number.isNaN(Date.parse(yes.time)), "an ISO time");
  assert.equal(withReason.id, yes.id);
  assert.equal(withReason.reason, "I do like these");
  // The event crossed the shadow boundary (composed) and bubbled to the document, from the element.
  assert.equal((await page.evaluate(() => window.__events)).find((e) => e.type === "whythis-feedback").target, "main-widget");
  await item.screenshot({ path: join(artifacts, "04-feedback.png") });
  await axe(page, "after-feedback");

  // Nothing left the origin; nothing at all went out after the models and catalog had loaded.
  const origin = new URL(suite.server.url).origin;
  const foreign = seen.requests.filter((r) => !r.url.startsWith(origin) && !r.url.startsWith("blob:") && !r.url.startsWith("data:"));
  assert.deepEqual(foreign, [], "no request leaves the page's origin");
  const late = suite.served.filter(([at]) => at > loadedAt).map(([, m, u]) => `${m} ${u}`);
  assert.deepEqual(late, [], "no request after the model and catalog loaded (the history is never sent)");
  const lateSeen = seen.requests.filter((r) => r.at > loadedAt && !r.url.startsWith("blob:"));
  assert.deepEqual(lateSeen, [], "the browser made no request after loading either");

  metrics.longest_main_thread_task_ms = Math.round(await page.evaluate(() => window.__longest));

  // The log survives a reload.
  await page.reload();
  await waitIdle(page);
  // One localStorage key per record (crates/page/src/feedback.rs).
  const feedbackKeys = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("whythis.feedback.")).sort());
  const log = await page.evaluate((keys) => keys.map((k) => JSON.parse(localStorage.getItem(k))), await feedbackKeys());
  assert.equal(log.length, 1, "one answer, its reason merged in");
  assert.equal(log[0].id, yes.id);
  assert.equal(log[0].reason, "I do like these");
  assert.match(await widget(page).locator(".wt-log").innerText(), /1 answer saved/);
  // Export offers a file; clear empties the log.
  const download = page.waitForEvent("download");
  await widget(page).locator(".wt-log-export").click();
  const file = await download;
  const exported = JSON.parse(readFileSync(await file.path(), "utf8"));
  assert.equal(exported[0].id, yes.id);
  await widget(page).locator(".wt-log-clear").click();
  assert.match(await widget(page).locator(".wt-log").innerText(), /0 answers saved/);
  assert.deepEqual(await feedbackKeys(), []);
  assert.deepEqual(seen.dialogs, []);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test("the README screenshot of a panel", async () => {
  const { page } = await open("/?user=" + (await sampleUser()));
  await waitIdle(page);
  const item = widget(page).locator(".wt-item").first();
  await item.locator(".wt-why").click();
  await item.locator(".wt-narrative").waitFor({ timeout: LOAD_TIMEOUT });
  await item.screenshot({ path: join(artifacts, "panel.png") });
  if (process.env.WHYTHIS_UPDATE_DOCS) {
    mkdirSync(join(repo, "docs"), { recursive: true });
    copyFileSync(join(artifacts, "panel.png"), join(repo, "docs/panel.png"));
  }
  await page.close();
});

async function sampleUser() {
  const users = JSON.parse(readFileSync(join(dist, "sample-users.json"), "utf8")).users;
  return users[0].user;
}

test("a hostile catalog title is shown as text, never run", async () => {
  const page = await suite.context.newPage();
  const dialogs = [];
  const requests = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on("request", (r) => requests.push(r.url()));
  await routeCatalog(page, (catalog) => {
    for (const entry of catalog) entry.title = `${HOSTILE} ${entry.id}`;
  });
  await page.goto(`${suite.server.url}/?user=${await sampleUser()}`);
  await waitIdle(page);
  const title = await widget(page).locator(".wt-title").first().innerText();
  assert.ok(title.startsWith(HOSTILE), title);
  const item = widget(page).locator(".wt-item").first();
  await item.locator(".wt-why").click();
  await item.locator(".wt-narrative").waitFor({ timeout: LOAD_TIMEOUT });
  await item.locator(".wt-deep-toggle").click();
  const imgs = await page.evaluate(() => document.querySelectorAll("img").length + [...document.querySelectorAll("why-this-item")].reduce((n, el) => n + el.shadowRoot.querySelectorAll("img").length, 0));
  assert.equal(imgs, 0, "no element was made from a title");
  assert.ok((await page.locator("#titles .name").first().innerText()).startsWith(HOSTILE), "the shop shows it as text too");
  assert.deepEqual(dialogs, [], "no script ran");
  assert.ok(!requests.some((u) => new URL(u).pathname.endsWith("/x")), "no image was requested");
  await item.screenshot({ path: join(artifacts, "05-hostile-title.png") });
  await page.close();
});

test("bad inputs show a clear error in the panel and raise whythis-error", async () => {
  const { page, seen } = await open("/e2e-fixtures/bad.html");
  const cases = {
    "broken-card": /model card is not valid/i,
    "wrong-format": /whythis-model\/1/,
    "missing-card": /HTTP 404/,
    "corrupt-onnx": /ONNX/,
    // An ONNX fuzzer finding (tests/fixtures/fuzz/): tract panics while reading the graph, which
    // traps the engine; the widget names the model as the cause and the others go on, including
    // requests that were queued behind the one that crashed.
    "tract-panic-load": /model could not be loaded: the recommender stopped on an internal error/i,
    "bad-catalog": /catalog is not valid/i,
    "unknown-item": /only knows items 1 to/,
    "bad-history": /history is not valid/i,
  };
  for (const [id, pattern] of Object.entries(cases)) {
    const alert = widget(page, id).locator('[role="alert"]').first();
    await alert.filter({ hasText: pattern }).waitFor({ timeout: LOAD_TIMEOUT }).catch(async () => {
      assert.fail(`${id}: alert says ${JSON.stringify(await alert.innerText())}, expected ${pattern}`);
    });
  }
  const errors = await page.evaluate(() => window.__events.filter((e) => e.type === "whythis-error"));
  for (const id of Object.keys(cases)) {
    assert.ok(errors.some((e) => e.target === id && e.detail.message.length > 0), `whythis-error from ${id}`);
  }
  // Each failure is blamed on its input: a history the model cannot read is the history's fault even
  // when only the engine finds out (an item it does not know), not the explanation's.
  const codes = Object.fromEntries(errors.map((e) => [e.target, e.detail.code]));
  assert.deepEqual(
    Object.fromEntries(Object.keys(cases).map((id) => [id, codes[id]])),
    {
      "broken-card": "card",
      "wrong-format": "card",
      "missing-card": "fetch",
      "corrupt-onnx": "model",
      "tract-panic-load": "model",
      "bad-catalog": "catalog",
      "unknown-item": "history",
      "bad-history": "history",
    },
  );
  assert.ok(!JSON.stringify(errors).includes("999999"), "no error text quotes the history");
  const crashed = errors.find((e) => e.target === "tract-panic-load").detail;
  assert.match(crashed.model, /tract-panic-load\.card\.json$/, "a model that did not load is named by its card's URL");
  // No history yet is no error: the widget greets with the model's picks for anyone, and says so.
  assert.ok(!errors.some((e) => e.target === "empty-history"), "an empty history raises no whythis-error");
  await widget(page, "empty-history").locator(".wt-item").first().waitFor({ timeout: LOAD_TIMEOUT });
  assert.match(await widget(page, "empty-history").locator(".wt-controls-said").innerText(), /no history here yet/);
  assert.equal(await widget(page, "empty-history").locator('[role="alert"]').innerText(), "");
  // The good widget on the same page still works.
  await widget(page, "good").locator(".wt-item").first().waitFor({ timeout: LOAD_TIMEOUT });
  await page.screenshot({ path: join(artifacts, "06-bad-inputs.png"), fullPage: true });
  assert.deepEqual(seen.errors, [], "no uncaught page error");
  await axe(page, "bad-inputs");
  await page.close();
});

test("the demo works under a strict Content-Security-Policy (no inline script, no eval)", async () => {
  // Issue 6's policy, plus style-src 'self' (the widget styles itself with a constructable stylesheet).
  const csp = "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; style-src 'self'";
  const strict = await serve(dist, { headers: { "content-security-policy": csp } });
  const page = await suite.context.newPage();
  const violations = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  try {
    await page.goto(`${strict.url}/?user=${await sampleUser()}`);
    await widget(page).locator(".wt-item").first().waitFor({ timeout: LOAD_TIMEOUT });
    const item = widget(page).locator(".wt-item").first();
    await item.locator(".wt-why").click();
    await item.locator(".wt-narrative").waitFor({ timeout: LOAD_TIMEOUT });
    assert.deepEqual(violations, []);
  } finally {
    await page.close();
    await strict.close();
  }
});

test("a third-party page with only the package's auto.js and the tag gets themed, working panels", async () => {
  const { page, seen } = await open("/e2e-fixtures/third-party.html");
  const el = page.locator("why-this-item.themed");
  await el.locator(".wt-item").first().waitFor({ timeout: LOAD_TIMEOUT });
  assert.equal(await el.locator(".wt-item").count(), 3);
  const border = await el.locator(".wt-why").first().evaluate((b) => getComputedStyle(b).borderTopColor);
  assert.equal(border, "rgb(0, 100, 0)", "themed by --whythis-accent");
  await el.locator(".wt-why").first().click();
  await el.locator(".wt-narrative").first().waitFor({ timeout: LOAD_TIMEOUT });
  await page.screenshot({ path: join(artifacts, "07-third-party.png"), fullPage: true });
  assert.deepEqual(seen.errors, []);
  await page.close();
});

// Issue 6.3: a panic anywhere becomes an error in that widget's panel and a whythis-error event; the
// other widgets keep working. The panics are real (the package's __whythisTestPanic test hook).
const CHILDREN = [1, 71, 95, 225, 404, 432, 588];

async function rankingOf(page, id) {
  return page.evaluate((id) => {
    const root = document.getElementById(id).shadowRoot;
    if (root.querySelector(".wt-list")?.getAttribute("aria-busy") !== "false") return null;
    const items = [...root.querySelectorAll(".wt-item")].map((li) => li.dataset.item);
    return items.length ? items.join(",") : null;
  }, id);
}

async function waitRanking(page, id, unlike) {
  const handle = await page.waitForFunction(
    ([id, unlike]) => {
      const root = document.getElementById(id).shadowRoot;
      if (root.querySelector(".wt-list")?.getAttribute("aria-busy") !== "false") return null;
      const items = [...root.querySelectorAll(".wt-item")].map((li) => li.dataset.item).join(",");
      return items && items !== unlike ? items : null;
    },
    [id, unlike ?? null],
    { timeout: LOAD_TIMEOUT },
  );
  return handle.jsonValue();
}

async function explainsFirst(page, id) {
  const item = widget(page, id).locator(".wt-item").first();
  await item.locator(".wt-why").click();
  await item.locator(".wt-narrative").waitFor({ timeout: LOAD_TIMEOUT });
}

async function panicTest(where, workerParam) {
  const { page, seen } = await open(`/e2e-fixtures/two-widgets.html?worker=${workerParam}`);
  await page.waitForFunction(() => window.__started, null, { timeout: LOAD_TIMEOUT });
  await waitRanking(page, "a");
  const before = await waitRanking(page, "b");

  if (where === "page") {
    const thrown = await page.evaluate(() => {
      try {
        window.__whythisTestPanic(document.getElementById("a"));
        return "nothing";
      } catch (error) {
        return String(error);
      }
    });
    assert.match(thrown, /RuntimeError|unreachable/, "the panic trapped the page's instance");
  } else {
    await page.evaluate(() => {
      window.__whythisTestPanic(document.getElementById("a"), "engine");
      document.getElementById("a").history = [50, 172, 181, 1, 121, 7];
    });
  }

  // A shows the error …
  const alert = widget(page, "a").locator('[role="alert"]').filter({ hasText: /internal error/i });
  await alert.waitFor({ timeout: LOAD_TIMEOUT });
  assert.match(await alert.innerText(), /test panic/);
  const events = (await page.evaluate(() => window.__events)).filter((e) => e.type === "whythis-error");
  const fromA = events.filter((e) => e.target === "a");
  assert.equal(fromA.length, 1, `one whythis-error from A: ${JSON.stringify(events)}`);
  assert.equal(fromA[0].detail.code, "internal");
  assert.match(fromA[0].detail.message, /test panic/);
  if (where === "engine") {
    // The engine's test panic quotes the history's first item (50), as a panic inside a graph can
    // quote an index: every number of a panic text is masked before it leaves the engine.
    assert.match(fromA[0].detail.message, /at item #/);
    for (const text of [fromA[0].detail.message, await alert.innerText(), ...seen.console]) {
      assert.doesNotMatch(text, /item 50\b/, `a panic text carries the history: ${text}`);
    }
  }
  assert.ok(fromA[0].detail.model.length > 0, "the event names the model");
  assert.deepEqual(events.filter((e) => e.target === "b"), [], "B reported no error");

  // … B re-ranks on a new history and explains …
  await page.evaluate((history) => (document.getElementById("b").history = history), CHILDREN);
  const after = await waitRanking(page, "b", before);
  assert.notEqual(after, before, "B re-ranked");
  await explainsFirst(page, "b");
  assert.equal(await widget(page, "b").locator('[role="alert"]:not(:empty)').count(), 0, "B shows no error");

  // … and A starts again on a new history of its own.
  await page.evaluate((history) => (document.getElementById("a").history = history), CHILDREN);
  await waitRanking(page, "a");
  await explainsFirst(page, "a");
  await page.screenshot({ path: join(artifacts, `08-panic-${where}-worker${workerParam}.png`), fullPage: true });
  if (where === "engine") assert.deepEqual(seen.errors, [], "a crashed engine leaves no uncaught error on the page");
  await page.close();
}

test("a panic on the page shows in its widget only; the other keeps working", () => panicTest("page", 1));
test("a panic in the worker's engine shows in its widget only; a fresh worker serves the next request", () => panicTest("engine", 1));
test("without a worker, a panic in the main-thread engine shows in its widget only", () => panicTest("engine", 0));

test("loadModel gives an Engine on the calling thread (and its speed)", async () => {
  const { page } = await open("/e2e-fixtures/two-widgets.html");
  const result = await page.evaluate(async () => {
    const { loadModel } = await import("/pkg/index.js");
    const engine = await loadModel("/models/sasrec.card.json");
    const history = [50, 172, 181, 1, 121, 7, 98, 174].map((item) => ({ item, action: "rated_4" }));
    engine.explain(history, { top_k: 5 });
    const t0 = performance.now();
    const runs = 3;
    let doc;
    for (let i = 0; i < runs; i++) doc = engine.explain(history, { top_k: 5 });
    const ms = (performance.now() - t0) / runs;
    // What it throws names the input at fault, and never quotes the history.
    const thrown = (f) => {
      try {
        f();
        return null;
      } catch (error) {
        return { code: error.code, message: error.message };
      }
    };
    return {
      ms,
      n: doc.recommendations.length,
      format: doc.format,
      unknownItem: thrown(() => engine.explain([{ item: 50 }, { item: 999999 }])),
      notEvents: thrown(() => engine.explain([{ title: "Secret title" }])),
      badOptions: thrown(() => engine.explain(history, { top_k: "five" })),
      notAnItem: thrown(() => engine.explain(history, { item: 50 })),
    };
  });
  assert.equal(result.n, 5);
  assert.equal(result.format, "whythis-explanation/1");
  assert.equal(result.unknownItem?.code, "history", JSON.stringify(result.unknownItem));
  assert.doesNotMatch(result.unknownItem.message, /999999/);
  assert.equal(result.notEvents?.code, "history", JSON.stringify(result.notEvents));
  assert.doesNotMatch(result.notEvents.message, /Secret/);
  assert.equal(result.badOptions?.code, "options", JSON.stringify(result.badOptions));
  assert.equal(result.notAnItem?.code, "options", JSON.stringify(result.notAnItem));
  metrics.engine_explain_top5_main_thread_ms = Math.round(result.ms);
  await page.close();
});
