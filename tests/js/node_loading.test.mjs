// How the Node entries (ESM and CommonJS) load their wasm: the protocol module is Node's speed
// build (gen/jwks_verify_node_bg.wasm), instantiated at import; the pure-Rust signature module
// is instantiated synchronously on first need only (setBackend('rust'), a key node:crypto
// cannot use), never at import, and ERR_FALLBACK_NOT_LOADED never appears in Node.
// Each case runs in a fresh process that records every WebAssembly.Module compiled.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NOW, generateKey, mint } from './helpers.mjs';

const exec = promisify(execFile);
const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const sizeOf = (name) => readFileSync(`${PKG}gen/${name}`).length;
// `esm`: the source entry the repository's tests import; `esm-bundle`: node.mjs and lib/ as one
// file (make build), what `import 'jwks-verify'` resolves to in Node; `cjs`: node.cjs.
const ENTRY_FILES = { esm: 'node.mjs', 'esm-bundle': 'node.bundle.mjs' };

// Runs `body` (an async function's text with `jv`, the entry's exports, and `compiled()`, the
// byte sizes of the modules compiled so far) in a fresh Node process; returns what it printed.
async function inFreshProcess(entry, body, input, prelude = '') {
  const script = `
    ${prelude}
    const compiled = [];
    const Module = WebAssembly.Module;
    WebAssembly.Module = function (bytes, ...rest) { compiled.push(bytes.byteLength); return new Module(bytes, ...rest); };
    Object.setPrototypeOf(WebAssembly.Module, Module);
    WebAssembly.Module.prototype = Module.prototype;
    const input = JSON.parse(process.env.CASE_INPUT);
    const load = ${entry === 'cjs' ? `async () => require(${JSON.stringify(`${PKG}node.cjs`)})` : `() => import(${JSON.stringify(`${PKG}${ENTRY_FILES[entry]}`)})`};
    (async () => {
      const jv = await load();
      const out = await (${body})(jv, () => [...compiled], input);
      process.stdout.write(JSON.stringify(out));
    })().catch((err) => { console.error(err); process.exit(1); });`;
  const { stdout } = await exec(process.execPath, ['-e', script], { env: { ...process.env, CASE_INPUT: JSON.stringify(input) } });
  return JSON.parse(stdout);
}

const claims = { iss: 'https://issuer.example', sub: 'alice', iat: NOW - 10, exp: NOW + 600 };

const fixtures = await Promise.all(['RS256', 'ES256', 'EdDSA', 'HS256'].map(async (alg) => {
  const key = await generateKey(alg);
  return { alg, jwk: key.jwk, token: await mint(key, claims) };
}));

for (const entry of ['esm', 'esm-bundle', 'cjs']) {
  test(`${entry}: import loads Node's speed-built protocol module only; node:crypto verifies without the signature module`, async () => {
    const out = await inFreshProcess(entry, `async (jv, compiled, fixtures) => {
      const atImport = compiled();
      const outcomes = [];
      for (const f of fixtures) {
        const keys = jv.parseJwks({ keys: [f.jwk] }, { allowPrivate: true });
        const options = { currentDate: ${NOW}, algorithms: [f.alg] };
        outcomes.push(jv.verifyJwtSync(f.token, keys, options).payload.sub, (await jv.verifyJwt(f.token, keys, options)).payload.sub);
      }
      await jv.ready();
      return { atImport, after: compiled(), outcomes, backend: jv.getBackend().sync };
    }`, fixtures);
    assert.deepEqual(out.atImport, [sizeOf('jwks_verify_node_bg.wasm')]);
    assert.deepEqual(out.after, out.atImport, 'no other module compiled, ready() included');
    assert.equal(out.backend, 'node');
    assert.deepEqual(out.outcomes, Array(fixtures.length * 2).fill('alice'));
  });

  test(`${entry}: setBackend('rust') instantiates the signature module synchronously; sync verification works at once`, async () => {
    const out = await inFreshProcess(entry, `async (jv, compiled, fixtures) => {
      const before = compiled().length;
      jv.setBackend('rust');
      const loaded = compiled().slice(before);
      const outcomes = [];
      for (const f of fixtures) {
        const keys = jv.parseJwks({ keys: [f.jwk] }, { allowPrivate: true });
        try {
          outcomes.push(jv.verifyJwtSync(f.token, keys, { currentDate: ${NOW}, algorithms: [f.alg] }).payload.sub);
        } catch (err) {
          outcomes.push(err.code);
        }
      }
      return { loaded, outcomes, total: compiled().length - before };
    }`, fixtures);
    assert.deepEqual(out.loaded, [sizeOf('jwks_verify_signature_bg.wasm')]);
    assert.equal(out.total, 1, 'instantiated once');
    assert.deepEqual(out.outcomes, Array(fixtures.length).fill('alice'));
  });

  test(`${entry}: ready({ sync: true }) loads the signature module; the Rust check after it needs no await`, async () => {
    const out = await inFreshProcess(entry, `async (jv, compiled) => {
      const before = compiled().length;
      await jv.ready({ sync: true });
      return compiled().slice(before);
    }`, null);
    assert.deepEqual(out, [sizeOf('jwks_verify_signature_bg.wasm')]);
  });
}

