// scripts/wasm-speed-module.mjs (make build): it renames the speed build's closure exports to
// the size build's glue names, and refuses any glue that differs beyond those names and
// comment lines. Run here on the built pkg/gen files, with glues altered on purpose.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(ROOT, 'scripts/wasm-speed-module.mjs');
const GLUE = join(ROOT, 'pkg/gen/jwks_verify.js');
const NODE_WASM = join(ROOT, 'pkg/gen/jwks_verify_node_bg.wasm');
const HASHED = /\b(\w+__invoke__h)([0-9a-f]{16})\b/g;

const glue = readFileSync(GLUE, 'utf8');
const names = [...new Set([...glue.matchAll(HASHED)].map((m) => m[0]))];
const exportNames = (path) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(path))).map((e) => e.name);

// The glue as another build would emit it: other hashes, another comment.
const otherHash = (name) => name.replace(/h[0-9a-f]{16}$/, (h) => `h${[...h.slice(1)].reverse().join('')}`);
const otherGlue = glue.replace(HASHED, otherHash).replace(/^(\s*\/\/).*$/m, '$1 shim_idx: 999');

function run(dir, sizeGlue, speedGlue, wasm, out) {
  writeFileSync(join(dir, 'size.js'), sizeGlue);
  writeFileSync(join(dir, 'speed.js'), speedGlue);
  return spawnSync(process.execPath, [SCRIPT, join(dir, 'size.js'), join(dir, 'speed.js'), wasm, join(dir, out)], { encoding: 'utf8' });
}

test('premise: the glue has hashed closure exports, all exported by the Node module', () => {
  assert.ok(names.length > 0);
  for (const name of names) assert.ok(exportNames(NODE_WASM).includes(name), name);
});

test('names mapped by place: renamed to another build\'s names and back gives the same bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-speed-'));
  try {
    // Pretend the Node module came from a build whose glue is otherGlue, then map it back.
    let result = run(dir, otherGlue, glue, NODE_WASM, 'other.wasm');
    assert.equal(result.status, 0, result.stderr);
    const other = exportNames(join(dir, 'other.wasm'));
    for (const name of names) {
      assert.ok(!other.includes(name));
      assert.ok(other.includes(otherHash(name)));
    }
    result = run(dir, glue, otherGlue, join(dir, 'other.wasm'), 'back.wasm');
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readFileSync(join(dir, 'back.wasm')), readFileSync(NODE_WASM));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('any other difference fails the build: a changed line, an extra hashed name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-speed-'));
  try {
    const changedLine = otherGlue.replace('getArrayU8FromWasm0(arg4, arg5)', 'getArrayU8FromWasm0(arg4, arg5).slice()');
    assert.notEqual(changedLine, otherGlue, 'the altered line exists');
    const extra = `${otherGlue}\nwasm.closure__invoke__h0123456789abcdef();\n`;
    for (const [label, speedGlue, message] of [
      ['a changed line', changedLine, /differs from the size module's/],
      ['an extra hashed export', extra, /hashed exports/],
    ]) {
      const result = run(dir, glue, speedGlue, NODE_WASM, 'out.wasm');
      assert.equal(result.status, 1, label);
      assert.match(result.stderr, message, label);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a module without those exports is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-speed-'));
  try {
    // The size glue's names are not in a module renamed to other names: nothing to rename.
    execFileSync(process.execPath, [SCRIPT, GLUE, GLUE, NODE_WASM, join(dir, 'same.wasm')]);
    const result = run(dir, glue, otherGlue, NODE_WASM, 'out.wasm');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /renamed 0 exports/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
