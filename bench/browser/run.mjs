// Browser bench: whythis (tract compiled to wasm) against onnxruntime-web on the same model bytes and the
// same input tensors, in Debian's headless Chromium driven by playwright-core; plus the widget's size
// report and its main-thread figures, for the ONNX card and its packed form (whythis pack: the small
// engine). Usage: node bench/browser/run.mjs [--quick] [--download-only] [--card URL] [--packed-card URL]
// --download-only measures only what issue 14 asks: every file fetched, and model bytes → first ranking
// cold, for both engines and onnxruntime-web (no scoring or explanation timings).
// Prints a summary and writes every figure to bench/out/browser.json. Built by bench/browser/build.sh.
import { createServer } from "node:http";
import { mkdirSync, readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync, constants as zlib } from "node:zlib";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const out = join(repo, "bench/out");
mkdirSync(out, { recursive: true });
const quick = process.argv.includes("--quick");
const cardArg = process.argv.indexOf("--card");
const CARD = cardArg > 0 ? process.argv[cardArg + 1] : "/models/sasrec.card.json";
const packedArg = process.argv.indexOf("--packed-card");
const PACKED_CARD = packedArg > 0 ? process.argv[packedArg + 1] : "/models/sasrec.packed.card.json";
const downloadOnly = process.argv.includes("--download-only");
const HISTORY = "/bench/out/history.json";
const TIMEOUT = 600_000;
const ORT_DIST = "/bench/browser/node_modules/onnxruntime-web/dist/";

for (const needed of ["pkg/whythis_engine_bg.wasm", "pkg/whythis_engine_nnef_bg.wasm", "bench/out/wasm_scoring/wasm_scoring_bg.wasm", "bench/browser/node_modules/onnxruntime-web"]) {
  if (!existsSync(join(repo, needed))) {
    console.error(`${needed} is missing: run bench/browser/build.sh first (bench/run.sh does).`);
    process.exit(1);
  }
}

// The history every measurement explains: the first fixture user whose history fills the 50-event window
// (the one bench/native.rs and the criterion benches use).
const fixtures = JSON.parse(readFileSync(join(repo, "tests/fixtures/windows.json"), "utf8"));
const card = JSON.parse(readFileSync(join(repo, CARD), "utf8"));
const history = fixtures.find((e) => e.history.length >= card.seq_len).history;
writeFileSync(join(out, "history.json"), JSON.stringify(history));

// A static server of the repository, logging every path it serves (workers' requests included).
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };
const served = [];
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  served.push(path);
  const file = normalize(join(repo, path));
  if (!file.startsWith(repo) || !existsSync(file) || statSync(file).isDirectory()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream", "cache-control": "no-store" });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** A fresh context and page (empty cache), with its errors logged. */
async function freshPage(path, init) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (e) => console.error(`page error: ${e}`));
  page.on("console", (m) => m.type() === "error" && console.error(`console: ${m.text()}`));
  if (init) await page.addInitScript(init.fn, init.arg);
  await page.goto(origin + path);
  return { context, page };
}

async function onBenchPage(fn, ...args) {
  const { context, page } = await freshPage("/bench/browser/bench.html");
  await page.waitForFunction(() => window.benchReady);
  try {
    return await page.evaluate(fn, args);
  } finally {
    await context.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function sizes(paths) {
  return [...new Set(paths)].sort().map((path) => {
    const body = readFileSync(join(repo, path));
    return {
      file: path,
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      brotli: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }).length,
    };
  });
}
const total = (rows) => rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });

// The machine's load average before and after: figures taken on a busy shared machine are pessimistic.
const result = { date: new Date().toISOString(), quick, card: CARD, history_events: history.length, chromium: browser.version(), load_before: loadavg() };
console.error(`browser bench on ${CARD} in Chromium ${browser.version()}${quick ? " (quick)" : ""}`);

