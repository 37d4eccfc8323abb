// Issue 15.2: pkg/custom-elements.json (Custom Elements Manifest, schema 2.x) held to the real element
// and to pkg/index.d.ts. In Debian's headless Chromium on the demo build: the attributes are exactly the
// element's observedAttributes, the members are defined on its prototype (a readonly one without a
// setter), the events are exactly the whythis-* events it fires, the CSS parts exactly the `part`
// names in its rendered shadow DOM (and styleable with ::part from the host page), the CSS properties
// exactly the ones its stylesheet reads. Against index.d.ts: the same members (WhyThisItemElement), the
// same attributes (WhyThisItemAttributes) and the same events with the same detail types
// (HTMLElementEventMap). Run by scripts/test-browser.sh after `trunk build` (the demo in dist/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { demoSuite, repo } from "./suite.mjs";

const LOAD_TIMEOUT = 180_000;
const manifest = JSON.parse(readFileSync(join(repo, "pkg/custom-elements.json"), "utf8"));
const pkg = JSON.parse(readFileSync(join(repo, "pkg/package.json"), "utf8"));
const dts = readFileSync(join(repo, "pkg/index.d.ts"), "utf8");
const suite = demoSuite({ name: "manifest", viewport: { width: 1100, height: 900 }, figuresFile: "manifest.json", figures: {} });

const sorted = (xs) => [...new Set(xs)].sort();
const element = manifest.modules.flatMap((m) => m.declarations.map((d) => ({ ...d, module: m.path }))).find((d) => d.tagName === "why-this-item");

