// Issue 14, deliverables 2 and 3, in Chromium: a card packed by `whythis pack` (tract's NNEF form, the
// sha256 of every file) runs in the widget's worker and explains as the ONNX card does; a packed file
// changed after packing is refused in words, with a whythis-error of code "integrity".
// Run by scripts/test-browser.sh after `trunk build` (the demo in dist/) and the native tests (the CLI).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoSuite, repo } from "./suite.mjs";

const LOAD_TIMEOUT = 180_000;
const root = mkdtempSync(join(tmpdir(), "whythis-packed-"));
const suite = demoSuite({ name: "packed", viewport: { width: 1100, height: 900 }, mounts: { "/packed-e2e/": root }, figuresFile: "packed.json", figures: {} });
const HISTORY = [{ item: 50, action: "rated_5" }, { item: 181, action: "rated_4" }, { item: 172, action: "rated_5" }, { item: 258 }, { item: 286 }];

before(() => {
  // The CLI the native tests built (scripts/test.sh runs them first), else built here.
  const built = join(process.env.CARGO_TARGET_DIR || join(repo, "target"), "debug", "whythis");
  const [command, args] = existsSync(built) ? [built, []] : ["cargo", ["run", "--quiet", "--offline", "--bin", "whythis", "--"]];
  const cli = spawnSync(command, [...args, "pack", "models/sasrec.card.json", "--out", join(root, "good")], { cwd: repo, encoding: "utf8" });
  assert.equal(cli.status, 0, `whythis pack failed:\n${cli.stderr}`);
  for (const [dir, file] of [["model", "sasrec.nnef.tar"], ["catalog", "catalog.json"], ["embedding", "sasrec.embedding.f32"]]) {
    cpSync(join(root, "good"), join(root, dir), { recursive: true });
    const bytes = readFileSync(join(root, dir, file));
    // One bit, in the middle: what a truncated download or a swapped file looks like to a hash.
    bytes[bytes.length >> 1] ^= 1;
    writeFileSync(join(root, dir, file), bytes);
  }
  const widgets = ["/models/sasrec.card.json", "good", "model", "catalog", "embedding"]
    .map((m, i) => `<why-this-item id="w${i}" loading="eager" top-k="5" model="${m.startsWith("/") ? m : `/packed-e2e/${m}/sasrec.card.json`}"></why-this-item>`)
    .join("\n");
  writeFileSync(join(root, "page.js"), `import { start } from "/pkg/index.js";
window.__errors = [];
document.addEventListener("whythis-error", (e) => window.__errors.push({ target: e.target.id, ...e.detail }));
for (const el of document.querySelectorAll("why-this-item")) el.history = ${JSON.stringify(HISTORY)};
await start();
`);
  writeFileSync(join(root, "page.html"), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>packed</title>
<script type="module" src="page.js"></script></head><body><main>${widgets}</main></body></html>`);
  writeFileSync(join(root, "only.html"), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>packed only</title>
<script type="module" src="page.js"></script></head><body><main><why-this-item id="p" loading="eager" top-k="3" model="/packed-e2e/good/sasrec.card.json"></why-this-item></main></body></html>`);
});

test("a packed card explains in the worker as its ONNX card does; a changed file is refused as integrity", async () => {
  const page = await suite.context.newPage();
  const workers = [];
  page.on("worker", (w) => workers.push(w.url()));
  await page.goto(suite.server.url + "/packed-e2e/page.html");
  const explained = (id) =>
    page.waitForFunction((id) => {
      const doc = document.getElementById(id)?.explanation;
      return doc && doc.recommendations.length === 5 && doc.recommendations.every((r) => r.narrative) ? doc : null;
    }, id, { timeout: LOAD_TIMEOUT }).then((h) => h.jsonValue());
  const [onnx, packed] = await Promise.all([explained("w0"), explained("w1")]);
  assert.ok(workers.length > 0, "the engine runs in a worker");
  assert.deepEqual(packed.recommendations.map((r) => r.item), onnx.recommendations.map((r) => r.item), "the same top 5");
  for (const [a, b] of onnx.recommendations.map((r, i) => [r, packed.recommendations[i]])) {
    assert.ok(Math.abs(a.score - b.score) <= 1e-5, `score of ${a.item}: ${a.score} against ${b.score}`);
    assert.equal(b.narrative, a.narrative, "the same narrative");
  }
  assert.deepEqual(
    suite.served.filter(([, , u]) => u.startsWith("/packed-e2e/good/")).map(([, , u]) => u.split("/").pop()).sort(),
    ["catalog.json", "sasrec.card.json", "sasrec.embedding.f32", "sasrec.nnef.tar"],
    "a packed card downloads its archive, embeddings and catalog, and no ONNX file",
  );

  for (const [id, file] of [["w2", "sasrec.nnef.tar"], ["w3", "catalog.json"], ["w4", "sasrec.embedding.f32"]]) {
    const alert = page.locator(`why-this-item#${id}`).locator('[role="alert"]').first();
    await alert.filter({ hasText: `the file "${file}" is not the one the model card names` }).waitFor({ timeout: LOAD_TIMEOUT }).catch(async () => {
      assert.fail(`${id}: alert says ${JSON.stringify(await alert.innerText().catch(() => "(none)"))}`);
    });
    const errors = await page.evaluate((id) => window.__errors.filter((e) => e.target === id), id);
    assert.ok(errors.length > 0 && errors.every((e) => e.code === "integrity"), `${id}: ${JSON.stringify(errors)}`);
  }
  await page.close();
});

test("a page whose models are all packed downloads only the small engine, which refuses an ONNX card in words", async () => {
  const page = await suite.context.newPage();
  const from = suite.served.length;
  await page.goto(suite.server.url + "/packed-e2e/only.html");
  await page.waitForFunction(() => document.getElementById("p")?.explanation?.recommendations.every((r) => r.narrative), null, { timeout: LOAD_TIMEOUT });
  const fetched = suite.served.slice(from).map(([, , u]) => u);
  assert.ok(fetched.includes("/pkg/whythis_engine_nnef_bg.wasm"), `the small engine was fetched: ${fetched}`);
  assert.ok(!fetched.includes("/pkg/whythis_engine_bg.wasm"), "the ONNX engine was not");
  const refused = await page.evaluate(async () => {
    const glue = await import("/pkg/whythis_engine_nnef.js");
    await glue.default({ module_or_path: new URL("/pkg/whythis_engine_nnef_bg.wasm", location.href) });
    const bytes = async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer());
    try {
      new glue.Engine(await bytes("/models/sasrec.card.json"), await bytes("/models/sasrec.onnx"));
      return null;
    } catch (e) {
      return { code: e.code, message: e.message };
    }
  });
  assert.equal(refused?.code, "model", JSON.stringify(refused));
  assert.match(refused.message, /runs packed models only .* the card names an ONNX model/);
  await page.close();
});
