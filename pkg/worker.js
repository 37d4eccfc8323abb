// The whythis model worker: loads the same wasm as the page and keeps one Engine per model, so that
// ranking and explaining never block the page's main thread. Messages come from src/embed/worker.rs.
import init, { Engine } from "./whythis.js";

const ready = init();
const engines = new Map();

function reply(message) {
  self.postMessage(message);
}

self.onmessage = async (event) => {
  const m = event.data || {};
  try {
    await ready;
  } catch (error) {
    reply({ id: m.id, ok: false, fatal: true, error: `the recommender could not start in the worker: ${error && error.message}` });
    return;
  }
  try {
    if (m.type === "load") {
      const old = engines.get(m.key);
      if (old) old.free();
      engines.set(m.key, new Engine(m.card, m.onnx, m.catalog || undefined));
      reply({ id: m.id, ok: true, value: null });
    } else if (m.type === "explain") {
      const engine = engines.get(m.key);
      if (!engine) throw new Error("this model is not loaded in the worker");
      reply({ id: m.id, ok: true, value: engine.explainJson(m.history, m.options) });
    } else {
      throw new Error(`unknown message type ${m.type}`);
    }
  } catch (error) {
    // A trap (a Rust panic) leaves the instance unusable: say so, so the page stops using this worker.
    const fatal = error instanceof WebAssembly.RuntimeError;
    reply({ id: m.id, ok: false, fatal, error: String((error && error.message) || error) });
  }
};
