# jwks-verify build / test entry points. `make test` is what CI runs (.ci/run).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build
# Steps share target/ and the browsers; keep them in order even under `make -j`.
.NOTPARALLEL:
# Each recipe runs as one bash script (set -euo pipefail).
.ONESHELL:

CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(PATH)

WASM_TARGET := wasm32-unknown-unknown
# The modules browsers and edge workers download are built with a pinned nightly that rebuilds
# std for size with panics as plain traps (no panic message formatting, no unwinding tables):
# -8% gzip on the protocol module, -25% on the signature module (bench/size-breakdown.md). Their
# own target dir: the speed build (stable) and the tests do not rebuild each other's crates.
# scripts/setup.sh installs SIZE_TOOLCHAIN with rust-src. Legacy symbol mangling: the closure
# exports keep the `…__invoke__h<hash>` names scripts/wasm-speed-module.mjs pairs with the
# stable speed build's. -Zlocation-detail=none: a panic is a bare trap, so the file paths and
# line numbers its location would carry are never read (~400 bytes gzip).
SIZE_TOOLCHAIN := nightly-2026-10-30
SIZE_TARGET_DIR := target/size
SIZE_CARGO := RUSTFLAGS='-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Csymbol-mangling-version=legacy' cargo +$(SIZE_TOOLCHAIN)
SIZE_BUILD_STD := -Z build-std=std,panic_abort
RAW_WASM    := $(SIZE_TARGET_DIR)/$(WASM_TARGET)/release/jwks_verify.wasm
GEN_DIR     := pkg/gen
GEN_NAME    := jwks_verify
GEN_WASM    := $(GEN_DIR)/$(GEN_NAME)_bg.wasm
GEN_STAMP   := target/wasm-gen.stamp
SIG_NAME    := jwks_verify_signature
# The verify-only module (`jwks-verify/verify-only`): the same crate without the
# `full-protocol` exports (parseJwks, verifyJwt, verifyJwtSync, createVerifier, decodeJwt).
VERIFY_NAME := jwks_verify_verify_only
# name:features of each wasm module (`--no-default-features` plus these).
WASM_MODULES := $(GEN_NAME):full-protocol,compact-sha2 $(SIG_NAME):signature-module,compact-sha2 $(VERIFY_NAME):compact-sha2
# Node's protocol module: the same crate as $(GEN_NAME), built for speed (no budget).
NODE_NAME      := jwks_verify_node
NODE_WASM      := $(GEN_DIR)/$(NODE_NAME)_bg.wasm
SPEED_RAW_WASM := target/$(WASM_TARGET)/release-speed/jwks_verify.wasm
# gzip -9 budgets in bytes for pkg/gen/<name>_bg.wasm (make build fails above them). gzip of
# near-identical builds moves by ~450 bytes: each sits ~1 KB above its module's size when set
# (the protocol module: 195,883 on 2026-11-30, with the resource-server option fixes).
WASM_BUDGET_GZIP      ?= 196800
SIGNATURE_BUDGET_GZIP ?= 88500
VERIFY_BUDGET_GZIP    ?= 100000

# wasm-opt from npm `binaryen` (devDependency). Not Debian 12's apt binaryen 108: it
# re-points the `__wbindgen_externrefs` table export at the funcref table.
WASM_OPT := node_modules/.bin/wasm-opt
ESBUILD  := node_modules/.bin/esbuild
# Features the Rust 1.95 wasm32 output declares in its target_features section
# (wasm-opt reads that section too; listed explicitly so -Oz never lowers them).
WASM_OPT_FLAGS := -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue

WASM_OPT_SPEED_FLAGS := $(subst -Oz,-O3,$(WASM_OPT_FLAGS))
# The size builds' inlining. A wasm engine compiles each function on its first call (V8's lazy
# compilation: Chromium, workerd, Deno), at a fixed cost per function (~32 us in a Chromium
# trace on this machine) besides its size. binaryen's -Oz inlines every function with one caller
# whatever its size, so a key set's first parse compiled branches it never takes (9.2 -> 6.4 ms for a first
# parseJwks once that stopped, issue 13); it inlines only trivial functions with several callers.
# Inlining single-caller functions up to 20 and any function up to 6 (binaryen's size measure)
# takes the verify-only module's first parseJwks + two verifications in Chromium from 480 to 406
# lazily compiled functions, and makes all three modules smaller (verify-only 98,029 -> 97,651 bytes gzip).
WASM_OPT_SIZE_INLINING := --one-caller-inline-max-function-size 20 --always-inline-max-function-size 6