// (a) Model bytes → first recommendations, each engine cold on a fresh page (runtime loaded first), then
// both warm in one page, interleaved.
const coldRuns = quick ? 1 : 5;
const cold = { tract: [], "tract-packed": [], ort: [] };
let ortFiles = [];
for (let r = 0; r < coldRuns; r++) {
  for (const engine of Object.keys(cold)) {
    const before = served.length;
    const cardUrl = engine === "tract-packed" ? PACKED_CARD : CARD;
    const figures = await onBenchPage(([e, c, h]) => window.bench.firstRecommendations(e, c, h), engine, cardUrl, HISTORY);
    cold[engine].push(figures);
    if (engine === "ort") ortFiles = served.slice(before).filter((p) => p.startsWith(ORT_DIST));
  }
}
const summarise = (runs) => ({
  runs: runs.length,
  runtime_ms: median(runs.map((r) => r.runtime_ms)),
  model_ms: median(runs.map((r) => r.model_ms)),
  total_ms: median(runs.map((r) => r.total_ms)),
  top: runs[0].top,
});
result.first_recommendations_cold = Object.fromEntries(Object.entries(cold).map(([e, runs]) => [e, summarise(runs)]));
if (!downloadOnly) {
result.first_recommendations_warm = await onBenchPage(([c, h, n]) => window.bench.warmFirstRecommendations(c, h, n), CARD, HISTORY, quick ? 3 : 11);
console.error("first recommendations:", JSON.stringify(result.first_recommendations_warm));

// (b) Batch-1 and leave-one-out scoring, interleaved, medians.
result.scoring = await onBenchPage(([c, h, n]) => window.bench.scoring(c, h, n), CARD, HISTORY, quick ? 7 : 31);
result.scoring.ratio_loo = result.scoring.tract_loo_ms / result.scoring.ort_loo_ms;
result.scoring.ratio_batch1 = result.scoring.tract_batch1_ms / result.scoring.ort_batch1_ms;
console.error("scoring:", JSON.stringify(result.scoring));

// (c) The whole top-10 explanation (tract only): the defaults (paired KernelSHAP to its accuracy goal), the
// widget's first pass (ExplainOptions::first_pass), and the old permutation sampler at 256; and the time
// onnxruntime-web would need just to score the same number of windows (it has no explainer).
result.explanation = [];
const variants = [
  ["default (kernel, 3 % goal)", {}],
  ["first pass", { shapley_coalitions: 2 }],
  ["permutation, 256", { estimator: "permutation", permutations: 256 }],
];
for (const [label, extra] of variants) {
  const e = await onBenchPage(([c, h, x, n]) => window.bench.explanation(c, h, x, n), CARD, HISTORY, extra, quick ? 1 : 3);
  e.label = label;
  e.ort_scoring_only_estimate_ms = (e.windows * result.scoring.ort_loo_ms) / result.scoring.batch;
  result.explanation.push(e);
  console.error("explanation:", JSON.stringify(e));
}
}

// (d) + (e) The widget as a storefront embeds it (pkg/, Web Worker): what it fetches, the longest
// main-thread task from load to the last explanation, and click → panel once explained; on the ONNX card
// and on its packed form.
result.widgets = {};
result.size = { ort: sizes(ortFiles) };
result.size.ort_total = total(result.size.ort);
for (const [form, cardUrl] of [["onnx", CARD], ["packed", PACKED_CARD]]) {
  const before = served.length;
  const { context, page } = await freshPage(`/bench/browser/widget.html?model=${encodeURIComponent(cardUrl)}`, {
    fn: (h) => {
      localStorage.setItem("whythis-bench-history", h);
      window.__longtasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longtasks.push(entry.duration);
      }).observe({ type: "longtask", buffered: true });
    },
    arg: JSON.stringify(history),
  });
  const t0 = Date.now();
  await page.waitForFunction(() => document.querySelector("#w")?.shadowRoot?.querySelector(".wt-item"));
  const firstRanking = Date.now() - t0;
  // The first item's panel, opened at once: its first content is the first pass on a long window.
  await page.evaluate(() => document.querySelector("#w").shadowRoot.querySelector(".wt-why").click());
  await page.waitForFunction(() => document.querySelector("#w").shadowRoot.querySelector(".wt-narrative"));
  const firstPanel = Date.now() - t0;
  const firstPanelRefining = await page.evaluate(() => !!document.querySelector("#w").shadowRoot.querySelector(".wt-refining"));
  await page.evaluate(() => document.querySelector("#w").shadowRoot.querySelector(".wt-why").click());
  await page.waitForFunction(() => document.querySelector("#w").explanation?.recommendations.every((r) => r.narrative));
  const explained = Date.now() - t0;
  const clicks = [];
  for (let i = 0; i < 10; i++) {
    clicks.push(
      await page.evaluate(async (index) => {
        const root = document.querySelector("#w").shadowRoot;
        const button = root.querySelectorAll(".wt-why")[index];
        const panelShown = () => root.querySelector(`#${button.getAttribute("aria-controls")} .wt-narrative`);
        const t0 = performance.now();
        button.click();
        // Frames until the panel is in the DOM: 0 = in the click's own task, 1 = by the next frame.
        let frames = 0;
        while (!panelShown()) {
          await new Promise(requestAnimationFrame);
          frames += 1;
          if (frames > 600) throw new Error("the panel did not open within 600 frames");
        }
        const ms = performance.now() - t0;
        button.click(); // close it again
        return { ms, frames };
      }, i),
    );
  }
  const longtasks = await page.evaluate(() => window.__longtasks);
  result.widgets[form] = {
    history_to_first_ranking_ms: firstRanking,
    history_to_first_panel_ms: firstPanel,
    first_panel_was_first_pass: firstPanelRefining,
    history_to_all_explained_ms: explained,
    click_to_panel_ms: median(clicks.map((c) => c.ms)),
    click_to_panel_max_frames: Math.max(...clicks.map((c) => c.frames)),
    longest_task_ms: longtasks.length ? Math.max(...longtasks) : 0,
    long_tasks: longtasks.length,
  };
  await context.close();
  const widgetFiles = served.slice(before).filter((p) => !p.startsWith("/models/") && !p.startsWith("/bench/browser/widget") && p !== "/favicon.ico");
  const rows = sizes(widgetFiles);
  result.size[form] = { files: rows, total: total(rows) };
  result.size[form].ratio_brotli = result.size[form].total.brotli / result.size.ort_total.brotli;
  console.error(`widget (${form}):`, JSON.stringify(result.widgets[form]));
}

