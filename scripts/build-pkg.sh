#!/usr/bin/env bash
# Builds the npm package in pkg/: the crate as wasm (release, SIMD128) and its wasm-bindgen ES module.
# Offline once the crates are fetched. Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli 0.2.130.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${WHYTHIS_PROFILE:-release}"
flag="--release"
[ "$profile" = "release" ] || flag="--profile=$profile"
cargo build --lib --target wasm32-unknown-unknown $flag ${CARGO_OFFLINE:+--offline}
target_dir="$(cargo metadata --format-version 1 --no-deps ${CARGO_OFFLINE:+--offline} | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
wasm-bindgen --target web --out-dir pkg --out-name whythis \
  --remove-name-section --remove-producers-section \
  "$target_dir/wasm32-unknown-unknown/$profile/whythis.wasm"
ls -l pkg/whythis_bg.wasm pkg/whythis.js