# wasm-bindgen-test-runner: whole-binary timeout in a browser (its default is 20 s).
export WASM_BINDGEN_TEST_TIMEOUT ?= 300
WASM_TEST := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target $(WASM_TARGET)
# The runner takes the first of GECKODRIVER, SAFARIDRIVER, CHROMEDRIVER, MSEDGEDRIVER
# that is set (any *_REMOTE wins over all of them), else the first driver binary on
# PATH (geckodriver in ~/.cargo/bin beats /usr/bin/chromedriver). So unset them all and
# set exactly one.
NO_DRIVER_ENV := env -u GECKODRIVER -u GECKODRIVER_REMOTE -u CHROMEDRIVER -u CHROMEDRIVER_REMOTE \
  -u SAFARIDRIVER -u SAFARIDRIVER_REMOTE -u MSEDGEDRIVER -u MSEDGEDRIVER_REMOTE \
  -u WASM_BINDGEN_TEST_ONLY_NODE -u WASM_BINDGEN_TEST_ONLY_WEB

# $(call have_tests,GLOB): true when cargo has an integration test target matching GLOB
have_tests = compgen -G 'tests/$(1).rs' >/dev/null || compgen -G 'tests/$(1)/main.rs' >/dev/null

.PHONY: setup setup-build build test test-native test-wasm-node test-wasm-chromium test-wasm-firefox \
  test-js test-package pack docs demo bench bench-cachegrind serve clean distclean fuzz

setup:
	@bash scripts/setup.sh

# What building the package needs, no test tooling (browsers, drivers, redis).
setup-build:
	@bash scripts/setup.sh --build-only

