// Issue 15, deliverable 3: a catalog at storefront scale. The host names items on demand through
// `el.itemInfo` (a resolver over a 100,000-item Map, tests/e2e/fixtures/catalog.js) instead of the
// card's catalog.json: the widget must not download the catalog, must ask only for what it names (the
// window's items and the items shown, then any counterfactual's replacing items), each id once, at most
// 100 a call; and a resolver that fails is the catalog's error, said without the history.
// Run by scripts/test-browser.sh after `trunk build` (the demo in dist/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSuite } from "./suite.mjs";

const LOAD_TIMEOUT = 180_000;
const figures = {};
const suite = demoSuite({ name: "catalog", viewport: { width: 1100, height: 900 }, figuresFile: "catalog.json", figures });

// Three- and four-digit ids, so a leaked one cannot hide among a sentence's small numbers.
const HISTORY = [258, 286, 302, 313, 328, 748, 751, 1007];
const page = (mode, history = HISTORY) => `/e2e-fixtures/catalog.html?mode=${mode}&top-k=5&history=${history.join(".")}`;

async function open(url) {
  const p = await suite.context.newPage();
  const requests = [];
  p.on("request", (r) => requests.push(r.url()));
  await p.addInitScript(() => {
    window.__events = [];
    document.addEventListener("whythis-error", (e) => window.__events.push(e.detail));
  });
  await p.goto(suite.server.url + url);
  return { p, requests };
}

/** Waits until every item shown has its final narrative; returns the document. */
async function explained(p) {
  await p.waitForFunction(() => {
    const doc = document.getElementById("main")?.explanation;
    return doc && doc.recommendations.length > 0 && doc.recommendations.every((r) => r.narrative);
  }, null, { timeout: LOAD_TIMEOUT });
  // The full request follows a first pass; let it settle before reading what was asked.
  await p.waitForTimeout(500);
  return p.evaluate(() => document.getElementById("main").explanation);
}

const lookups = (p) => p.evaluate(() => window.__lookups);

test("a resolver names the items: no catalog.json, only the ids named, each once, at most 100 a call", async () => {
  const { p, requests } = await open(page("ok"));
  const doc = await explained(p);
  assert.deepEqual(requests.filter((u) => u.includes("catalog.json")), [], "the page downloads no catalog");
  assert.deepEqual(suite.served.filter(([, , u]) => u.includes("catalog.json")), [], "the server serves no catalog");

  const titles = await p.locator("why-this-item#main .wt-item").allInnerTexts();
  assert.equal(titles.length, 5);
  for (const [i, rec] of doc.recommendations.entries()) {
    assert.equal(rec.title, `Synthetic title ${rec.item}`);
    assert.ok(titles[i].includes(`Synthetic title ${rec.item}`), `item ${i} shows its title: ${titles[i]}`);
  }
  assert.deepEqual(doc.window_names.map((n) => n.full), doc.window.map((e) => `Synthetic title ${e.item}`));

  const calls = await lookups(p);
  const firstPaint = new Set([...doc.window.map((e) => e.item), ...doc.recommendations.map((r) => r.item)]);
  assert.deepEqual([...calls[0]].sort((a, b) => a - b), [...firstPaint].sort((a, b) => a - b), "the first call asks the window and the items shown");
  // Later calls only ask what the explanations name besides: the counterfactuals' replacing items and
  // the recourse's alternatives.
  const replacing = new Set(doc.recommendations.flatMap((r) => [r.counterfactual?.drop_out, r.counterfactual?.displace]).filter(Boolean).map((s) => s.replaced_by));
  const alternatives = new Set(doc.recommendations.map((r) => r.recourse?.alternative?.item).filter((i) => i !== undefined));
  for (const id of calls.slice(1).flat()) {
    assert.ok(replacing.has(id) || alternatives.has(id) || firstPaint.has(id), `id ${id} asked, but the explanation does not name it`);
  }
  for (const id of alternatives) assert.ok(calls.flat().includes(id), `the alternative ${id} was asked for`);
  for (const id of replacing) assert.ok(calls.flat().includes(id), `the replacing item ${id} was asked for`);
  for (const rec of doc.recommendations) {
    for (const sentence of rec.counterfactual_sentences) assert.doesNotMatch(sentence, /\bitem \d+/, "every item named by its title");
  }

  // A new history: only its new items are asked.
  const before = calls.flat();
  await p.evaluate((h) => {
    document.getElementById("main").history = h.map((item) => ({ item, action: "rated_5" }));
  }, [...HISTORY, 50, 181]);
  await p.waitForFunction(() => document.getElementById("main").explanation?.window.some((e) => e.item === 181), null, { timeout: LOAD_TIMEOUT });
  await explained(p);
  const after = await lookups(p);
  const all = after.flat();
  assert.ok(after.length > calls.length && all.includes(50) && all.includes(181), "the new items were asked");
  for (const id of after.slice(calls.length).flat()) assert.ok(!before.includes(id), `id ${id} was asked again`);
  assert.equal(new Set(all).size, all.length, "no id is asked twice");
  for (const call of after) assert.ok(call.length > 0 && call.length <= 100, `a call asks 1 to 100 ids, not ${call.length}`);
  figures.calls = after.map((c) => c.length);
  figures.ids_asked = all.length;
  await p.close();
});

for (const [mode, what] of [
  ["throws", "throws (its message quotes the ids)"],
  ["not-array", "answers something other than an array"],
  ["stranger", "answers an id it was not asked"],
]) {
  test(`a resolver that ${what} is a catalog error, said without the history`, async () => {
    const { p } = await open(page(mode));
    await p.waitForFunction(() => window.__events.some((e) => e.code === "catalog"), null, { timeout: LOAD_TIMEOUT });
    const event = (await p.evaluate(() => window.__events)).find((e) => e.code === "catalog");
    assert.equal(event.code, "catalog", event.message);
    assert.match(event.message, /itemInfo/);
    for (const id of HISTORY) assert.doesNotMatch(event.message, new RegExp(`\\b${id}\\b`), `the sentence names history item ${id}`);
    const alert = p.locator("why-this-item#main .wt-alert");
    await alert.filter({ hasText: "itemInfo" }).waitFor({ timeout: 10_000 });
    for (const id of HISTORY) assert.doesNotMatch(await alert.innerText(), new RegExp(`\\b${id}\\b`));
    figures[mode] = event.message;
    await p.close();
  });
}
