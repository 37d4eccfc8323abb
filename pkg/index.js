// whythis: the "Why this?" widget as an ES module.
//
//   import { start } from "whythis";
//   await start();            // defines <why-this-item>, models run in a Web Worker
//
// then put <why-this-item model="models/sasrec.card.json" top-k="5"></why-this-item> in the page and
// hand it the visitor's history: element.history = [{ item: 50, action: "rated_5" }, …].
// Nothing leaves the page: the model, the history and the feedback log stay on the device.

import init, * as wasm from "./whythis.js";

export { Engine, feedbackLog, clearFeedbackLog, version } from "./whythis.js";

let started = null;

/**
 * Loads the wasm and defines the custom element.
 * @param {{ elementName?: string, worker?: boolean | string, wasmUrl?: string | URL }} [options]
 */
export function start(options = {}) {
  if (!started) {
    const { elementName = "why-this-item", worker = true, wasmUrl } = options;
    started = init(wasmUrl ? { module_or_path: wasmUrl } : undefined).then(() => {
      let workerUrl;
      if (worker === true) workerUrl = new URL("./worker.js", import.meta.url).href;
      else if (typeof worker === "string") workerUrl = worker;
      wasm.defineElement(elementName, workerUrl);
    });
  }
  return started;
}

/**
 * Fetches a model card, its ONNX file and its catalog (paths relative to the card) and returns an
 * `Engine` on the calling thread: `engine.explain(history, { top_k: 5 })` gives the explanation document.
 * @param {string | URL} cardUrl
 */
export async function loadModel(cardUrl) {
  await init();
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
  return new wasm.Engine(cardBytes, onnx, catalog);
}
