// whythis: the "Why this?" widget as an ES module.
//
//   import { start } from "whythis";
//   await start();            // defines <why-this-item>, models run in a Web Worker
//
// then put <why-this-item model="models/sasrec.card.json" top-k="5"></why-this-item> in the page and
// hand it the visitor's history: element.history = [{ item: 50, action: "rated_5" }, …].
// Nothing leaves the page: the model, the history and the feedback log stay on the device.
//
// Two WebAssembly modules: the page loads only whythis_ui (the element and its panel); the engine
// (whythis_engine: tract and the explanations) runs in worker.js, or on the main thread behind the
// same messages when there is no worker. A panic traps one instance; it is replaced, and only the
// widget that panicked shows the error.

import initUi from "./whythis_ui.js";
import initEngine, { Engine } from "./whythis_engine.js";
import { createEngineHost } from "./engine-host.js";

export { Engine };

// The name of whythis's Trusted Types policy, and the one script URL it admits (see workerScriptUrl).
const POLICY = "whythis";
const OWN_WORKER = new URL("./worker.js", import.meta.url).href;

let started = null;
let settings = null;
let live = null; // the page module's glue (namespace) in use; null while one is being replaced
let uiModule = null; // compiled once, instantiated again after a panic
let uiInstances = 1;

/**
 * Loads the page's wasm and defines the custom element.
 * @param {{ elementName?: string, worker?: boolean | string, wasmUrl?: string | URL }} [options]
 */
export function start(options = {}) {
  if (!started) {
    const { elementName = "why-this-item", worker = true, wasmUrl } = options;
    let workerUrl = null;
    if (worker === true) workerUrl = OWN_WORKER;
    // Resolved as new Worker would resolve it, so the package's own worker.js is known by any spelling.
    else if (typeof worker === "string") {
      try {
        workerUrl = new URL(worker, document.baseURI).href;
      } catch {
        workerUrl = worker; // new Worker throws on it, and the widget says so
      }
    }
    settings = { elementName, workerUrl };
    started = (async () => {
      // Compiled off the main thread while it downloads; kept to start a fresh instance after a panic.
      uiModule = await WebAssembly.compileStreaming(fetch(wasmUrl || new URL("./whythis_ui_bg.wasm", import.meta.url)));
      await initUi({ module_or_path: uiModule });
      adopt(await import("./whythis_ui.js"), 0, "");
    })();
  }
  return started;
}

// Makes `glue` the live instance: it takes over the element (re-mounting every widget).
function adopt(glue, crashedWidget, crashMessage) {
  live = glue;
  const ports = new Set();
  glue.setPanicReporter((message, widget) => {
    if (live !== glue) return;
    live = null;
    // After the trap has unwound: nothing of the dead instance may run any more.
    setTimeout(() => replace(ports, message, widget), 0);
  });
  glue.defineElement(settings.elementName, (inWorker) => openPort(inWorker, ports), crashedWidget, crashMessage);
}

async function replace(ports, message, widget) {
  for (const port of ports) port.terminate();
  uiInstances += 1;
  // A new URL gives the glue fresh module state; the compiled module is reused.
  const glue = await import(`./whythis_ui.js?instance=${uiInstances}`);
  await glue.default({ module_or_path: uiModule });
  adopt(glue, widget, message);
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
      port = new Worker(workerScriptUrl(settings.workerUrl), { type: "module", name: "whythis" });
    } catch (error) {
      fallback = refusedWorker = workerRefusal(error);
      console.warn("whythis: %s", fallback.message);
    }
  }
  if (!port) {
    port = new MainThreadPort();
    if (fallback) port.fallback = fallback;
  }
  ports.add(port);
  return port;
}

// Trusted Types (issue 17). On a page with `require-trusted-types-for 'script'`, `new Worker` takes only
// a TrustedScriptURL, made by a policy the page's `trusted-types` directive names. whythis's policy
// admits one URL, the package's own worker.js, and makes no HTML: the panel is built node by node,
// never parsed from a string (crates/ui/src/lib.rs). It is created on the first worker, only where the
// browser has Trusted Types; a page that does not enforce them is unaffected by it.
let policy; // undefined: not tried yet; null: no Trusted Types, or the page refused the policy
let refusedWorker = null; // the fallback of the first worker that could not start: not tried again

function workerScriptUrl(url) {
  if (policy === undefined) {
    policy = null;
    const tt = globalThis.trustedTypes;
    if (tt && typeof tt.createPolicy === "function") {
      try {
        policy = tt.createPolicy(POLICY, {
          createScriptURL(candidate) {
            if (candidate === OWN_WORKER) return candidate;
            throw new TypeError(`the ${POLICY} Trusted Types policy admits only whythis's own worker.js`);
          },
        });
      } catch {
        // The page's `trusted-types` does not name it: new Worker below says whether that matters.
      }
    }
  }
  return policy && url === OWN_WORKER ? policy.createScriptURL(url) : url;
}

// What the panel and the whythis-error say when `new Worker` threw: a TypeError is Trusted Types
// refusing a plain string (nothing else in its construction throws one).
function workerRefusal(error) {
  const why = (error && error.message) || String(error);
  if (error instanceof TypeError && globalThis.trustedTypes) {
    const allow = settings.workerUrl === OWN_WORKER
      ? `To run it in its worker, add ${POLICY} to the trusted-types directive of the page's Content-Security-Policy (trusted-types ${POLICY}).`
      : `The worker given to start() is not whythis's own worker.js, which is the only script URL the ${POLICY} policy admits.`;
    return {
      code: "trusted-types",
      message: `This page's Trusted Types policy kept the recommender's worker from starting, so it runs on the page's main thread, which may pause the page while it works. ${allow}`,
    };
  }
  return { code: "worker", message: `The recommender's worker could not start (${why}), so it runs on the page's main thread, which may pause the page while it works.` };
}

let engineModule = null;
let engineInstances = 0;

// The engine module on the main thread, behind the worker's messages.
class MainThreadPort {
  constructor() {
    this.onmessage = null;
    this.onerror = null;
    this.closed = false;
    this.handle = createEngineHost(freshEngine);
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

// The first main-thread engine is the one loadModel uses; after a crash, a fresh instance.
async function freshEngine() {
  engineInstances += 1;
  engineModule ??= await WebAssembly.compileStreaming(fetch(new URL("./whythis_engine_bg.wasm", import.meta.url)));
  const glue = engineInstances === 1 ? await import("./whythis_engine.js") : await import(`./whythis_engine.js?instance=${engineInstances}`);
  await glue.default({ module_or_path: engineModule });
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
  return live;
}

/**
 * Fetches a model card, its ONNX file and its catalog (paths relative to the card) and returns an
 * `Engine` on the calling thread: `engine.explain(history, { top_k: 5 })` gives the explanation document.
 * @param {string | URL} cardUrl
 */
export async function loadModel(cardUrl) {
  engineModule ??= await WebAssembly.compileStreaming(fetch(new URL("./whythis_engine_bg.wasm", import.meta.url)));
  await initEngine({ module_or_path: engineModule });
  const base = new URL(cardUrl, document.baseURI);
  const bytes = async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const cardBytes = await bytes(base);
  const card = JSON.parse(new TextDecoder().decode(cardBytes));
  const [onnx, catalog] = await Promise.all([
    bytes(new URL(card.onnx, base)),
    card.catalog ? bytes(new URL(card.catalog, base)) : Promise.resolve(undefined),
  ]);
  return new Engine(cardBytes, onnx, catalog);
}
