// The visitor's lasting controls in the demo storefront (issue 13), by keyboard only: each is set,
// announced in the polite live region, reported to the page as whythis-controls, still applied after a
// reload, undone, and reset after a confirmation; the host page reads and sets them as el.controls;
// axe-core finds nothing on the panel with its controls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { artifacts, demoSuite, here } from "./suite.mjs";

const LOAD_TIMEOUT = 180_000;
const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");
const suite = demoSuite({ name: "controls", viewport: { width: 1280, height: 900 }, figuresFile: "controls.json", figures: {} });

const doc = (page) => page.evaluate(() => document.querySelector("#main-widget").explanation);
const controlsEvents = (page) => page.evaluate(() => window.__controls);

async function idle(page) {
  await page.waitForFunction(() => {
    const root = document.querySelector("#main-widget")?.shadowRoot;
    return root && root.querySelector(".wt-list")?.getAttribute("aria-busy") === "false" && root.querySelector(".wt-item");
  }, null, { timeout: LOAD_TIMEOUT });
}

/** Moves the keyboard focus to `locator` and presses `key` (Enter submits a form, Space a switch). */
async function press(locator, key = "Enter") {
  await locator.focus();
  await locator.press(key);
}

async function status(widget, pattern) {
  await widget.locator(".wt-status", { hasText: pattern }).waitFor({ timeout: LOAD_TIMEOUT });
}

