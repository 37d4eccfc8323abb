// whythis: the "Why this?" widget as an ES module.
//
//   import { start } from "whythis";
//   await start();            // defines <why-this-item>, models run in a Web Worker
//
// then put <why-this-item model="models/sasrec.card.json" top-k="5"></why-this-item> in the page and
// hand it the visitor's history: element.history = [{ item: 50, action: "rated_5" }, …].
// Nothing leaves the page: the model, the history and the feedback log stay on the device.
//
// The page loads only whythis_ui (the element and its panel); an engine (tract and the explanations)
// runs in worker.js, or on the main thread behind the same messages when there is no worker:
// whythis_engine for an ONNX card, the small whythis_engine_nnef for a packed one (`whythis pack`),
// each fetched only when a model needs it. A panic traps one instance; it is replaced, and only the
// widget that panicked shows the error.
//
// Bundlers (Vite, webpack 5, Rollup, Parcel) follow this module as written: the worker is made by the
// one expression they recognise (`new Worker(new URL("./worker.js", import.meta.url), …)`, see
// ownWorker), each wasm file is named by `new URL("…_bg.wasm", import.meta.url)`, and every import is
// static. A trapped instance is replaced inside the same glue module (wasm-bindgen's
// `__wbg_reset_state`, made asynchronous by scripts/build-pkg.sh), not by importing it again under
// another URL.

import initUi, * as ui from "./whythis_ui.js";
import initOnnx, * as onnxGlue from "./whythis_engine.js";
import initPacked, * as packedGlue from "./whythis_engine_nnef.js";
import { createEngineHost } from "./engine-host.js";

export { Engine } from "./whythis_engine.js";

// The name of whythis's Trusted Types policy (see spawnOwnWorker).
const POLICY = "whythis";

let started = null;
let settings = null;
let live = false; // whether the page module's instance is in use; false while a trapped one is replaced
let uiModule = null; // compiled once, instantiated again after a panic
let uiInstance = 0; // which instance of the page module is live (each panic makes the next)

/**
 * Loads the page's wasm and defines the custom element.
 * @param {{ elementName?: string, worker?: boolean | string, wasmUrl?: string | URL }} [options]
 */
export function start(options = {}) {
  if (!started) {
    const { elementName = "why-this-item", worker = true, wasmUrl } = options;
    // null: the main thread; OWN: the package's worker.js; else the URL of a host's own worker script.
    let workerUrl = null;
    if (worker === true) workerUrl = OWN;
    // Resolved as new Worker would resolve it, so the package's own worker.js is known by any spelling.
    else if (typeof worker === "string") {
      try {
        workerUrl = new URL(worker, document.baseURI).href;
        if (workerUrl === ownWorkerHref()) workerUrl = OWN;
      } catch {
        workerUrl = worker; // new Worker throws on it, and the widget says so
      }
    }
    settings = { elementName, workerUrl };
    started = (async () => {
      // Compiled off the main thread while it downloads; kept to start a fresh instance after a panic.
      uiModule = await WebAssembly.compileStreaming(fetch(wasmUrl || new URL("./whythis_ui_bg.wasm", import.meta.url)));
      await initUi({ module_or_path: uiModule });
      adopt(0, "");
    })();
  }
  return started;
}

// Makes the current instance live: it takes over the element (re-mounting every widget).
function adopt(crashedWidget, crashMessage) {
  const instance = ++uiInstance;
  live = true;
  const ports = new Set();
  ui.setPanicReporter((message, widget) => {
    if (instance !== uiInstance || !live) return;
    live = false;
    // After the trap has unwound: nothing of the dead instance may run any more.
    setTimeout(() => replace(ports, message, widget), 0);
  });
  ui.defineElement(settings.elementName, (inWorker) => openPort(inWorker, ports), crashedWidget, crashMessage);
}

async function replace(ports, message, widget) {
  for (const port of ports) port.terminate();
  // A fresh instance of the compiled module, with memory of its own. What the page still holds of the
  // trapped one (its listeners, timers, the hooks it gave element.js) throws when called ("from
  // previous WASM instance") instead of running in it, and the widgets are mounted again below.
  await ui.__whythis_reset_state();
  adopt(widget, message);
  if (!widget) {
    // Not known which widget panicked: each was restarted, and each says so.
    for (const element of document.querySelectorAll(settings.elementName)) {
      const detail = { code: "internal", message: `The widget was restarted after an internal error (${message}).`, model: element._whythisModel || "" };
      element.dispatchEvent(new CustomEvent("whythis-error", { bubbles: true, composed: true, detail }));
    }
  }
}

