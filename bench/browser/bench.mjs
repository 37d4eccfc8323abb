// The bench page's code: loads whythis (tract compiled to wasm: the package's `Engine`, and the scoring-only
// `BenchScorer` of bench/wasm_scoring.rs) and onnxruntime-web on demand, and times them on the same model
// bytes and the same input tensors. Both run on this page's main thread, single-threaded: the page is not
// cross-origin isolated (no COOP/COEP), so onnxruntime-web gets numThreads = 1, and tract has no threads.
// run.mjs calls the functions on `window.bench` and prints the figures.

const ORT_DIST = "/bench/browser/node_modules/onnxruntime-web/dist/";

let ortModule = null;

/** Loads onnxruntime-web (its wasm-only build) and points it at its own files, served here. */
async function loadOrt() {
  if (!ortModule) {
    ortModule = await import(ORT_DIST + "ort.wasm.min.mjs");
    ortModule.env.wasm.wasmPaths = ORT_DIST;
    ortModule.env.wasm.numThreads = 1;
    ortModule.env.wasm.simd = true;
    ortModule.env.wasm.proxy = false;
  }
  return ortModule;
}

const wasmBindgenModules = new Map();

/** Imports and initialises a wasm-bindgen ES module once. */
async function wasmBindgenModule(url) {
  if (!wasmBindgenModules.has(url)) {
    wasmBindgenModules.set(url, import(url).then(async (module) => {
      await module.default();
      return module;
    }));
  }
  return wasmBindgenModules.get(url);
}

/** The widget package's engines (the lines to change if the package's modules are renamed): the ONNX
 * engine, and the small one that runs packed cards only. */
const loadTract = () => wasmBindgenModule("/pkg/whythis_engine.js");
const loadTractPacked = () => wasmBindgenModule("/pkg/whythis_engine_nnef.js");
/** The scoring-only bindings of bench/wasm_scoring.rs. */
const loadScoring = () => wasmBindgenModule("/bench/out/wasm_scoring/wasm_scoring.js");

