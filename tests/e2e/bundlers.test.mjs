// Issue 15.1: whythis installed as an npm dependency (`"whythis": "file:../../pkg"`) of two apps built
// by bundlers, examples/vite-react (Vite + React 19) and examples/webpack-vue (webpack 5 + Vue 3). Each
// is built here (npm ci, then npm run build, which copies the default model in), its dist served on
// 127.0.0.1 with the demo's strict CSP, and opened in Debian's headless Chromium: the widget ranks and
// explains with the engine in its worker (the worker fetched the engine's wasm, the page did not, and
// no main-thread task over 50 ms while it explained), the app's own handler hears whythis-feedback,
// and no request leaves the origin. Needs pkg/ built (scripts/build-pkg.sh; test-browser.sh's trunk
// build does it). WHYTHIS_EXAMPLES_BUILT=1 skips the builds and serves the dists as they are.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./chromium.mjs";
import { demoPolicy, serve, trustedTypesPolicy } from "./server.mjs";
import { artifacts, repo } from "./suite.mjs";

const LOAD_TIMEOUT = 180_000;
// `policies`: the Trusted Types policies the app's page allows (Vue makes one of its own, "vue").
const APPS = [
  { name: "vite-react", framework: "React", policies: "whythis" },
  { name: "webpack-vue", framework: "Vue", policies: "whythis vue" },
];
const figures = {};
let context;

