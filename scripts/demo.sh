#!/usr/bin/env bash
# Sets up, builds and serves the demo movie storefront (the widget on the default model).
# Prints the address to open; stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# On a fresh machine trunk's install (minutes, both cores) and the wasm build (minutes, mostly one core:
# fat LTO links in one codegen unit) run side by side; a warm machine skips both in seconds.
trunk_log="$(mktemp -t whythis-trunk-install.XXXXXX)"
./scripts/install.sh trunk >"$trunk_log" 2>&1 &
trunk_pid=$!
trap 'kill "$trunk_pid" 2>/dev/null || true' EXIT
./scripts/install.sh wasm
echo "demo: fetching the crates, then building pkg/ (trunk installs meanwhile: $trunk_log)"
cargo fetch --locked
./scripts/build-pkg.sh
echo "demo: waiting for trunk's install"
if ! wait "$trunk_pid"; then
  cat "$trunk_log" >&2
  echo "demo: installing trunk failed (above)" >&2
  exit 1
fi
grep -F '[install]' "$trunk_log" || true
trap - EXIT
rm -f "$trunk_log"
# trunk's pre_build hook runs build-pkg.sh again: cargo finds everything fresh.
exec ./scripts/serve-demo.sh "$@"
