#!/usr/bin/env bash
# Sets up, builds and serves the demo movie storefront (the widget on the default model).
# Prints the address to open; stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export PATH="$HOME/.cargo/bin:$PATH"
if [ -x scripts/serve-demo.sh ]; then
  exec ./scripts/serve-demo.sh "$@"
fi
# Without the widget, the main job is the CLI on a sample MovieLens user.
cargo run --release -- explain --model models/sasrec.card.json --history 64,199,96,50,181,172,174,1,121,117 --top-k 5