/** The members of `interface NAME … { … }` in index.d.ts: name -> type text (comments dropped). */
function dtsInterface(name) {
  const start = dts.search(new RegExp(`interface ${name}\\b[^{]*\\{`));
  assert.ok(start >= 0, `index.d.ts declares ${name}`);
  let depth = 0;
  let i = dts.indexOf("{", start);
  const open = i;
  for (; i < dts.length; i++) {
    if (dts[i] === "{") depth++;
    if (dts[i] === "}" && --depth === 0) break;
  }
  const body = dts.slice(open + 1, i).replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const members = {};
  for (const line of body.split(/;\s*/).map((l) => l.trim()).filter(Boolean)) {
    const m = /^(?:readonly\s+)?("[^"]+"|[\w-]+)(\??)(\(\))?\s*:\s*([\s\S]+)$/.exec(line);
    assert.ok(m, `a member of ${name} this test can read: ${line}`);
    members[m[1].replace(/"/g, "")] = { type: m[4].trim(), readonly: /^readonly\s/.test(line), method: Boolean(m[3]), optional: m[2] === "?" };
  }
  return members;
}

test("custom-elements.json is a schema 2.x manifest that package.json points to, and declares <why-this-item>", () => {
  assert.match(manifest.schemaVersion, /^2\.\d+\.\d+$/);
  assert.equal(pkg.customElements, "custom-elements.json");
  assert.ok(pkg.files.includes("custom-elements.json"), "published with the package");
  for (const module of manifest.modules) {
    assert.equal(module.kind, "javascript-module");
    assert.ok(pkg.files.includes(module.path), `${module.path} is a file of the package`);
  }
  assert.ok(element, "a declaration with tagName why-this-item");
  assert.equal(element.customElement, true);
  const definition = manifest.modules.flatMap((m) => m.exports).find((e) => e.kind === "custom-element-definition");
  assert.deepEqual(definition, { kind: "custom-element-definition", name: "why-this-item", declaration: { name: element.name, module: element.module } });
  for (const list of ["attributes", "members", "events", "cssProperties", "cssParts"]) {
    assert.ok(element[list].length > 0, `${list} listed`);
    for (const entry of element[list]) assert.ok(entry.name && entry.description, `${list}: ${JSON.stringify(entry)} has a name and a description`);
  }
  // The functions index.js exports are the ones index.d.ts declares.
  const jsExports = manifest.modules.find((m) => m.path === "index.js").exports.filter((e) => e.kind === "js").map((e) => e.name);
  const declared = [...dts.matchAll(/^export function (\w+)/gm)].map((m) => m[1]);
  assert.deepEqual(sorted(jsExports), sorted(declared));
});

test("custom-elements.json agrees with index.d.ts: members, attributes, events and their details", () => {
  const members = dtsInterface("WhyThisItemElement");
  assert.deepEqual(sorted(Object.keys(members)), sorted(element.members.map((m) => m.name)), "WhyThisItemElement's members");
  for (const m of element.members) {
    const d = members[m.name];
    if (m.kind === "method") {
      assert.ok(d.method, `${m.name} is a method in both`);
      assert.equal(d.type, m.return.type.text, `${m.name} returns the same`);
    } else {
      assert.equal(d.type, m.type.text, `${m.name} has the same type`);
      assert.equal(d.readonly, Boolean(m.readonly), `${m.name} is readonly in both, or in neither`);
    }
  }
  const attributes = dtsInterface("WhyThisItemAttributes");
  assert.deepEqual(sorted(Object.keys(attributes)), sorted(element.attributes.map((a) => a.name)), "WhyThisItemAttributes' names");
  const events = dtsInterface("HTMLElementEventMap");
  assert.deepEqual(sorted(Object.keys(events)), sorted(element.events.map((e) => e.name)), "HTMLElementEventMap's whythis events");
  for (const e of element.events) assert.equal(events[e.name].type, e.type.text, `${e.name}'s detail type`);
});

test("custom-elements.json agrees with the real element: attributes, members, events, parts, CSS properties", async () => {
  const page = await suite.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // Every whythis-* event dispatched anywhere, by type.
  await page.addInitScript(() => {
    window.__fired = [];
    const dispatch = EventTarget.prototype.dispatchEvent;
    EventTarget.prototype.dispatchEvent = function (event) {
      if (event.type.startsWith("whythis")) window.__fired.push(event.type);
      return dispatch.call(this, event);
    };
  });
  // A worker that cannot start: the engine runs on the main thread and each panel shows its notice.
  const specs = ["w:50.181.172.1.121:top-k=2", "bad:50:model=/models/missing.card.json"];
  await page.goto(suite.server.url + "/e2e-fixtures/reliability.html?worker=/e2e-fixtures/no-such-worker.js&" + specs.map((s) => "w=" + encodeURIComponent(s)).join("&"));
  try {
    const found = await page.evaluate(async () => {
      const Element = await customElements.whenDefined("why-this-item");
      const proto = Element.prototype;
      const own = Object.getOwnPropertyNames(proto)
        .filter((n) => n !== "constructor" && !n.startsWith("_") && !/Callback$/.test(n))
        .map((n) => {
          const d = Object.getOwnPropertyDescriptor(proto, n);
          return { name: n, method: typeof d.value === "function", get: Boolean(d.get), set: Boolean(d.set) };
        });
      return { observed: Element.observedAttributes, own };
    });
    assert.deepEqual(sorted(found.observed), sorted(element.attributes.map((a) => a.name)), "attributes = observedAttributes");
    assert.deepEqual(sorted(found.own.map((m) => m.name)), sorted(element.members.map((m) => m.name)), "members = the prototype's public properties");
    for (const m of element.members) {
      const real = found.own.find((o) => o.name === m.name);
      if (m.kind === "method") assert.ok(real.method, `${m.name} is a method`);
      else {
        assert.ok(real.get, `${m.name} has a getter`);
        assert.equal(real.set, !m.readonly, `${m.name} has a setter unless readonly`);
      }
    }

    // Every view of the panel: explanation, deeper dive, feedback with a reason.
    const w = page.locator("why-this-item#w");
    const item = w.locator(".wt-item").first();
    await item.locator(".wt-why").click({ timeout: LOAD_TIMEOUT });
    await item.locator(".wt-narrative").waitFor({ timeout: LOAD_TIMEOUT });
    await item.locator(".wt-deep-toggle").click();
    await item.locator(".wt-ledger").waitFor();
    await item.locator(".wt-fb-yes").click();
    await page.locator("why-this-item#bad").locator(".wt-alert", { hasText: /could not be downloaded/ }).waitFor({ timeout: LOAD_TIMEOUT });

    const rendered = await page.evaluate(() => {
      const root = document.getElementById("w").shadowRoot;
      const parts = [...root.querySelectorAll("[part]")].flatMap((e) => [...e.part]);
      const css = [...root.adoptedStyleSheets].flatMap((s) => [...s.cssRules].map((r) => r.cssText)).join("\n");
      return { parts, css, fired: window.__fired };
    });
    assert.deepEqual(sorted(rendered.parts), sorted(element.cssParts.map((p) => p.name)), "parts = the part names of the rendered shadow DOM");
    const properties = [...rendered.css.matchAll(/var\((--whythis-[\w-]+)/g)].map((m) => m[1]);
    assert.deepEqual(sorted(properties), sorted(element.cssProperties.map((p) => p.name)), "CSS properties = the ones the stylesheet reads");

    // ::part styles the panel from the host page's own stylesheet.
    const styled = await page.evaluate(() => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync("why-this-item::part(list) { outline: 3px solid rgb(1, 2, 3); } why-this-item::part(narrative) { letter-spacing: 2px; }");
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      const root = document.getElementById("w").shadowRoot;
      return [getComputedStyle(root.querySelector(".wt-list")).outlineColor, getComputedStyle(root.querySelector(".wt-narrative")).letterSpacing];
    });
    assert.deepEqual(styled, ["rgb(1, 2, 3)", "2px"]);
    // A lasting choice (it re-ranks, so after the parts and their styles were read): whythis-controls.
    await item.locator(".wt-not-interested").click();
    await page.waitForFunction(() => window.__fired.includes("whythis-controls"), null, { timeout: LOAD_TIMEOUT });
    rendered.fired = await page.evaluate(() => window.__fired);
    assert.deepEqual(sorted(rendered.fired), sorted(element.events.map((e) => e.name)), "events = the whythis events fired");
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
