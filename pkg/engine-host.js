// The engine's side of the widget's messages (src/embed/worker.rs): used by worker.js in a Web Worker,
// and by index.js's main-thread port when there is no worker. One Engine per model key.
// A panic traps the engine's WebAssembly instance. The request that panicked gets a `crashed` reply;
// every later one gets `restarted` (it is not at fault, and the page sends it again), and the page
// opens a fresh port (a new worker, or a new main-thread instance).

/** Wraps an engine module (a promise of its initialised wasm-bindgen glue) in a message handler. */
export function createEngineHost(loadEngine) {
  let lastPanic = "";
  const ready = Promise.resolve()
    .then(loadEngine)
    .then((engine) => {
      engine.setPanicReporter((message) => {
        lastPanic = message;
      });
      return engine;
    });
  ready.catch(() => {});
  const engines = new Map();
  let crashed = "";
  return async function handle(m) {
    let engine;
    try {
      engine = await ready;
    } catch (error) {
      return { id: m.id, ok: false, fatal: true, error: `the recommender could not start: ${describe(error)}` };
    }
    if (crashed) return { id: m.id, ok: false, fatal: true, restarted: true, error: crashed };
    try {
      if (m.type === "load") {
        const old = engines.get(m.key);
        if (old) old.free();
        engines.set(m.key, new engine.Engine(m.card, m.onnx, m.catalog || undefined));
        return { id: m.id, ok: true, value: null };
      }
      if (m.type === "explain") {
        const model = engines.get(m.key);
        if (!model) throw new Error("this model is not loaded in the engine");
        // Test hook (the browser tests' __whythisTestPanic(element, "engine")): a real panic in the engine.
        if (m.panic) engine.__whythisTestEnginePanic(m.history);
        return { id: m.id, ok: true, value: model.explainJson(m.history, m.options) };
      }
      throw new Error(`unknown message type ${m.type}`);
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        crashed = lastPanic || describe(error);
        engines.clear();
        return { id: m.id, ok: false, fatal: true, crashed: true, error: crashed };
      }
      return { id: m.id, ok: false, error: describe(error) };
    }
  };
}

function describe(error) {
  return String((error && error.message) || error);
}
