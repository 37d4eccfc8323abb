#!/usr/bin/env bash
# Runs every test of whythis: the native suite (model contract, parity with onnxruntime, explanation
# invariants, reference values, CLI), the wasm32 build, and the browser suite in headless Chromium.
# Each phase prints how long it took, so a first run on a fresh machine shows where its time goes.
set -euo pipefail
cd "$(dirname "$0")/.."
phase() { printf '\033[1m== %s\033[0m (at %d s)\n' "$*" "$SECONDS"; }

phase "install what this machine lacks"
./scripts/install.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

phase "native tests"
cargo test --locked --workspace --all-targets

# Builds the crate for wasm32 twice over (component tests, the demo), so no separate wasm build.
phase "browser tests (headless Chromium)"
./scripts/test-browser.sh
phase "all tests passed"