function npm(dir, ...args) {
  execFileSync("npm", args, { cwd: dir, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false" } });
}

before(async () => {
  assert.ok(existsSync(join(repo, "pkg/whythis_engine_bg.wasm")), "pkg/ is not built: run scripts/build-pkg.sh");
  for (const app of APPS) {
    const dir = join(repo, "examples", app.name);
    if (!process.env.WHYTHIS_EXAMPLES_BUILT) {
      const started = Date.now();
      // From the committed lock; offline once npm's cache has the packages.
      try {
        npm(dir, "ci", "--offline");
      } catch {
        npm(dir, "ci");
      }
      figures[`${app.name}_npm_ci_ms`] = Date.now() - started;
      const built = Date.now();
      npm(dir, "run", "build");
      figures[`${app.name}_build_ms`] = Date.now() - built;
    }
    app.dist = join(dir, "dist");
    assert.ok(existsSync(join(app.dist, "index.html")), `${app.name} has no build in ${app.dist}`);
    app.server = await serve(app.dist, { headers: { "content-security-policy": demoPolicy() } });
    app.trusted = await serve(app.dist, { headers: { "content-security-policy": trustedTypesPolicy(app.policies) } });
  }
  context = await launchChromium("bundlers", { width: 1100, height: 900 });
});

after(async () => {
  writeFileSync(join(artifacts, "bundlers.json"), JSON.stringify(figures, null, 2));
  await context?.close();
  for (const app of APPS) {
    await app.server?.close();
    await app.trusted?.close();
  }
});

/** Every file of a build, recursively, relative to it. */
function files(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

for (const app of APPS) {
  test(`${app.name}: the widget ranks and explains in its worker, the app hears feedback, nothing leaves the origin`, async () => {
    const started = Date.now();
    const built = files(app.dist);
    // The bundler followed the package: the page's wasm, both engines' and a worker chunk are in the build.
    assert.ok(built.some((f) => /whythis_ui_bg.*\.wasm$/.test(f)), `no page wasm in ${built}`);
    assert.ok(built.some((f) => /whythis_engine_bg.*\.wasm$/.test(f)), `no ONNX engine wasm in ${built}`);
    assert.ok(built.some((f) => /whythis_engine_nnef_bg.*\.wasm$/.test(f)), `no small engine wasm in ${built}`);

    const page = await context.newPage();
    const seen = { requests: [], errors: [], console: [], workers: [] };
    page.on("request", (r) => seen.requests.push(r.url()));
    page.on("pageerror", (e) => seen.errors.push(String(e)));
    page.on("console", (m) => seen.console.push(`${m.type()}: ${m.text()}`));
    page.on("worker", (w) => seen.workers.push(w));
    await page.addInitScript(() => {
      window.__longtasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
      window.__feedback = [];
      document.addEventListener("whythis-feedback", (e) => window.__feedback.push(e.detail));
    });
    try {
      await page.goto(app.server.url + "/");
      const el = page.locator("why-this-item");
      await page.waitForFunction(() => {
        const root = document.querySelector("why-this-item")?.shadowRoot;
        return root && root.querySelector(".wt-list")?.getAttribute("aria-busy") === "false" && root.querySelector(".wt-item");
      }, null, { timeout: LOAD_TIMEOUT });
      figures[`${app.name}_first_ranking_ms`] = Date.now() - started;
      assert.equal(await el.locator(".wt-item").count(), 3, "top-k=3 ranked");

      // Each of the three items explained in turn, with the main-thread long tasks that began while it
      // was. On the engine's main-thread fallback one explanation is a single task of hundreds of ms;
      // in the worker the page only renders. A loaded machine (2 shared cores) can stretch a render
      // past 50 ms now and then, so the figure asserted is the best of the three.
      const runs = [];
      for (let i = 0; i < 3; i++) {
        const item = el.locator(".wt-item").nth(i);
        const from = await page.evaluate(() => performance.now());
        await item.locator(".wt-why").click();
        await item.locator(".wt-narrative").waitFor({ timeout: LOAD_TIMEOUT });
        const to = await page.evaluate(() => performance.now());
        const longtasks = await page.evaluate(() => window.__longtasks);
        const during = longtasks.filter((t) => t.start >= from && t.start <= to);
        runs.push({ ms: Math.round(to - from), longest: Math.round(Math.max(0, ...during.map((t) => t.duration))) });
        assert.ok((await item.locator(".wt-narrative").innerText()).length > 20, "the narrative is there");
      }
      const longtasks = await page.evaluate(() => window.__longtasks);
      figures[`${app.name}_explanations`] = runs;
      figures[`${app.name}_longest_task_whole_page_ms`] = Math.round(Math.max(0, ...longtasks.map((t) => t.duration)));
      const best = Math.min(...runs.map((r) => r.longest));
      assert.ok(best <= 50, `an explanation with no main-thread task over 50 ms (longest per explanation: ${runs.map((r) => r.longest)} ms)`);
      const item = el.locator(".wt-item").first();

      // The engine is in a worker, which fetched the small engine's wasm itself (the app's model is
      // packed); the page fetched no engine, and nobody the ONNX engine.
      assert.equal(seen.workers.length, 1, "one worker");
      const workerFetches = await seen.workers[0].evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
      assert.ok(workerFetches.some((u) => /whythis_engine_nnef_bg.*\.wasm$/.test(new URL(u).pathname)), `the worker fetched the small engine's wasm: ${workerFetches}`);
      const pageFetches = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
      assert.ok(!pageFetches.some((u) => /whythis_engine/.test(u) && /\.wasm$/.test(new URL(u).pathname)), "the page did not fetch an engine");
      assert.ok(seen.requests.some((u) => /whythis_engine_nnef_bg.*\.wasm$/.test(u)), "the browser saw the worker's wasm request");
      assert.ok(!seen.requests.some((u) => /whythis_engine_bg.*\.wasm$/.test(u)), "a packed model never downloads the ONNX engine");

      // "Was this helpful?": the event reaches the document and the app's own handler (React's
      // onwhythis-feedback, Vue's onWhythisFeedback), which renders it.
      await item.locator(".wt-fb-yes").click();
      await page.waitForFunction(() => window.__feedback.length === 1);
      const [feedback] = await page.evaluate(() => window.__feedback);
      assert.equal(feedback.helpful, true);
      assert.equal(feedback.rank, 1);
      await page.locator("#answers", { hasText: `1 answers: ${feedback.item}:yes` }).waitFor({ timeout: 10_000 });

      const origin = new URL(app.server.url).origin;
      const away = seen.requests.filter((u) => !u.startsWith("data:") && !u.startsWith("blob:") && new URL(u).origin !== origin);
      assert.deepEqual(away, [], "no request left the origin");
      assert.deepEqual(seen.errors, [], "no uncaught error");
      assert.deepEqual(seen.console.filter((m) => /^error|whythis/i.test(m)), [], "no console error or whythis warning");
      await page.screenshot({ path: join(artifacts, `bundler-${app.name}.png`), fullPage: true });
    } finally {
      figures[`${app.name}_test_ms`] = Date.now() - started;
      await page.close();
    }
  });
}

// Issue 17 once bundled: the whythis policy admits the worker URL the bundler wrote, so a page that
// enforces Trusted Types (and names the policy) still runs the engine in its worker.
for (const app of APPS) {
  test(`${app.name} under Trusted Types (trusted-types ${app.policies}): the bundled worker is admitted, no violation`, async () => {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.addInitScript(() => {
      window.__violations = [];
      window.__errors = [];
      document.addEventListener("securitypolicyviolation", (e) => window.__violations.push({ directive: e.violatedDirective, sample: e.sample }));
      document.addEventListener("whythis-error", (e) => window.__errors.push(e.detail));
    });
    try {
      await page.goto(app.trusted.url + "/");
      await page.waitForFunction(() => {
        const root = document.querySelector("why-this-item")?.shadowRoot;
        return root && root.querySelector(".wt-list")?.getAttribute("aria-busy") === "false" && root.querySelector(".wt-item");
      }, null, { timeout: LOAD_TIMEOUT });
      assert.equal(page.workers().length, 1, "the engine runs in its worker");
      assert.deepEqual(await page.evaluate(() => window.__violations), [], "no securitypolicyviolation");
      assert.deepEqual(await page.evaluate(() => window.__errors), [], "no whythis-error (no main-thread fallback)");
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
}
