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
RAW_WASM    := target/$(WASM_TARGET)/release/jwks_verify.wasm
GEN_DIR     := pkg/gen
GEN_NAME    := jwks_verify
GEN_WASM    := $(GEN_DIR)/$(GEN_NAME)_bg.wasm
GEN_TMP     := target/wasm-gen.tmp
GEN_STAMP   := target/wasm-gen.stamp

# wasm-opt from npm `binaryen` (devDependency). Not Debian 12's apt binaryen 108: it
# re-points the `__wbindgen_externrefs` table export at the funcref table.
WASM_OPT := node_modules/.bin/wasm-opt
# Features the Rust 1.95 wasm32 output declares in its target_features section
# (wasm-opt reads that section too; listed explicitly so -Oz never lowers them).
WASM_OPT_FLAGS := -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue

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

.PHONY: setup build test test-native test-wasm-node test-wasm-chromium test-wasm-firefox \
  test-js demo bench serve clean distclean

setup:
	@bash scripts/setup.sh

build: setup
	@echo "cargo build --release --target $(WASM_TARGET) --lib"
	cargo build --release --target $(WASM_TARGET) --lib
	if [[ -f $(GEN_STAMP) && -f $(GEN_WASM) && $(GEN_STAMP) -nt $(RAW_WASM) && $(GEN_STAMP) -nt Makefile ]]; then
	  echo "$(GEN_DIR) is up to date"
	else
	  rm -rf $(GEN_TMP) $(GEN_STAMP)
	  echo "wasm-bindgen --target web -> $(GEN_DIR)/$(GEN_NAME).js"
	  wasm-bindgen --target web --out-dir $(GEN_TMP) --out-name $(GEN_NAME) $(RAW_WASM)
	  echo "wasm-opt $(WASM_OPT_FLAGS)"
	  $(WASM_OPT) $(WASM_OPT_FLAGS) $(GEN_TMP)/$(GEN_NAME)_bg.wasm -o $(GEN_TMP)/$(GEN_NAME)_bg.wasm
	  # Smoke check: the optimised module must still instantiate with its glue.
	  node --input-type=module -e '
	    const dir = new URL("file://$(CURDIR)/$(GEN_TMP)/");
	    const { initSync } = await import(new URL("$(GEN_NAME).js", dir));
	    const { readFileSync } = await import("node:fs");
	    initSync({ module: readFileSync(new URL("$(GEN_NAME)_bg.wasm", dir)) });'
	  mkdir -p $(GEN_DIR)
	  cp -f $(GEN_TMP)/* $(GEN_DIR)/
	  rm -rf $(GEN_TMP)
	  touch $(GEN_STAMP)
	fi
	raw=$$(stat -c %s $(GEN_WASM)); gz=$$(gzip -9c $(GEN_WASM) | wc -c)
	printf '%s: %d bytes (%d KiB) raw, %d bytes (%d KiB) gzip -9\n' \
	  $(GEN_WASM) $$raw $$((raw / 1024)) $$gz $$((gz / 1024))

test: build test-native test-wasm-node test-wasm-chromium test-wasm-firefox test-js

test-native: build
	cargo test

test-wasm-node: build
	@if $(call have_tests,wasm_node*); then
	  set -x
	  $(NO_DRIVER_ENV) WASM_BINDGEN_TEST_ONLY_NODE=1 $(WASM_TEST) --test 'wasm_node*'
	else
	  echo "skip: no tests/wasm_node*.rs"
	fi

test-wasm-chromium: build
	@if $(call have_tests,wasm_browser*); then
	  set -x
	  $(NO_DRIVER_ENV) CHROMEDRIVER="$$(command -v chromedriver)" WASM_BINDGEN_TEST_ONLY_WEB=1 \
	    $(WASM_TEST) --test 'wasm_browser*'
	else
	  echo "skip: no tests/wasm_browser*.rs (Chromium)"
	fi

test-wasm-firefox: build
	@if $(call have_tests,wasm_browser*); then
	  set -x
	  $(NO_DRIVER_ENV) GECKODRIVER="$$(command -v geckodriver)" WASM_BINDGEN_TEST_ONLY_WEB=1 \
	    $(WASM_TEST) --test 'wasm_browser*'
	else
	  echo "skip: no tests/wasm_browser*.rs (Firefox)"
	fi

# Node 20's runner takes *.test.{mjs,cjs,js} under a directory; listing the files
# ourselves keeps that rule on Node 22+ (which treats arguments as globs) too.
test-js: build
	@files=()
	if [[ -d tests/js ]]; then
	  mapfile -t files < <(find tests/js -type f \( -name '*.test.mjs' -o -name '*.test.cjs' -o -name '*.test.js' \) | sort)
	fi
	if (( $${#files[@]} )); then
	  set -x
	  node --test "$${files[@]}"
	else
	  echo "skip: no tests/js/**/*.test.{mjs,cjs,js}"
	fi

demo: build
	@if [[ -f examples/demo.mjs ]]; then node examples/demo.mjs; else echo "skip: no examples/demo.mjs"; fi

bench: build
	@if [[ -f bench/run.mjs ]]; then node bench/run.mjs; else echo "skip: no bench/run.mjs"; fi

serve: build
	@if [[ -f scripts/serve.mjs ]]; then node scripts/serve.mjs; else echo "skip: no scripts/serve.mjs"; fi

clean:
	rm -rf $(GEN_DIR) $(GEN_TMP) $(GEN_STAMP) tests/e2e/artifacts bench/tmp
	cargo clean

distclean: clean
	rm -rf node_modules
