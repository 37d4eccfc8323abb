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
    if (worker === true) workerUrl = new URL("./worker.js", import.meta.url).href;
    else if (typeof worker === "string") workerUrl = worker;
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

// A port to an engine: a module worker, or (no worker, or it could not start) the main thread.
function openPort(inWorker, ports) {
  let port = null;
  if (inWorker && settings.workerUrl) {
    try {
      port = new Worker(settings.workerUrl, { type: "module", name: "whythis" });
    } catch (error) {
      console.warn("whythis: no worker (%s); the model runs on the main thread", error && error.message);
    }
  }
  port ??= new MainThreadPort();
  ports.add(port);
  return port;
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
