// The engine's side of the widget's messages (crates/js/src/protocol.rs): used by worker.js in a Web Worker,
// and by index.js's main-thread port when there is no worker. Two engine modules answer them: the ONNX
// engine (whythis_engine) and the small one for packed models (whythis_engine_nnef); a `load` names its
// engine, later calls about the same model go to the same one, and each module is started on the first
// call that needs it (or on `start`), so a page whose models are all packed never downloads the ONNX
// engine. Each module's EngineHost reads each call and answers it; this only routes and carries them,
// and writes the three replies an engine cannot: `down` (it did not start), `crashed` (this call's
// panic trapped its instance) and `restarted` (an earlier call's did: the page sends it again, and
// opens a fresh port).

const KINDS = ["onnx", "packed"];

/**
 * Wraps the engine modules in a message handler. `loaders.onnx` and `loaders.packed` each return a
 * promise of that module's initialised wasm-bindgen glue.
 */
export function createEngineHost(loaders) {
  const engines = new Map(); // kind → { ready, lastPanic, crashed }
  const kindOfModel = new Map(); // a load's key → its engine
  const kindOfLookup = new Map(); // an explanation waiting for names (its call id) → its engine

  function engine(kind) {
    let e = engines.get(kind);
    if (!e) {
      e = { lastPanic: "", crashed: "" };
      e.ready = Promise.resolve()
        .then(() => loaders[kind]())
        .then((glue) => {
          glue.setPanicReporter((message) => {
            e.lastPanic = message;
          });
          return new glue.EngineHost();
        });
      e.ready.catch(() => {});
      engines.set(kind, e);
    }
    return e;
  }

  // Which engine a call goes to. A call about a model no load named goes to the ONNX engine, which
  // refuses it as not loaded.
  function route(request) {
    let kind = "onnx";
    if (request.start) kind = request.start.engine;
    else if (request.load) {
      kind = request.load.engine;
      kindOfModel.set(request.load.key, kind);
    } else if (request.explain) kind = kindOfModel.get(request.explain.key);
    else if (request.names) {
      // Forgotten once answered: a further lookup for the same explanation records it again.
      kind = kindOfLookup.get(request.names.call);
      kindOfLookup.delete(request.names.call);
    }
    return KINDS.includes(kind) ? kind : "onnx";
  }

  return async function handle(call) {
    const request = (call && call.request) || {};
    const kind = route(request);
    const e = engine(kind);
    let host;
    try {
      host = await e.ready;
    } catch (error) {
      return { id: call.id, reply: { down: { message: `the recommender could not start: ${describe(error)}` } } };
    }
    if (e.crashed) return { id: call.id, reply: { restarted: { message: e.crashed } } };
    try {
      const answer = host.handle(call);
      // The page's names come back in a `names` call that carries the explanation's call id.
      if (answer && answer.reply && answer.reply.lookup) kindOfLookup.set(request.names ? request.names.call : call.id, kind);
      return answer;
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        e.crashed = e.lastPanic || describe(error);
        return { id: call.id, reply: { crashed: { message: e.crashed } } };
      }
      return { id: call.id, reply: { refused: { code: "internal", message: describe(error) } } };
    }
  };
}

function describe(error) {
  return String((error && error.message) || error);
}