async function bytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The model files and the history every measurement uses, fetched once per page. */
async function inputs(cardUrl, historyUrl) {
  const base = new URL(cardUrl, location.href);
  const cardBytes = await bytes(base);
  const card = JSON.parse(new TextDecoder().decode(cardBytes));
  // A packed card (whythis pack) names its NNEF archive and embeddings instead of an ONNX file.
  const model = await bytes(new URL(card.nnef ?? card.onnx, base));
  const onnx = card.nnef ? null : model;
  const embedding = card.packed?.embedding ? await bytes(new URL(card.packed.embedding, base)) : undefined;
  const catalog = card.catalog ? await bytes(new URL(card.catalog, base)) : null;
  const history = await (await fetch(historyUrl)).json();
  return { card, cardBytes, model, onnx, embedding, catalog, history, historyJson: JSON.stringify(history) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Top K of a score row (DESIGN.md §2): candidates exclude the window's items, ties go to the lower id. */
function topK(scores, exclude, k) {
  const ids = [];
  for (let id = 1; id < scores.length; id++) if (!exclude.has(id)) ids.push(id);
  ids.sort((a, b) => scores[b] - scores[a] || a - b);
  return ids.slice(0, k);
}

function ortFeeds(ort, card, items, actions, batch) {
  const feeds = { [card.inputs.item_ids]: new ort.Tensor("int64", items, [batch, card.seq_len]) };
  if (card.inputs.action_types) feeds[card.inputs.action_types] = new ort.Tensor("int64", actions, [batch, card.seq_len]);
  return feeds;
}

async function ortSession(ort, onnx) {
  return ort.InferenceSession.create(onnx, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
}

/**
 * Model bytes → first recommendations, for one engine on a fresh page: load the runtime (fetch, compile
 * and instantiate its wasm: `runtime_ms`), then load the model from bytes already in memory, score the
 * window once and take the top K (`model_ms`). `engine`: "tract" (the ONNX engine), "tract-packed" (the
 * small engine, on a packed card) or "ort".
 */
async function firstRecommendations(engine, cardUrl, historyUrl, k = 10) {
  const data = await inputs(cardUrl, historyUrl);
  let items, actions;
  if (engine === "ort") {
    // The same input tensors as tract's, built before the clock starts (not part of onnxruntime-web).
    const s = new (await loadScoring()).BenchScorer(data.cardBytes, data.onnx, data.historyJson);
    [items, actions] = [s.windowInput(false), s.windowInput(true)];
    s.free();
  }
  const t0 = performance.now();
  const runtime = engine === "tract" ? await loadTract() : engine === "tract-packed" ? await loadTractPacked() : await loadOrt();
  const t1 = performance.now();
  let top;
  if (engine !== "ort") {
    const e = new runtime.Engine(data.cardBytes, data.model, data.catalog, data.embedding);
    const doc = e.explain(data.history, { top_k: k, rank_only: true });
    top = doc.recommendations.map((r) => r.item);
    e.free();
  } else {
    const session = await ortSession(runtime, data.onnx);
    const out = await session.run(ortFeeds(runtime, data.card, items, actions, 1));
    top = topK(out[data.card.outputs.scores].data, new Set(Array.from(items, Number)), k);
    await session.release();
  }
  const t2 = performance.now();
  return { engine, runtime_ms: t1 - t0, model_ms: t2 - t1, total_ms: t2 - t0, top };
}

/** Model bytes → first recommendations with both runtimes already loaded, interleaved, medians. */
async function warmFirstRecommendations(cardUrl, historyUrl, repeats, k = 10) {
  const data = await inputs(cardUrl, historyUrl);
  const [tract, ort, scoring] = [await loadTract(), await loadOrt(), await loadScoring()];
  const s = new scoring.BenchScorer(data.cardBytes, data.onnx, data.historyJson);
  const items = s.windowInput(false);
  const actions = s.windowInput(true);
  s.free();
  const seen = new Set(Array.from(items, Number));
  const times = { tract: [], ort: [] };
  let tops = {};
  for (let r = 0; r <= repeats; r++) {
    let t0 = performance.now();
    const e = new tract.Engine(data.cardBytes, data.onnx, data.catalog);
    const doc = e.explain(data.history, { top_k: k, rank_only: true });
    tops.tract = doc.recommendations.map((x) => x.item);
    e.free();
    const tt = performance.now() - t0;
    t0 = performance.now();
    const session = await ortSession(ort, data.onnx);
    const out = await session.run(ortFeeds(ort, data.card, items, actions, 1));
    tops.ort = topK(out[data.card.outputs.scores].data, seen, k);
    await session.release();
    const to = performance.now() - t0;
    if (r > 0) {
      times.tract.push(tt);
      times.ort.push(to);
    }
  }
  return { tract_ms: median(times.tract), ort_ms: median(times.ort), runs: repeats, tops };
}

/** Batch-1 and leave-one-out scoring, tract then onnxruntime-web in turn, after one warm-up each. */
async function scoring(cardUrl, historyUrl, repeats) {
  const data = await inputs(cardUrl, historyUrl);
  const [ort, scoringMod] = [await loadOrt(), await loadScoring()];
  const s = new scoringMod.BenchScorer(data.cardBytes, data.onnx, data.historyJson);
  const session = await ortSession(ort, data.onnx);
  const batch = s.leaveOneOutBatch;
  const one = ortFeeds(ort, data.card, s.windowInput(false), s.windowInput(true), 1);
  const loo = ortFeeds(ort, data.card, s.leaveOneOutInput(false), s.leaveOneOutInput(true), batch);
  const name = data.card.outputs.scores;
  const maxDiff = (a, b) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
  // Warm-up, and the check that both engines computed the same scores from the same tensors.
  const check = {
    batch1_max_abs_diff: maxDiff(s.scoreWindow(), (await session.run(one))[name].data),
    leave_one_out_max_abs_diff: maxDiff(s.scoreLeaveOneOut(), (await session.run(loo))[name].data),
  };
  const times = { tract1: [], ort1: [], tractLoo: [], ortLoo: [] };
  for (let r = 0; r < repeats; r++) {
    let t0 = performance.now();
    s.scoreWindow();
    times.tract1.push(performance.now() - t0);
    t0 = performance.now();
    await session.run(one);
    times.ort1.push(performance.now() - t0);
    t0 = performance.now();
    s.scoreLeaveOneOut();
    times.tractLoo.push(performance.now() - t0);
    t0 = performance.now();
    await session.run(loo);
    times.ortLoo.push(performance.now() - t0);
  }
  s.free();
  await session.release();
  return {
    batch,
    runs: repeats,
    tract_batch1_ms: median(times.tract1),
    ort_batch1_ms: median(times.ort1),
    tract_loo_ms: median(times.tractLoo),
    ort_loo_ms: median(times.ortLoo),
    ...check,
  };
}

/** The whole explanation of the top 10 by the package's Engine (tract) with `extra` options, median of `repeats`. */
async function explanation(cardUrl, historyUrl, extra, repeats, k = 10) {
  const data = await inputs(cardUrl, historyUrl);
  const tract = await loadTract();
  const e = new tract.Engine(data.cardBytes, data.onnx, data.catalog);
  const options = { top_k: k, ...extra };
  const times = [];
  let cost = null;
  let shapleyError = null;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const doc = e.explain(data.history, options);
    times.push(performance.now() - t0);
    cost = doc.cost;
    // The estimate's own error, the median over the top 10 (0 when exact).
    shapleyError = median(doc.recommendations.map((rec) => rec.shapley.relative_error));
  }
  e.free();
  return { options: extra, runs: repeats, ms: median(times), windows: cost?.windows, model_calls: cost?.model_calls, shapley_error: shapleyError };
}

window.bench = { firstRecommendations, warmFirstRecommendations, scoring, explanation };
window.benchReady = true;
