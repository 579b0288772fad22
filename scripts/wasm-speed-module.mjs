// make build: makes the speed-built protocol module loadable by the size-built module's glue.
//
//   node scripts/wasm-speed-module.mjs SIZE_GLUE.js SPEED_GLUE.js SPEED.wasm OUT.wasm
//
// Every entry imports one glue, pkg/gen/jwks_verify.js (wasm-bindgen's output for the opt-level
// "z" module). The opt-level 3 build of the same crate gets a glue that differs only in the
// hashed names of its closure-invoke exports (`…__invoke__h<16 hex>`) and in comments. This
// script pairs those names by their place in the two glues, FAILS unless the speed glue with
// its names replaced equals the size glue (comment lines aside), then renames the speed
// module's exports to the size glue's names. Anything else that differs (a new import, another
// shim, a changed signature) stops the build instead of producing a module the glue misdrives.

import { readFileSync, writeFileSync } from 'node:fs';

const [sizeGluePath, speedGluePath, speedWasmPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error('usage: wasm-speed-module.mjs SIZE_GLUE.js SPEED_GLUE.js SPEED.wasm OUT.wasm');
  process.exit(2);
}

function fail(message) {
  console.error(`error: wasm-speed-module: ${message}`);
  process.exit(1);
}

const HASHED = /\b(\w+__invoke__h)([0-9a-f]{16})\b/g;

// The glue without comment lines, and its hashed names in order of first appearance.
function readGlue(path) {
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*\/\//.test(line))
    .join('\n');
  const names = [];
  for (const match of text.matchAll(HASHED)) if (!names.includes(match[0])) names.push(match[0]);
  return { text, names };
}

const size = readGlue(sizeGluePath);
const speed = readGlue(speedGluePath);
if (size.names.length !== speed.names.length) fail(`the glues have ${size.names.length} and ${speed.names.length} hashed exports`);
const renames = new Map(speed.names.map((name, i) => [name, size.names[i]]));
const mapped = speed.text.replace(HASHED, (name) => renames.get(name));
if (mapped !== size.text) {
  const a = size.text.split('\n');
  const b = mapped.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  fail(`the speed module's glue differs from the size module's beyond hashed export names (first at non-comment line ${line + 1}:\n  size:  ${a[line]}\n  speed: ${b[line]})`);
}

// --- the export section ---------------------------------------------------------------

const wasm = readFileSync(speedWasmPath);
if (wasm.readUInt32BE(0) !== 0x0061736d) fail(`${speedWasmPath} is not a wasm module`);

function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value >>> 0, at];
    shift += 7;
    if (shift > 28) fail('malformed LEB128');
  }
}

function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return Buffer.from(out);
}

const parts = [wasm.subarray(0, 8)];
let at = 8;
let renamed = 0;
while (at < wasm.length) {
  const id = wasm[at];
  const [length, start] = readU32(wasm, at + 1);
  const end = start + length;
  if (id !== 7) {
    parts.push(wasm.subarray(at, end));
  } else {
    const [count, first] = readU32(wasm, start);
    let p = first;
    const body = [u32(count)];
    for (let i = 0; i < count; i++) {
      const [nameLength, nameStart] = readU32(wasm, p);
      const name = wasm.subarray(nameStart, nameStart + nameLength).toString('utf8');
      const [, afterIndex] = readU32(wasm, nameStart + nameLength + 1);
      const newName = renames.get(name) ?? name;
      if (renames.has(name)) renamed += 1;
      const encoded = Buffer.from(newName, 'utf8');
      body.push(u32(encoded.length), encoded, wasm.subarray(nameStart + nameLength, afterIndex));
      p = afterIndex;
    }
    if (p !== end) fail('malformed export section');
    const content = Buffer.concat(body);
    parts.push(Buffer.from([7]), u32(content.length), content);
  }
  at = end;
}
if (renamed !== renames.size) fail(`renamed ${renamed} exports, expected ${renames.size}`);
writeFileSync(outPath, Buffer.concat(parts));
console.log(`${outPath}: ${renamed} closure exports renamed to the size module's glue names`);
