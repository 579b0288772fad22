#!/usr/bin/env bash
# Installs the build/test tool chain for jwks-verify. Idempotent: every step checks
# first and is skipped when the tool is already there at the right version, so a run
# on a fully set-up machine takes well under a second.
#
#   - Rust target wasm32-unknown-unknown            (rustup)
#   - Rust nightly-2026-10-30 with rust-src: the browser/edge modules are built with std
#     rebuilt for size and panics as plain traps (`-Z build-std`; see the Makefile)
#   - wasm-bindgen CLI at the version in Cargo.lock  (cargo install, no --locked)
#   - geckodriver                                   (cargo install)
#   - chromium, chromium-driver, firefox-esr         (apt)
#   - redis-server: the tests of jwks-verify/redis   (apt; the tests start their own
#     instance on a free loopback port, persistence off, and stop it)
#   - valgrind: `make bench-cachegrind`              (apt)
#   - npm dev dependencies at the repo root         (npm ci, stamp-guarded); this
#     includes wasm-opt: npm `binaryen`. Debian 12's apt binaryen (version 108)
#     re-points the `__wbindgen_externrefs` table export at the funcref table, and
#     the glue then fails at init ("WebAssembly.Table.set(): Argument 1 is invalid").
#
# `--build-only` (what `make build`, `make pack` and `make demo` run): only what building the
# package needs (the wasm32 target, wasm-bindgen, npm ci); no browsers, drivers or redis.
set -euo pipefail

BUILD_ONLY=0
[[ "${1:-}" == "--build-only" ]] && BUILD_ONLY=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

GECKODRIVER_VERSION="0.37.1"
# valgrind: `make bench-cachegrind` only (cachegrind's counts of one token's work).
APT_PACKAGES=(chromium chromium-driver firefox-esr redis-server valgrind)

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) export PATH="$CARGO_BIN:$PATH" ;; esac

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

have cargo  || die "cargo not found (install Rust with rustup first)"
have rustup || die "rustup not found (needed to add the wasm32 target)"
have node   || die "node not found"
have npm    || die "npm not found"

# --- Rust wasm target -------------------------------------------------------
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  :
else
  say "adding Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# --- pinned nightly for the size-built modules (Makefile SIZE_TOOLCHAIN) -------
SIZE_TOOLCHAIN="$(sed -n 's/^SIZE_TOOLCHAIN *:= *//p' Makefile)"
[[ -n "$SIZE_TOOLCHAIN" ]] || die "SIZE_TOOLCHAIN not found in the Makefile"
if rustup run "$SIZE_TOOLCHAIN" rustc --version >/dev/null 2>&1 \
  && [[ -d "$(rustup run "$SIZE_TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library" ]]; then
  :
else
  say "installing Rust $SIZE_TOOLCHAIN (minimal, rust-src)"
  rustup toolchain install "$SIZE_TOOLCHAIN" --profile minimal --component rust-src
fi

# --- wasm-bindgen CLI (must match the wasm-bindgen crate exactly) ------------
wb_version() {
  # Version of the `wasm-bindgen` package in Cargo.lock; fall back to the `=x.y.z`
  # pin in Cargo.toml when there is no lock file yet.
  local v=""
  if [[ -f Cargo.lock ]]; then
    v="$(awk '/^\[\[package\]\]/{n=""} /^name = "wasm-bindgen"$/{n=1; next} n && /^version = /{gsub(/"/,"",$3); print $3; exit}' Cargo.lock)"
  fi
  if [[ -z "$v" ]]; then
    v="$(sed -n 's/^wasm-bindgen *= *"=\{0,1\}\([0-9][0-9.]*\)".*/\1/p' Cargo.toml | head -n1)"
  fi
  printf '%s' "$v"
}
WB_VERSION="$(wb_version)"
[[ -n "$WB_VERSION" ]] || die "cannot find the wasm-bindgen version in Cargo.lock / Cargo.toml"

installed_wb=""
if have wasm-bindgen && have wasm-bindgen-test-runner; then
  installed_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')"
fi
if [[ "$installed_wb" != "$WB_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WB_VERSION (found: ${installed_wb:-none}); this compiles for a few minutes"
  # No --locked: the CLI's own lock file pins a crate version the registry mirror lacks.
  cargo install --quiet --force wasm-bindgen-cli --version "$WB_VERSION"
  now="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')"
  [[ "$now" == "$WB_VERSION" ]] ||
    die "wasm-bindgen on PATH ($(command -v wasm-bindgen)) is still '$now', not $WB_VERSION; put $CARGO_BIN first in PATH"
fi

# --- geckodriver (the npm package downloads from GitHub and fails) ----------
if ((!BUILD_ONLY)) && ! have geckodriver; then
  say "installing geckodriver $GECKODRIVER_VERSION (cargo install, about two minutes)"
  cargo install --quiet geckodriver --version "$GECKODRIVER_VERSION"
fi

# --- apt packages -------------------------------------------------------------
missing=()
((BUILD_ONLY)) && APT_PACKAGES=()
for p in "${APT_PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)"
  [[ "$status" == "installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=()
  if [[ "$(id -u)" -ne 0 ]]; then
    have sudo || die "need root or sudo to apt-get install: ${missing[*]}"
    SUDO=(sudo)
  fi
  say "apt-get install ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- npm dev dependencies ------------------------------------------------------
STAMP="node_modules/.setup-stamp"
if [[ ! -f "$STAMP" || package-lock.json -nt "$STAMP" || package.json -nt "$STAMP" ]]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$STAMP"
fi
