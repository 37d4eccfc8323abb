#!/usr/bin/env bash
# Builds and serves the Reel Picks demo storefront at http://127.0.0.1:8080/ (offline).
# `scripts/serve-demo.sh` uses `trunk serve` (rebuilds on change; reload by hand); with WHYTHIS_STATIC=1 it
# runs `trunk build` once and serves dist/ with the small node server of the tests. Both send the strict
# Content-Security-Policy of Trunk.toml's [serve] section.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-8080}"
[ -f models/sasrec.card.json ] || echo "serve-demo: warning: models/sasrec.card.json is missing; the widget will say so" >&2
# The build itself is offline (Trunk.toml), so the crates come from crates.io first: on a fresh machine
# (an empty CARGO_HOME) nothing is cached yet; once they are, this is a no-op.
echo "serve-demo: fetching the crates (once)"
cargo fetch --locked
if [ -n "${WHYTHIS_STATIC:-}" ]; then
  CARGO_OFFLINE=1 trunk build --offline
  exec node tests/e2e/server.mjs dist "$port"
fi
# Trunk will not start watching while a path of Trunk.toml's watch ignore list is missing (a fresh clone,
# or a CARGO_TARGET_DIR elsewhere, has no target/).
mkdir -p target dist
CARGO_OFFLINE=1 exec trunk serve --offline --port "$port"
