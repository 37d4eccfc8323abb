#!/usr/bin/env bash
# Runs every test of whythis: the native suite (model contract, parity with onnxruntime, explanation
# invariants, reference values, CLI), the wasm32 build, and the browser suite in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "== native tests"
cargo test --locked --all-targets

echo "== wasm32 build of the crate"
cargo build --locked --lib --target wasm32-unknown-unknown

if [ -x scripts/test-browser.sh ]; then
  echo "== browser tests (headless Chromium)"
  ./scripts/test-browser.sh
fi
echo "all tests passed"