await browser.close();
server.close();
result.load_after = loadavg();
writeFileSync(join(out, "browser.json"), JSON.stringify(result, null, 2));

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
console.log(`\nbrowser bench (${result.date}, Chromium ${result.chromium}, ${CARD}, ${history.length}-event history; both engines on the main thread, 1 thread, SIMD)`);
console.log("\nsize of what is fetched (model files excluded)           raw        gzip -9    brotli 11");
const sizeTables = [
  ["widget, ONNX card", result.size.onnx.files, result.size.onnx.total],
  ["widget, packed card", result.size.packed.files, result.size.packed.total],
  ["onnxruntime-web", result.size.ort, result.size.ort_total],
];
for (const [label, rows, t] of sizeTables) {
  for (const r of rows) console.log(`  ${r.file.padEnd(56)} ${kb(r.raw).padStart(10)} ${kb(r.gzip).padStart(10)} ${kb(r.brotli).padStart(10)}`);
  console.log(`  ${(label + " total").padEnd(56)} ${kb(t.raw).padStart(10)} ${kb(t.gzip).padStart(10)} ${kb(t.brotli).padStart(10)}`);
}
for (const form of ["onnx", "packed"]) console.log(`  ratio widget (${form} card) / onnxruntime-web (brotli): ${result.size[form].ratio_brotli.toFixed(2)}`);
const c = result.first_recommendations_cold;
const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
console.log(`\nmodel bytes → first top 10, cold page (median of ${c.tract.runs}): tract ${ms(c.tract.total_ms)} (runtime ${ms(c.tract.runtime_ms)} + model ${ms(c.tract.model_ms)}), tract packed ${ms(c["tract-packed"].total_ms)} (runtime ${ms(c["tract-packed"].runtime_ms)} + model ${ms(c["tract-packed"].model_ms)}), onnxruntime-web ${ms(c.ort.total_ms)} (its wasm loads inside the first session create; JS import ${ms(c.ort.runtime_ms)}); same top 10 packed: ${JSON.stringify(c.tract.top) === JSON.stringify(c["tract-packed"].top)}`);
for (const form of ["onnx", "packed"]) {
  const wd = result.widgets[form];
  console.log(`widget page (${form} card): history → first ranking ${wd.history_to_first_ranking_ms} ms, → first panel ${wd.history_to_first_panel_ms} ms (${wd.first_panel_was_first_pass ? "first pass" : "final"}), → all 10 explained ${wd.history_to_all_explained_ms} ms; click → panel ${ms(wd.click_to_panel_ms)} (at most ${wd.click_to_panel_max_frames} frame(s)); longest main-thread task ${ms(wd.longest_task_ms)} (${wd.long_tasks} tasks over 50 ms)`);
}
if (downloadOnly) process.exit(0);
const w = result.first_recommendations_warm;
console.log(`model bytes → first top 10, runtime loaded (median of ${w.runs}, interleaved): tract ${ms(w.tract_ms)}, onnxruntime-web ${ms(w.ort_ms)}; same top 10: ${JSON.stringify(w.tops.tract) === JSON.stringify(w.tops.ort)}`);
const s = result.scoring;
console.log(`scoring batch 1 (median of ${s.runs}, interleaved): tract ${ms(s.tract_batch1_ms)}, onnxruntime-web ${ms(s.ort_batch1_ms)}, ratio ${s.ratio_batch1.toFixed(2)}`);
console.log(`scoring batch ${s.batch} leave-one-out (median of ${s.runs}, interleaved): tract ${ms(s.tract_loo_ms)}, onnxruntime-web ${ms(s.ort_loo_ms)}, ratio tract/ort ${s.ratio_loo.toFixed(2)}; max |score diff| ${s.leave_one_out_max_abs_diff.toExponential(1)}`);
for (const e of result.explanation) {
  console.log(`whole top-10 explanation, ${e.label} (tract, median of ${e.runs}): ${ms(e.ms)}, ${e.windows} windows in ${e.model_calls} calls, Shapley error (own estimate, median) ${(100 * e.shapley_error).toFixed(1)} %; onnxruntime-web scoring those windows alone (estimate): ${ms(e.ort_scoring_only_estimate_ms)}`);
}
