// The whythis model worker: runs the engine module (whythis_engine, tract + explanations, no UI) so
// that ranking and explaining never block the page's main thread. Messages: crates/js/src/protocol.rs.
// Its wasm is named by `new URL(…, import.meta.url)`, which bundlers follow into the worker's bundle.
import init, * as engine from "./whythis_engine.js";
import { createEngineHost } from "./engine-host.js";

const handle = createEngineHost(async () => {
  await init({ module_or_path: new URL("./whythis_engine_bg.wasm", import.meta.url) });
  return engine;
});

self.onmessage = async (event) => {
  self.postMessage(await handle(event.data || {}));
};