test("controls are set by keyboard, announced, kept across a reload, undone and reset", async () => {
  const page = await suite.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => {
    errors.push(`a dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.addInitScript(() => {
    window.__controls = [];
    window.__errors = [];
    document.addEventListener("whythis-controls", (e) => window.__controls.push(e.detail));
    document.addEventListener("whythis-error", (e) => window.__errors.push(e.detail));
  });
  await page.goto(suite.server.url + "/");
  await page.selectOption("#user", { index: 1 });
  await idle(page);
  const w = page.locator("why-this-item#main-widget");
  const full = await doc(page);
  const fullWindow = full.window.length;
  assert.ok(fullWindow > 4, "a history long enough to cut");

  // Not interested, by keyboard: open the first panel with Enter, then press the button.
  const first = w.locator(".wt-item").first();
  const hidden = Number(await first.getAttribute("data-item"));
  await press(first.locator(".wt-why"));
  await press(first.locator(".wt-not-interested"));
  await status(w, /^Not interested in/);
  await idle(page);
  let events = await controlsEvents(page);
  assert.deepEqual(events.at(-1).controls.not_interested, [hidden]);
  assert.equal(events.at(-1).stored, true);
  assert.ok(!(await doc(page)).recommendations.some((r) => r.item === hidden), "never recommended again");
  assert.match(await w.locator(".wt-controls-said").innerText(), /not interested in is never shown/);

  // Use only my last 3 events (a form: type, Enter), then undo it.
  await w.locator("#wt-recent-n").fill("3");
  await press(w.locator("#wt-recent-n"));
  await status(w, /Only your 3 most recent events are used now/);
  await idle(page);
  assert.equal((await doc(page)).window.length, 3);
  await press(w.locator(".wt-undo"));
  await status(w, /^Undone: Only your 3 most recent/);
  await idle(page);
  assert.equal((await doc(page)).window.length, fullWindow, "undo gives back every event");
  assert.ok(!(await doc(page)).recommendations.some((r) => r.item === hidden), "undo took back the last choice only");
  await w.locator("#wt-recent-n").fill("3");
  await press(w.locator("#wt-recent-n"));
  await status(w, /Only your 3 most recent/);
  await idle(page);

  // "Don't use" one event of the timeline (the most recent), by keyboard.
  await press(w.locator(".wt-item").first().locator(".wt-why"));
  const unuse = w.locator(".wt-item").first().locator(".wt-unuse").first();
  await press(unuse);
  await status(w, /is not used for your recommendations now/);
  await idle(page);
  events = await controlsEvents(page);
  assert.equal(events.at(-1).controls.unused_events.length, 1);
  assert.equal(events.at(-1).controls.last_events, 3);
  await w.locator(".wt-item").first().waitFor();
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } })).violations.map((v) => v.id),
  );
  assert.deepEqual(violations, [], "axe-core on the panel with its controls");
  await page.screenshot({ path: join(artifacts, "controls.png"), fullPage: true });
  const before = await page.evaluate(() => document.querySelector("#main-widget").controls);

  // A reload: the same history (the shop keeps it) and every choice still applied.
  await page.reload();
  await idle(page);
  const kept = await page.evaluate(() => document.querySelector("#main-widget").controls);
  assert.deepEqual(kept, before, "the controls survive a reload");
  const after = await doc(page);
  assert.ok(!after.recommendations.some((r) => r.item === hidden));
  assert.equal(after.window.length, 3);
  assert.equal(after.controls.by_event + after.controls.by_recency, after.controls.events_left_out);

  // The choices made, listed in the core's words, each taken back alone (by keyboard): the others stay.
  const listed = await w.locator(".wt-choices li > span").allInnerTexts();
  assert.deepEqual(listed, after.controls.choices.map((c) => c.sentence));
  assert.equal(listed.length, 3, "not interested, one event, the last 3");
  await press(w.locator(".wt-take-back").first());
  await status(w, /^Taken back: Not interested in/);
  await idle(page);
  const left = await page.evaluate(() => document.querySelector("#main-widget").controls);
  assert.deepEqual(left, { ...before, not_interested: [] });
  assert.equal(await w.locator(".wt-choices li").count(), 2);
  await press(w.locator(".wt-undo"));
  await status(w, /^Undone: Taken back/);
  await idle(page);
  assert.deepEqual(await page.evaluate(() => document.querySelector("#main-widget").controls), before);

  // Picks not based on my history: a switch, by Space.
  await press(w.locator(".wt-not-personalised"), " ");
  await status(w, /Showing picks not based on your history/);
  await idle(page);
  assert.equal(await w.locator(".wt-not-personalised").getAttribute("aria-checked"), "true");
  const general = await doc(page);
  assert.equal(general.window.length, 0);
  assert.match(general.controls.sentence, /not based on your history/);
  await press(w.locator(".wt-not-personalised"), " ");
  await status(w, /Your history is used again/);
  await idle(page);

  // The host page sets the controls; something that is not controls is refused with an error event.
  await page.evaluate(() => {
    document.querySelector("#main-widget").controls = { not_intrested: [1] };
  });
  await page.waitForFunction(() => window.__errors.some((e) => e.code === "options"), null, { timeout: LOAD_TIMEOUT });
  await page.evaluate((item) => {
    document.querySelector("#main-widget").controls = { not_interested: [item], last_events: 5 };
  }, hidden);
  await idle(page);
  await page.waitForFunction(() => document.querySelector("#main-widget").explanation?.window.length === 5, null, { timeout: LOAD_TIMEOUT });

  // Reset: asks first (no browser dialog), then forgets every choice and the feedback log.
  await press(w.locator(".wt-reset"));
  assert.equal(await w.locator(".wt-reset").getAttribute("aria-expanded"), "true");
  await press(w.locator(".wt-reset-yes"));
  await status(w, /Everything was reset/);
  await idle(page);
  assert.deepEqual(await page.evaluate(() => document.querySelector("#main-widget").controls), {
    not_interested: [], unused_events: [], unused_tags: [], unused_before: null, last_events: null, not_personalised: false,
  });
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("whythis.controls."))), []);
  assert.equal((await doc(page)).window.length, fullWindow);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the panel answers 'why this, and what else?' and says how the picks are made", async () => {
  const page = await suite.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(suite.server.url + "/");
  await page.selectOption("#user", { index: 1 });
  await idle(page);
  const w = page.locator("why-this-item#main-widget");
  // Recourse: the document's steps, in the panel, in order; the alternative is a title not shown now.
  // The document is read once it holds them: the first one the widget holds may be its first pass.
  await press(w.locator(".wt-item").first().locator(".wt-why"));
  await w.locator(".wt-item").first().locator(".wt-recourse li").first().waitFor({ timeout: LOAD_TIMEOUT });
  await page.waitForFunction(() => document.querySelector("#main-widget").explanation?.recommendations[0]?.recourse, null, { timeout: LOAD_TIMEOUT });
  const document_ = await doc(page);
  const first = document_.recommendations[0];
  const steps = await w.locator(".wt-item").first().locator(".wt-recourse li").allInnerTexts();
  assert.equal(steps.length, 3, "what weighed most, what that did, an alternative");
  assert.deepEqual(steps.map((s) => s.trim()), first.recourse.steps);
  const alternative = first.recourse.alternative;
  if (alternative) {
    assert.ok(!document_.recommendations.some((r) => r.item === alternative.item), "the alternative is not among the picks shown");
    assert.ok(steps[2].includes(alternative.name.short), "the third step names the alternative");
  }

  // Main parameters: closed at first, opened by keyboard, the document's sentences.
  const toggle = w.locator(".wt-parameters-toggle");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.equal(await w.locator("[part=parameters]").isVisible(), false);
  await press(toggle);
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  assert.ok(await w.locator("[part=parameters]").isVisible());
  const text = await w.locator("[part=parameters]").innerText();
  for (const sentence of [...document_.parameters.uses, ...document_.parameters.weighs]) assert.ok(text.includes(sentence), sentence);

  // The host's link to its terms: a web link is shown, a script link never is.
  await page.evaluate(() => document.querySelector("#main-widget").setAttribute("parameters-href", "/terms#recs"));
  await w.locator("[part=parameters] a").waitFor({ state: "attached", timeout: LOAD_TIMEOUT });
  assert.equal(await w.locator("[part=parameters] a").getAttribute("href"), "/terms#recs");
  await page.evaluate(() => document.querySelector("#main-widget").setAttribute("parameters-href", " javascript:alert(1)"));
  await w.locator("[part=parameters] a").waitFor({ state: "detached", timeout: LOAD_TIMEOUT });
  assert.deepEqual(errors, []);
  await page.close();
});