test('the speed module and the size module are the same protocol: same exports, loaded by one glue', () => {
  const exportsOf = (name) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(`${PKG}gen/${name}`))).map((e) => `${e.kind} ${e.name}`).sort();
  const importsOf = (name) => WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(`${PKG}gen/${name}`))).map((e) => `${e.module} ${e.name} ${e.kind}`).sort();
  assert.deepEqual(exportsOf('jwks_verify_node_bg.wasm'), exportsOf('jwks_verify_bg.wasm'));
  assert.deepEqual(importsOf('jwks_verify_node_bg.wasm'), importsOf('jwks_verify_bg.wasm'));
});

// The signature module's file unreadable (a broken install): fs.readFileSync fails for it until
// `restore()`, for the ESM entries too (syncBuiltinESMExports).
const UNREADABLE_SIGNATURE = `
  const fs = require('node:fs');
  const realReadFileSync = fs.readFileSync;
  fs.readFileSync = (path, ...rest) => {
    if (String(path).endsWith('jwks_verify_signature_bg.wasm')) throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    return realReadFileSync(path, ...rest);
  };
  require('node:module').syncBuiltinESMExports();
  globalThis.restore = () => {
    fs.readFileSync = realReadFileSync;
    require('node:module').syncBuiltinESMExports();
  };`;

for (const entry of ['esm', 'esm-bundle', 'cjs']) {
  test(`${entry}: a signature module that cannot be read is ERR_WASM_LOAD_FAILED (the read error as cause) where it is needed; HMAC and node:crypto go on; the next call tries again`, async () => {
    const out = await inFreshProcess(entry, `async (jv, compiled, fixtures) => {
      const describe = (err) => [err.constructor.name, err.code, /could not be loaded/.test(err.message), err.cause?.code].join(' ');
      const verify = (f) => {
        try {
          return jv.verifyJwtSync(f.token, jv.parseJwks({ keys: [f.jwk] }, { allowPrivate: true }), { currentDate: ${NOW}, algorithms: [f.alg] }).payload.sub;
        } catch (err) {
          return describe(err);
        }
      };
      const ready = await jv.ready({ sync: true }).then(() => 'resolved', describe);
      const byNode = fixtures.map(verify);
      jv.setBackend('rust');
      const byRust = fixtures.map(verify);
      restore();
      const afterRestore = fixtures.map(verify);
      return { ready, byNode, byRust, afterRestore };
    }`, fixtures, UNREADABLE_SIGNATURE);
    const FAILED = 'Error ERR_WASM_LOAD_FAILED true ENOENT';
    assert.equal(out.ready, FAILED);
    assert.deepEqual(out.byNode, Array(fixtures.length).fill('alice'), 'node:crypto needs no signature module');
    assert.deepEqual(out.byRust, fixtures.map((f) => (f.alg === 'HS256' ? 'alice' : FAILED)), 'HMAC is in the protocol module');
    assert.deepEqual(out.afterRestore, Array(fixtures.length).fill('alice'));
  });
}

