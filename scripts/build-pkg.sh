#!/usr/bin/env bash
# Builds the npm package in pkg/: three wasm modules (profile `wasm`, SIMD128), each with its wasm-bindgen
# ES module:
#   whythis_ui           (crate whythis-page)   the page's: the custom element and its panel, no tract;
#   whythis_engine       (crate whythis-engine) the worker's for ONNX cards: tract-onnx and the
#                                               explanations, no leptos;
#   whythis_engine_nnef  (crate whythis-engine without its onnx feature) the worker's for packed cards
#                                               (whythis pack): tract-core and tract-nnef, no ONNX front end.
# `build-pkg.sh compile` only compiles the three modules (no wasm-bindgen-cli needed yet: scripts/demo.sh
# compiles while it installs), and a later `build-pkg.sh` finds them fresh.
# Offline once the crates are fetched. Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli
# 0.2.130. WHYTHIS_PROFILE=release|dev builds with another cargo profile.
# WHYTHIS_WASM_OPT=1 also runs wasm-opt -Oz (npm binaryen 132, installed into tools/wasm-opt on first
# use): off by default, as it gains under 1% brotli on the page's module, makes the engine's brotli
# larger, and takes minutes on the engine (figures in pkg/README.md).
# WHYTHIS_TEST_HOOKS=1 builds the browser tests' panic hooks in (feature test-hooks of both crates; never
# publish that).
set -euo pipefail
cd "$(dirname "$0")/.."
stage="${1:-all}"
case "$stage" in all|compile) ;; *) echo "build-pkg.sh: unknown stage '$stage' (none, or compile)" >&2; exit 2;; esac
profile="${WHYTHIS_PROFILE:-wasm}"
profile_dir="$profile"
[ "$profile" = "dev" ] && profile_dir=debug
wasm_opt="tools/wasm-opt/node_modules/.bin/wasm-opt"
hooks=()
[ "${WHYTHIS_TEST_HOOKS:-0}" = 1 ] && hooks=(--features test-hooks)
target_dir="$(cargo metadata --format-version 1 --no-deps ${CARGO_OFFLINE:+--offline} | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

for part in ui:page engine:engine engine_nnef:engine; do
  out="${part%%:*}" crate="${part##*:}"
  features=("${hooks[@]}")
  [ "$out" = engine_nnef ] && features+=(--no-default-features)
  # `cargo rustc --crate-type cdylib`: cargo skips link-time optimisation for a lib that is also an rlib.
  # Both engines are the same crate's whythis_engine.wasm, so each is bound right after it is built.
  cargo rustc -p "whythis-$crate" --lib --target wasm32-unknown-unknown --profile="$profile" "${features[@]}" \
    --crate-type cdylib ${CARGO_OFFLINE:+--offline}
  [ "$stage" = compile ] && continue
  # --experimental-reset-state-function: the glue can replace its wasm instance (see below).
  wasm-bindgen --target web --out-dir pkg --out-name "whythis_$out" \
    --remove-name-section --remove-producers-section --experimental-reset-state-function \
    "$target_dir/wasm32-unknown-unknown/$profile_dir/whythis_$crate.wasm"
  # pkg/index.js replaces an instance a panic trapped with a fresh one of the same compiled module, in
  # this same glue (where bundlers can follow it): wasm-bindgen's __wbg_reset_state, but with the new
  # instance made asynchronously, as Chromium refuses a synchronous one of a module over 8 MB on the
  # main thread (the engine's, when it runs without a worker).
  python3 - "pkg/whythis_$out.js" <<'EOF'
import sys
path = sys.argv[1]
glue = open(path).read()
sync = "wasmInstance = new WebAssembly.Instance(wasmModule, __wbg_get_imports());"
if glue.count(sync) != 1:
    sys.exit(f"build-pkg.sh: {path}: wasm-bindgen's __wbg_reset_state is not the one expected (one `{sync}`)")
glue = glue.replace(sync, "wasmInstance = nextInstance || new WebAssembly.Instance(wasmModule, __wbg_get_imports());")
glue += """
// Added by scripts/build-pkg.sh: __wbg_reset_state, its fresh instance made asynchronously.
let nextInstance = null;
export async function __whythis_reset_state() {
    nextInstance = await WebAssembly.instantiate(wasmModule, __wbg_get_imports());
    try {
        __wbg_reset_state();
    } finally {
        nextInstance = null;
    }
}
"""
open(path, "w").write(glue)
EOF
  # The page's module builds its panel node by node (crates/ui/src/lib.rs): a page that enforces Trusted
  # Types refuses a string at an HTML sink, so its glue must not import one (issue 17).
  if [ "$out" = ui ] && grep -nE 'innerHTML|outerHTML|insertAdjacentHTML|setHTMLUnsafe|createContextualFragment|document\.write' pkg/whythis_ui.js; then
    echo "build-pkg.sh: pkg/whythis_ui.js reaches an HTML sink (above); a leptos view! outside whythis-ui's, or an inner_html?" >&2
    exit 1
  fi
  if [ "${WHYTHIS_WASM_OPT:-0}" = 1 ]; then
    [ -x "$wasm_opt" ] || (cd tools/wasm-opt && npm ci --no-audit --no-fund)
    # The features rustc's wasm32 target emits (wasm-bindgen drops the section that would say so).
    "$wasm_opt" -Oz --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "pkg/whythis_${out}_bg.wasm" -o "pkg/whythis_${out}_bg.wasm"
  fi
done
[ "$stage" = compile ] || ls -l pkg/whythis_*_bg.wasm pkg/whythis_*.js
