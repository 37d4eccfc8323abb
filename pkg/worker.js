// The whythis model worker: runs the engine module (whythis_engine, tract + explanations, no UI) so
// that ranking and explaining never block the page's main thread. Messages: crates/js/src/protocol.rs.
import init, * as engine from "./whythis_engine.js";
import { createEngineHost } from "./engine-host.js";

const handle = createEngineHost(async () => {
  await init();
  return engine;
});

self.onmessage = async (event) => {
  self.postMessage(await handle(event.data || {}));
};
