// The engine's side of the widget's messages (crates/js/src/protocol.rs): used by worker.js in a Web Worker,
// and by index.js's main-thread port when there is no worker. The engine module's EngineHost reads each
// call and answers it; this only carries them, and writes the three replies the engine cannot:
// `down` (it did not start), `crashed` (this call's panic trapped its instance) and `restarted` (an
// earlier call's did: the page sends it again, and opens a fresh port).

/** Wraps an engine module (a promise of its initialised wasm-bindgen glue) in a message handler. */
export function createEngineHost(loadEngine) {
  let lastPanic = "";
  const ready = Promise.resolve()
    .then(loadEngine)
    .then((engine) => {
      engine.setPanicReporter((message) => {
        lastPanic = message;
      });
      return new engine.EngineHost();
    });
  ready.catch(() => {});
  let crashed = "";
  return async function handle(call) {
    let host;
    try {
      host = await ready;
    } catch (error) {
      return { id: call.id, reply: { down: { message: `the recommender could not start: ${describe(error)}` } } };
    }
    if (crashed) return { id: call.id, reply: { restarted: { message: crashed } } };
    try {
      return host.handle(call);
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        crashed = lastPanic || describe(error);
        return { id: call.id, reply: { crashed: { message: crashed } } };
      }
      return { id: call.id, reply: { refused: { code: "internal", message: describe(error) } } };
    }
  };
}

function describe(error) {
  return String((error && error.message) || error);
}
