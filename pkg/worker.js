// The whythis model worker: runs an engine module (tract + explanations, no UI) so that ranking and
// explaining never block the page's main thread. Messages: crates/js/src/protocol.rs. Two engines, each
// started when a model first needs it (engine-host.js): whythis_engine for ONNX cards,
// whythis_engine_nnef for packed ones. Their glue modules are small and imported statically (a bundler
// need not split this worker); only the wasm of the engine a card needs is fetched, by the
// `new URL(…, import.meta.url)` that bundlers follow into the worker's bundle.
import initOnnx, * as onnx from "./whythis_engine.js";
import initPacked, * as packed from "./whythis_engine_nnef.js";
import { createEngineHost } from "./engine-host.js";

const handle = createEngineHost({
  async onnx() {
    await initOnnx({ module_or_path: new URL("./whythis_engine_bg.wasm", import.meta.url) });
    return onnx;
  },
  async packed() {
    await initPacked({ module_or_path: new URL("./whythis_engine_nnef_bg.wasm", import.meta.url) });
    return packed;
  },
});

self.onmessage = async (event) => {
  self.postMessage(await handle(event.data || {}));
};