// A port to an engine: a module worker, or (no worker, or it could not start) the main thread. A port
// that stands in for a worker that could not start carries `fallback` ({code, message}): each widget
// says it in its panel and in a whythis-error (crates/page/src/worker.rs).
function openPort(inWorker, ports) {
  let port = null;
  let fallback = refusedWorker;
  if (inWorker && settings.workerUrl && !fallback) {
    try {
      port = settings.workerUrl === OWN ? spawnOwnWorker() : new Worker(settings.workerUrl, { type: "module", name: "whythis" });
    } catch (error) {
      fallback = refusedWorker = workerRefusal(error);
      console.warn("whythis: %s", fallback.message);
    }
  }
  if (!port) {
    port = new MainThreadPort();
    if (fallback) port.fallback = fallback;
  }
  // A terminated port (its engine crashed, or the last widget left) is not kept.
  const terminate = port.terminate.bind(port);
  port.terminate = () => {
    ports.delete(port);
    terminate();
  };
  ports.add(port);
  return port;
}

const OWN = Symbol("whythis's own worker.js");

// The package's worker, in the one expression bundlers recognise: keep it literal (no variable, no
// wrapper around the URL) so that they bundle worker.js, its imports and the engine's wasm.
function ownWorker() {
  return new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: "whythis" });
}

// Where worker.js is when the package is served as it is; only to know it in a URL given to start().
// Not `new URL("./worker.js", import.meta.url)`: bundlers would take that for an asset to copy.
function ownWorkerHref() {
  const here = import.meta.url;
  return new URL("worker.js", here).href;
}

// Trusted Types (issue 17). On a page with `require-trusted-types-for 'script'`, `new Worker` takes only
// a TrustedScriptURL, made by a policy the page's `trusted-types` directive names. whythis's policy
// admits one URL, the package's own worker.js as ownWorker names it (bundled or not), and makes no
// HTML: the panel is built node by node, never parsed from a string (crates/ui/src/lib.rs). It is
// created on the first worker, only where the browser has Trusted Types; a page that does not enforce
// them is unaffected by it.
let policy; // undefined: not tried yet; null: no Trusted Types, or the page refused the policy
let admitting = null; // the one URL the policy admits, while ownWorker is constructing its worker
let refusedWorker = null; // the fallback of the first worker that could not start: not tried again

function spawnOwnWorker() {
  if (policy === undefined) {
    policy = null;
    const tt = globalThis.trustedTypes;
    if (tt && typeof tt.createPolicy === "function") {
      try {
        policy = tt.createPolicy(POLICY, {
          createScriptURL(candidate) {
            if (admitting !== null && candidate === admitting) return candidate;
            throw new TypeError(`the ${POLICY} Trusted Types policy admits only whythis's own worker.js`);
          },
        });
      } catch {
        // The page's `trusted-types` does not name it: new Worker below says whether that matters.
      }
    }
  }
  if (!policy) return ownWorker();
  // ownWorker's URL (the bundler's, once bundled) reaches the policy through a stand-in for Worker,
  // there for the one synchronous call: the expression bundlers look for cannot wrap its URL.
  const NativeWorker = globalThis.Worker;
  const TrustedWorker = function Worker(url, options) {
    admitting = String(url);
    try {
      return new NativeWorker(policy.createScriptURL(admitting), options);
    } finally {
      admitting = null;
    }
  };
  try {
    globalThis.Worker = TrustedWorker;
  } catch {
    return ownWorker(); // a page that froze Worker: the plain URL, which Trusted Types refuses
  }
  try {
    return ownWorker();
  } finally {
    globalThis.Worker = NativeWorker;
  }
}

