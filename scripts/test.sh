#!/usr/bin/env bash
# Runs every test of whythis: the native suite (model contract, parity with onnxruntime, explanation
# invariants, reference values, CLI), the wasm32 build, and the browser suite in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "== native tests"
cargo test --locked --workspace --all-targets

# Builds the crate for wasm32 twice over (component tests, the demo), so no separate wasm build.
echo "== browser tests (headless Chromium)"
./scripts/test-browser.sh
echo "all tests passed"
