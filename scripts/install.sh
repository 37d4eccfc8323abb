#!/usr/bin/env bash
# Installs what whythis's build and tests need and this machine lacks. Idempotent: each step checks
# first, so a warm machine spends seconds here.
#   ./scripts/install.sh        everything the tests need
#   ./scripts/install.sh demo   only what the demo needs (wasm target, wasm-bindgen-cli, trunk)
#   ./scripts/install.sh wasm   only what scripts/build-pkg.sh needs (wasm target, wasm-bindgen-cli)
#   ./scripts/install.sh target   only the rust target wasm32-unknown-unknown
#   ./scripts/install.sh bindgen  only wasm-bindgen-cli       } scripts/demo.sh installs these two beside
#   ./scripts/install.sh trunk    only trunk                  } the wasm build
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-test}"
case "$mode" in test|demo|wasm|target|bindgen|trunk) ;; *) echo "install.sh: unknown mode '$mode' (test, demo, wasm, target, bindgen or trunk)" >&2; exit 2;; esac
wants() { # wants STEP: does this mode install STEP (target, bindgen or trunk)?
  case "$mode:$1" in test:*|demo:*|wasm:target|wasm:bindgen|"$1:$1") return 0;; *) return 1;; esac
}
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
TRUNK_VERSION=0.21.14          # 0.22 needs a newer rustc than this machine's

say() { printf '\033[1m[install]\033[0m %s\n' "$*"; }
bin="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$bin:$PATH"

# Each step says what it installs and how long it took, so a newcomer sees progress, not silence.
step_start=0
begin() { say "$*"; step_start=$SECONDS; }
done_() { say "  done in $((SECONDS - step_start)) s"; }

# The tools are installed, not developed: nothing here needs their speed (trunk copies files, wasm-bindgen
# rewrites two modules in seconds), so they are built unoptimised and without debug info (cargo's dev
# profile), and without TLS (the default features), as both only ever talk to this machine (trunk runs
# --offline, the test runner talks to chromedriver on loopback). Measured on 2 cores (2026-12-04), CPU
# seconds: trunk 197 (627 at opt-level 1 without LTO, more with its own fat LTO), wasm-bindgen-cli 63 (237).
fast_install() {
  CARGO_PROFILE_DEV_DEBUG=0 cargo install --debug --no-default-features "$@"
}

if wants target && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  begin "rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
  done_
fi

if [ "$mode" = test ]; then
  if ! python3 -c 'import numpy, onnxruntime' 2>/dev/null; then
    begin "python packages for the parity tests (numpy, onnxruntime)"
    python3 -m pip install --quiet -r tools/requirements-ci.txt
    done_
  fi

  need_apt=()
  command -v chromium >/dev/null || need_apt+=(chromium)
  command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
  command -v brotli >/dev/null || need_apt+=(brotli)
  if [ ${#need_apt[@]} -gt 0 ]; then
    begin "debian packages: ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
    done_
  fi
fi

if wants bindgen && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  begin "wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes on 2 cores)"
  # Not --locked: its lock names a webpki-roots the crates.io snapshot lacks.
  fast_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  done_
fi

if wants trunk && [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  begin "trunk $TRUNK_VERSION (several minutes on 2 cores)"
  fast_install trunk --version "$TRUNK_VERSION" --locked --force
  done_
fi

if [ "$mode" = test ] && [ -f tests/e2e/package.json ] && [ ! -d tests/e2e/node_modules ]; then
  begin "npm packages of the browser tests"
  (cd tests/e2e && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi)
  done_
fi