// What the panel and the whythis-error say when `new Worker` threw: a TypeError is Trusted Types
// refusing a plain string (nothing else in its construction throws one).
function workerRefusal(error) {
  const why = (error && error.message) || String(error);
  if (error instanceof TypeError && globalThis.trustedTypes) {
    const allow = settings.workerUrl === OWN
      ? `To run it in its worker, add ${POLICY} to the trusted-types directive of the page's Content-Security-Policy (trusted-types ${POLICY}).`
      : `The worker given to start() is not whythis's own worker.js, which is the only script URL the ${POLICY} policy admits.`;
    return {
      code: "trusted-types",
      message: `This page's Trusted Types policy kept the recommender's worker from starting, so it runs on the page's main thread, which may pause the page while it works. ${allow}`,
    };
  }
  return { code: "worker", message: `The recommender's worker could not start (${why}), so it runs on the page's main thread, which may pause the page while it works.` };
}

// The engine modules on the main thread: each compiled once, on first use.
// Their glue is imported statically (it is small); only the wasm of the engine a card needs is fetched.
const mainThreadEngines = {
  onnx: { init: initOnnx, glue: onnxGlue, wasm: () => new URL("./whythis_engine_bg.wasm", import.meta.url), module: null, instances: 0 },
  packed: { init: initPacked, glue: packedGlue, wasm: () => new URL("./whythis_engine_nnef_bg.wasm", import.meta.url), module: null, instances: 0 },
};

// An engine module's glue with its first instance (the one loadModel's engines live in).
async function engineGlue(kind) {
  const e = mainThreadEngines[kind];
  e.module ??= await WebAssembly.compileStreaming(fetch(e.wasm()));
  await e.init({ module_or_path: e.module });
  return e.glue;
}

// The engine module on the main thread, behind the worker's messages.
class MainThreadPort {
  constructor() {
    this.onmessage = null;
    this.onerror = null;
    this.closed = false;
    this.handle = createEngineHost({ onnx: () => freshEngine("onnx"), packed: () => freshEngine("packed") });
  }

  postMessage(message) {
    // A task later, so the page paints "Working…" before the main thread is busy.
    setTimeout(async () => {
      if (this.closed) return;
      const data = await this.handle(message);
      if (!this.closed && this.onmessage) this.onmessage({ data });
    }, 0);
  }

  terminate() {
    this.closed = true;
  }
}

// The first main-thread engine of a kind is the instance loadModel uses; after a crash, a fresh
// instance of the same compiled module (an Engine from loadModel, in the trapped one, then throws when
// called).
async function freshEngine(kind) {
  mainThreadEngines[kind].instances += 1;
  const glue = await engineGlue(kind);
  if (mainThreadEngines[kind].instances > 1) await glue.__whythis_reset_state();
  return glue;
}

/** The local feedback log: an array of records, oldest first. Needs `start()`. */
export function feedbackLog() {
  return page().feedbackLog();
}

/** Empties the local feedback log. Needs `start()`. */
export function clearFeedbackLog() {
  page().clearFeedbackLog();
}

/** The package version. Needs `start()`. */
export function version() {
  return page().version();
}

function page() {
  if (!live) throw new Error("whythis is not started yet (await start() first)");
  return ui;
}

/**
 * Fetches a model card, its model file (ONNX, or a packed card's NNEF archive and embeddings: then the
 * small engine runs it) and its catalog (paths relative to the card) and returns an
 * `Engine` on the calling thread: `engine.explain(history, { top_k: 5 })` gives the explanation document.
 * @param {string | URL} cardUrl
 */
export async function loadModel(cardUrl) {
  const base = new URL(cardUrl, document.baseURI);
  const bytes = async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const cardBytes = await bytes(base);
  const card = JSON.parse(new TextDecoder().decode(cardBytes));
  // A packed card (`whythis pack`) names its NNEF archive and embeddings instead of an ONNX file; the
  // engine checks every file against the card's sha256.
  const [model, catalog, embedding] = await Promise.all([
    bytes(new URL(card.nnef ?? card.onnx, base)),
    card.catalog ? bytes(new URL(card.catalog, base)) : Promise.resolve(undefined),
    card.packed?.embedding ? bytes(new URL(card.packed.embedding, base)) : Promise.resolve(undefined),
  ]);
  const glue = await engineGlue(card.nnef ? "packed" : "onnx");
  return new glue.Engine(cardBytes, model, catalog, embedding);
}
