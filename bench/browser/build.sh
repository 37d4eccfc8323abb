#!/usr/bin/env bash
# Builds what the browser bench loads: the widget package in pkg/ (scripts/build-pkg.sh) and the
# scoring-only bindings (cargo example wasm_scoring) into bench/out/wasm_scoring/, both release + SIMD128,
# and installs the bench's npm packages (onnxruntime-web, playwright-core) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/build-pkg.sh
cargo build --example wasm_scoring --target wasm32-unknown-unknown --release ${CARGO_OFFLINE:+--offline}
target_dir="$(cargo metadata --format-version 1 --no-deps ${CARGO_OFFLINE:+--offline} | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
wasm-bindgen --target web --out-dir bench/out/wasm_scoring --out-name wasm_scoring \
  --remove-name-section --remove-producers-section \
  "$target_dir/wasm32-unknown-unknown/release/examples/wasm_scoring.wasm"
if [ ! -d bench/browser/node_modules/onnxruntime-web ] || [ ! -d bench/browser/node_modules/playwright-core ]; then
  (cd bench/browser && npm ci --no-audit --no-fund)
fi
