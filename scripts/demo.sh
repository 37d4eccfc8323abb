#!/usr/bin/env bash
# Sets up, builds and serves the demo movie storefront (the widget on the default model).
# Prints the address to open; stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh demo
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
exec ./scripts/serve-demo.sh "$@"
