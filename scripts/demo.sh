#!/usr/bin/env bash
# Sets up, builds and serves the demo movie storefront (the widget on the default model).
# Prints the address to open; stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# On a fresh machine the two tool installs (wasm-bindgen-cli, trunk: minutes each) and the wasm compile
# (minutes, its fat-LTO links on one core) run side by side: the compile needs neither tool, and the
# installs fill the core its links leave idle. Not niced: a niced trunk install became the long pole
# (16 min against 11 for the compile). A warm machine skips all three in seconds.
logs="$(mktemp -d -t whythis-demo-install.XXXXXX)"
declare -A pid
trap 'kill "${pid[@]}" 2>/dev/null || true' EXIT
for tool in bindgen trunk; do
  ./scripts/install.sh "$tool" >"$logs/$tool.log" 2>&1 &
  pid[$tool]=$!
done
waited() { # waited TOOL: waits for TOOL's install, says how it went, stops the demo if it failed
  echo "demo: waiting for the $1 install"
  if ! wait "${pid[$1]}"; then
    cat "$logs/$1.log" >&2
    echo "demo: installing $1 failed (above)" >&2
    exit 1
  fi
  grep -F '[install]' "$logs/$1.log" || true
}
./scripts/install.sh target
echo "demo: fetching the crates, then compiling the wasm modules (wasm-bindgen-cli and trunk install meanwhile: $logs)"
cargo fetch --locked
./scripts/build-pkg.sh compile
waited bindgen
./scripts/build-pkg.sh
waited trunk
trap - EXIT
rm -rf "$logs"
# trunk's pre_build hook runs build-pkg.sh again: cargo finds everything fresh.
exec ./scripts/serve-demo.sh "$@"