build: setup-build
	@# Three modules from one crate: the protocol module every entry loads, the signature
	# module (pure-Rust RSA/ECDSA/EdDSA) loaded only where host crypto cannot serve, and the
	# verify-only module (jwks-verify/verify-only).
	mkdir -p target/wasm-raw
	for module in $(WASM_MODULES); do
	  name=$${module%%:*}; features=$${module#*:}
	  echo "$(SIZE_CARGO) build --release --target $(WASM_TARGET) --target-dir $(SIZE_TARGET_DIR) $(SIZE_BUILD_STD) --lib --no-default-features $${features:+--features $$features}  [$$name]"
	  $(SIZE_CARGO) build --release --target $(WASM_TARGET) --target-dir $(SIZE_TARGET_DIR) $(SIZE_BUILD_STD) --lib --no-default-features $${features:+--features $$features}
	  cmp -s $(RAW_WASM) target/wasm-raw/$$name.wasm || cp -f $(RAW_WASM) target/wasm-raw/$$name.wasm
	  stamp=target/wasm-gen-$$name.stamp
	  if [[ -f $$stamp && -f $(GEN_DIR)/$${name}_bg.wasm && $$stamp -nt target/wasm-raw/$$name.wasm && $$stamp -nt Makefile ]]; then
	    echo "$(GEN_DIR)/$$name is up to date"
	    continue
	  fi
	  rm -f $$stamp
	  # A private work dir, so that two builds at once cannot clobber each other's files.
	  gen_tmp=$$(mktemp -d target/wasm-gen.XXXXXX)
	  trap 'rm -rf "$$gen_tmp"' EXIT
	  echo "wasm-bindgen --target web -> $(GEN_DIR)/$$name.js"
	  # The reset-state hook gives the runtime a fresh instance after a trap (pkg/lib/runtime.js).
	  wasm-bindgen --target web --experimental-reset-state-function --out-dir $$gen_tmp --out-name $$name target/wasm-raw/$$name.wasm
	  opt_flags="$(WASM_OPT_FLAGS) $(WASM_OPT_SIZE_INLINING)"
	  echo "wasm-opt $$opt_flags"
	  $(WASM_OPT) $$opt_flags $$gen_tmp/$${name}_bg.wasm -o $$gen_tmp/$${name}_bg.wasm
	  # Smoke check: the optimised module must still instantiate with its glue.
	  GEN_TMP_DIR="$$gen_tmp" GEN_MODULE="$$name" node --input-type=module -e '
	    const dir = new URL(`file://$(CURDIR)/$${process.env.GEN_TMP_DIR}/`);
	    const name = process.env.GEN_MODULE;
	    const { initSync } = await import(new URL(`$${name}.js`, dir));
	    const { readFileSync } = await import("node:fs");
	    initSync({ module: readFileSync(new URL(`$${name}_bg.wasm`, dir)) });'
	  mkdir -p $(GEN_DIR)
	  cp -f $$gen_tmp/* $(GEN_DIR)/
	  rm -rf "$$gen_tmp"
	  touch $$stamp
	done
	# Node's protocol module, built for speed (Node reads it from disk; size matters little
	# there): the same crate at opt-level 3 (Cargo.toml [profile.release-speed]), its closure
	# exports renamed to the size build's glue names; the build fails unless its glue, names
	# aside, is the size build's (scripts/wasm-speed-module.mjs).
	echo "cargo build --profile release-speed --target $(WASM_TARGET) --lib --no-default-features --features full-protocol  [$(NODE_NAME)]"
	cargo build --profile release-speed --target $(WASM_TARGET) --lib --no-default-features --features full-protocol
	stamp=target/wasm-gen-$(NODE_NAME).stamp
	if [[ -f $$stamp && -f $(NODE_WASM) && $$stamp -nt $(SPEED_RAW_WASM) && $$stamp -nt $(GEN_DIR)/$(GEN_NAME).js && $$stamp -nt Makefile && $$stamp -nt scripts/wasm-speed-module.mjs ]]; then
	  echo "$(NODE_WASM) is up to date"
	else
	  rm -f $$stamp
	  gen_tmp=$$(mktemp -d target/wasm-gen.XXXXXX)
	  trap 'rm -rf "$$gen_tmp"' EXIT
	  wasm-bindgen --target web --experimental-reset-state-function --out-dir $$gen_tmp --out-name $(GEN_NAME) $(SPEED_RAW_WASM)
	  echo "wasm-opt $(WASM_OPT_SPEED_FLAGS)"
	  $(WASM_OPT) $(WASM_OPT_SPEED_FLAGS) $$gen_tmp/$(GEN_NAME)_bg.wasm -o $$gen_tmp/speed.wasm
	  node scripts/wasm-speed-module.mjs $(GEN_DIR)/$(GEN_NAME).js $$gen_tmp/$(GEN_NAME).js $$gen_tmp/speed.wasm $$gen_tmp/$(NODE_NAME)_bg.wasm
	  # Smoke check: the renamed module instantiates with the size build's glue and verifies.
	  NODE_WASM_FILE="$$gen_tmp/$(NODE_NAME)_bg.wasm" node --input-type=module -e '
	    const { initSync, algorithmTable } = await import("file://$(CURDIR)/$(GEN_DIR)/$(GEN_NAME).js");
	    const { readFileSync } = await import("node:fs");
	    initSync({ module: readFileSync(process.env.NODE_WASM_FILE) });
	    if (!JSON.parse(algorithmTable()).length) throw new Error("no algorithm table");'
	  cp -f $$gen_tmp/$(NODE_NAME)_bg.wasm $(NODE_WASM)
	  rm -rf "$$gen_tmp"
	  touch $$stamp
	fi
	printf '%s: %d bytes (%d KiB) raw (Node only, no budget)\n' $(NODE_WASM) $$(stat -c %s $(NODE_WASM)) $$(( $$(stat -c %s $(NODE_WASM)) / 1024 ))
	# The size budget (gzip -9 bytes): the protocol module is what every browser and edge
	# worker downloads; lower the budgets as the modules shrink, never raise them quietly.
	for module in $(WASM_MODULES); do
	  name=$${module%%:*}; budget=$$(case $$name in $(GEN_NAME)) echo $(WASM_BUDGET_GZIP);; $(VERIFY_NAME)) echo $(VERIFY_BUDGET_GZIP);; *) echo $(SIGNATURE_BUDGET_GZIP);; esac)
	  wasm=$(GEN_DIR)/$${name}_bg.wasm
	  raw=$$(stat -c %s $$wasm); gz=$$(gzip -9c $$wasm | wc -c)
	  printf '%s: %d bytes (%d KiB) raw, %d bytes (%d KiB) gzip -9 (budget %d)\n' $$wasm $$raw $$((raw / 1024)) $$gz $$((gz / 1024)) $$budget
	  if (( gz > budget )); then echo "error: $$wasm is $$gz bytes gzipped, over its budget of $$budget (Makefile)" >&2; exit 1; fi
	done
	# The CommonJS entry: node.mjs and lib/ bundled by esbuild, import.meta.url made from
	# __filename (node.cjs sits next to node.mjs, so relative URLs stay right).
	echo "esbuild pkg/node.mjs -> pkg/node.cjs; pkg/index.d.ts -> pkg/index.d.cts"
	$(ESBUILD) pkg/node.mjs --bundle --platform=node --format=cjs --target=node18 --log-level=warning \
	  --define:import.meta.url=__jwks_verify_module_url \
	  --banner:js="// Generated by make build from node.mjs (esbuild); do not edit.
	const __jwks_verify_module_url = require('node:url').pathToFileURL(__filename).href;" \
	  --outfile=pkg/node.cjs
	# The ESM entry Node resolves (`import 'jwks-verify'`): node.mjs and lib/ as one file. Node's
	# ESM loader resolves, reads and links each file on its own; one file instead of ~30 takes
	# ~35 ms off import + first verify (bench/run.mjs "Cold start"). The repository's tests
	# import node.mjs itself, next to lib/ and gen/.
	echo "esbuild pkg/node.mjs -> pkg/node.bundle.mjs"
	$(ESBUILD) pkg/node.mjs --bundle --platform=node --format=esm --target=node18 --log-level=warning \
	  --banner:js="// Generated by make build from node.mjs (esbuild); do not edit." \
	  --outfile=pkg/node.bundle.mjs
	cp -f pkg/index.d.ts pkg/index.d.cts
	# jwks-verify/verify-only: lib/'s verify path bundled onto the verify-only module's glue.
	echo "esbuild pkg/lib/verify-only.js -> pkg/verify-only-core.mjs"
	node scripts/verify-only-bundle.mjs
	sed "s|'./index.js'|'./index.cjs'|" pkg/verify-only.d.ts > pkg/verify-only.d.cts
	# The subpath entries with no wasm (jwks-verify/redis, /edge, and the adapters /hono,
	# /express, /fastify, which require the package's own main entry): CommonJS twins.
	for sub in redis edge hono express fastify; do
	  $(ESBUILD) pkg/$$sub.mjs --bundle --platform=neutral --format=cjs --target=node18 --log-level=warning --external:jwks-verify \
	    --banner:js="// Generated by make build from $$sub.mjs (esbuild); do not edit." --outfile=pkg/$$sub.cjs
	  cp -f pkg/$$sub.d.ts pkg/$$sub.d.cts
	done
	# The licences ship in the tarball; the repository root holds the originals.
	cp -f LICENSE-MIT LICENSE-APACHE pkg/

test: setup build test-native test-wasm-node test-wasm-chromium test-wasm-firefox test-js test-package

test-native: setup build
	cargo test

test-wasm-node: setup build
	@if $(call have_tests,wasm_node*); then
	  set -x
	  $(NO_DRIVER_ENV) WASM_BINDGEN_TEST_ONLY_NODE=1 $(WASM_TEST) --test 'wasm_node*'
	else
	  echo "skip: no tests/wasm_node*.rs"
	fi

# One recipe for both browsers; each target names its WebDriver.
test-wasm-chromium: BROWSER := Chromium
test-wasm-chromium: DRIVER_ENV = CHROMEDRIVER="$$(command -v chromedriver)"
test-wasm-firefox: BROWSER := Firefox
test-wasm-firefox: DRIVER_ENV = GECKODRIVER="$$(command -v geckodriver)"
test-wasm-chromium test-wasm-firefox: setup build
	@if $(call have_tests,wasm_browser*); then
	  set -x
	  $(NO_DRIVER_ENV) $(DRIVER_ENV) WASM_BINDGEN_TEST_ONLY_WEB=1 $(WASM_TEST) --test 'wasm_browser*'
	else
	  echo "skip: no tests/wasm_browser*.rs ($(BROWSER))"
	fi

# Node 20's runner takes *.test.{mjs,cjs,js} under a directory; listing the files
# ourselves keeps that rule on Node 22+ (which treats arguments as globs) too.
test-js: setup build
	@files=()
	if [[ -d tests/js && -d tests/e2e ]]; then
	  mapfile -t files < <(find tests/js tests/e2e -type f \( -name '*.test.mjs' -o -name '*.test.cjs' -o -name '*.test.js' \) | sort)
	fi
	if (( $${#files[@]} )); then
	  set -x
	  node --test "$${files[@]}"
	else
	  echo "skip: no tests/js/**/*.test.{mjs,cjs,js}"
	fi

# The npm package from its tarball: Node ESM + CommonJS, Chromium, workerd, Deno, TypeScript,
# publint, attw, the installed CLI. A test whose tool `make setup` could not install skips.
test-package: setup build
	@if [[ -f tests/package/run.mjs ]]; then
	  set -x
	  node tests/package/run.mjs
	else
	  echo "skip: no tests/package/run.mjs"
	fi

# Coverage-guided fuzzing (cargo-fuzz, nightly Rust): each target of fuzz/ for FUZZ_SECONDS,
# one at a time, niced (-O: a release build; fuzz/Cargo.toml keeps debug assertions and
# overflow checks on). New inputs go to target/fuzz-corpus/ (the committed seeds in
# fuzz/corpus/ are read, never written); crashes to fuzz/artifacts/<target>/. `make test`
# replays fuzz/corpus/ on stable (tests/fuzz_corpus.rs): copy a crash there once fixed.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= token jwks options remote x509 json
fuzz:
	@command -v cargo-fuzz >/dev/null || { echo "needs: rustup toolchain install nightly --profile minimal && cargo install cargo-fuzz"; exit 2; }
	for target in $(FUZZ_TARGETS); do
	  mkdir -p target/fuzz-corpus/$$target
	  echo "fuzz $$target for $(FUZZ_SECONDS) s"
	  (cd fuzz && nice -n 15 cargo +nightly fuzz run -O $$target ../target/fuzz-corpus/$$target corpus/$$target -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
	done

# The npm tarball, as `npm publish` would upload it: dist/jwks-verify-<version>.tgz.
pack: build
	@mkdir -p dist
	rm -f dist/jwks-verify-*.tgz
	tarball=$$(cd pkg && npm pack --pack-destination ../dist --loglevel=error)
	printf 'dist/%s: %d bytes\n' "$$tarball" "$$(stat -c %s "dist/$$tarball")"

# API reference from pkg/index.d.ts (TypeDoc) into docs/reference/ (git-ignored: rebuilt from
# the declarations, so it cannot go stale in the repository). TypeDoc supports TypeScript up
# to 6.0 and the repository's tsc is 7, so it lives in its own pinned project, tools/typedoc/.
docs:
	@if [[ ! -f tools/typedoc/node_modules/.stamp || tools/typedoc/package-lock.json -nt tools/typedoc/node_modules/.stamp ]]; then
	  npm ci --prefix tools/typedoc --no-audit --no-fund --loglevel=error
	  touch tools/typedoc/node_modules/.stamp
	fi
	rm -rf docs/reference
	tools/typedoc/node_modules/.bin/typedoc --options tools/typedoc/typedoc.json
	echo "docs/reference/index.html"

demo: build
	@if [[ -f examples/demo.mjs ]]; then node examples/demo.mjs; else echo "skip: no examples/demo.mjs"; fi

bench: setup build
	@if [[ -f bench/run.mjs ]]; then node bench/run.mjs; else echo "skip: no bench/run.mjs"; fi
	@if [[ -f bench/browser.mjs ]]; then node bench/browser.mjs; else echo "skip: no bench/browser.mjs"; fi
	@if [[ -f bench/jwks_select.mjs ]]; then node bench/jwks_select.mjs; else echo "skip: no bench/jwks_select.mjs"; fi
	@if [[ -f bench/remote_refresh.mjs ]]; then node bench/remote_refresh.mjs; else echo "skip: no bench/remote_refresh.mjs"; fi
	@if [[ -f bench/redis.mjs ]]; then node bench/redis.mjs; else echo "skip: no bench/redis.mjs"; fi
	@if [[ -f bench/slim.mjs ]]; then node bench/slim.mjs; else echo "skip: no bench/slim.mjs"; fi
	@if [[ -f bench/slim_workerd.mjs ]]; then node bench/slim_workerd.mjs; else echo "skip: no bench/slim_workerd.mjs"; fi
	@if [[ -f bench/memory.mjs ]]; then node --expose-gc bench/memory.mjs; else echo "skip: no bench/memory.mjs"; fi
	@if [[ -f bench/wrangler_size.mjs ]]; then node bench/wrangler_size.mjs; else echo "skip: no bench/wrangler_size.mjs"; fi

# Instructions and simulated cache misses a token, jwks-verify against fast-jwt and node:crypto
# alone (valgrind's cachegrind; ~15 minutes): the counts this VM's wall-clock noise does not move.
bench-cachegrind: setup build
	node bench/cachegrind.mjs

serve: build
	@if [[ -f scripts/serve.mjs ]]; then node scripts/serve.mjs; else echo "skip: no scripts/serve.mjs"; fi

clean:
	rm -rf $(GEN_DIR) target/wasm-gen.* target/wasm-gen-*.stamp target/wasm-raw $(GEN_STAMP) tests/e2e/artifacts bench/tmp pkg/node.cjs pkg/node.bundle.mjs pkg/index.d.cts \
	  pkg/redis.cjs pkg/redis.d.cts pkg/edge.cjs pkg/edge.d.cts pkg/verify-only-core.mjs pkg/verify-only.d.cts \
	  pkg/LICENSE-MIT pkg/LICENSE-APACHE dist docs/reference
	cargo clean

distclean: clean
	rm -rf node_modules
