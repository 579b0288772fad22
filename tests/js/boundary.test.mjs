// The One boundary rules that live between the JS glue and the core: the algorithm names the
// types declare are the core's; an oversized token is refused before it is copied into wasm,
// on every path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as api from '../../pkg/node.mjs';
import { algorithmTable, wasmMemoryBytes } from '../../pkg/gen/jwks_verify.js';
import { NOW, generateKey, jwksOf, mint } from './helpers.mjs';

test('index.d.ts names exactly the algorithms of the core table', () => {
  const declared = readFileSync(new URL('../../pkg/index.d.ts', import.meta.url), 'utf8');
  const union = declared.match(/export type Algorithm =([^;]+);/)[1];
  const names = [...union.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  const core = JSON.parse(algorithmTable()).map((facts) => facts.name);
  assert.deepEqual([...names].sort(), [...core].sort());
});

test('no algorithm fact is written in the JS glue or the page', () => {
  for (const dir of ['../../pkg/lib/', '../../www/']) {
    for (const name of ['backends.js', 'verify.js', 'keys.js', 'selection.js', 'claims.js', 'analyze.js']) {
      let text;
      try {
        text = readFileSync(new URL(dir + name, import.meta.url), 'utf8');
      } catch {
        continue;
      }
      assert.doesNotMatch(text, /RSASSA-PKCS1-v1_5|'SHA-256'|saltLength: *\d|namedCurve: *'P-/, `${dir}${name}`);
    }
  }
});

test('a 16 MB token is refused with ERR_JWS_INVALID on every path before it reaches wasm memory', async () => {
  const key = await generateKey('ES256', { kid: 'k' });
  const keys = jwksOf([key]);
  const huge = 'e'.repeat(16 * 1024 * 1024);
  const hugeBytes = new TextEncoder().encode(huge);
  const remote = new api.RemoteJwks('https://issuer.example/jwks.json');
  const paths = {
    verifyJwt: (t) => api.verifyJwt(t, keys),
    verifyJwtSync: (t) => api.verifyJwtSync(t, keys),
    'verifyJwt with a RemoteJwks': (t) => api.verifyJwt(t, remote),
    'createVerifier().verify': (t) => api.createVerifier(keys).verify(t),
    'createVerifier().verifySync': (t) => api.createVerifier(keys).verifySync(t),
    checkAssertion: (t) => api.checkAssertion(t, { clientId: 'c', audience: 'a', keys }),
    explainAssertion: (t) => api.explainAssertion(t, { clientId: 'c', audience: 'a', keys }),
    verifyWebhook: (t) => api.verifyWebhook({ authorization: `Bearer ${t}`, body: '' }, keys),
    decodeJwt: (t) => api.decodeJwt(t),
    explainClaims: (t) => api.explainClaims(t),
    explainSelection: (t) => api.explainSelection(keys, t),
  };
  // Warm every path once with a small token, so that its own allocations are done.
  const small = await mint(key, { iat: NOW });
  for (const run of Object.values(paths)) await Promise.resolve().then(() => run(small)).catch(() => {});
  const before = wasmMemoryBytes();
  const fetchesBefore = remote.stats().fetches;
  for (const [name, run] of Object.entries(paths)) {
    for (const token of [huge, hugeBytes]) {
      if (name === 'verifyWebhook' && token === hugeBytes) continue;
      await assert.rejects(Promise.resolve().then(() => run(token)), { code: 'ERR_JWS_INVALID' }, name);
    }
  }
  assert.ok(wasmMemoryBytes() - before < 1024 * 1024, `wasm memory grew by ${wasmMemoryBytes() - before} bytes`);
  assert.equal(remote.stats().fetches, fetchesBefore, 'no fetch for a refused token');
});

// The token string crosses into wasm as the host TextEncoder's UTF-8 (src/bindings/verify.rs,
// `utf8_of`): any string up to maxTokenLength, whatever its characters, is refused with a
// JoseError and never verifies; a token's own characters still verify.
test('tokens with non-ASCII characters, astral pairs and lone surrogates are refused, never mangled into a valid token', async () => {
  const key = await generateKey('ES256', { kid: 'k' });
  const keys = api.parseJwks(jwksOf([key]));
  const token = await mint(key, { iss: 'https://issuer.example' });
  assert.equal(api.verifyJwtSync(token, keys).payload.iss, 'https://issuer.example');
  const odd = ['\u00e9', '\u20ac', '\ud83d\ude00', '\ud800', '\udfff', '\u0000', '\uffff', '\u0141'];
  let seed = 7;
  const next = (n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let round = 0; round < 400; round++) {
    const at = next(token.length);
    const bad = token.slice(0, at) + odd[next(odd.length)] + token.slice(at + next(2));
    for (const verify of [() => api.verifyJwtSync(bad, keys), () => api.decodeJwt(bad)]) {
      assert.throws(verify, (err) => err instanceof api.JoseError && /^ERR_JW[STK]_INVALID$/.test(err.code), JSON.stringify(bad.slice(Math.max(0, at - 2), at + 3)));
    }
  }
  // A caller's raised maxTokenLength: a token past 65,536 characters takes the other copy path.
  const long = await mint(key, { iss: 'https://issuer.example', pad: 'p'.repeat(70000) });
  assert.equal(api.verifyJwtSync(long, keys, { maxTokenLength: 1 << 18 }).payload.pad.length, 70000);
  assert.throws(() => api.verifyJwtSync(long.slice(0, -1) + '\u0141', keys, { maxTokenLength: 1 << 18 }), (err) => err instanceof api.JoseError && err.code === 'ERR_JWS_INVALID');
  // Three UTF-8 bytes per character, at the length limit and one past it.
  for (const wide of ['\u20ac'.repeat(16384), '\u20ac'.repeat(16385), '\ud83d\ude00'.repeat(8192)]) {
    assert.throws(() => api.verifyJwtSync(wide, keys), (err) => err instanceof api.JoseError && err.code === 'ERR_JWS_INVALID');
  }
});

// `utf8_of` calls the host's TextEncoder.prototype.encodeInto on every token. Where a host has a
// TextEncoder without encodeInto (older polyfills), wasm-bindgen's own glue gives its encoder
// one, but not ours; and an encodeInto that throws must not unwind through wasm, which leaked
// the 3x buffer, left the profile borrowed (its free() threw ever after) and, 512 tokens on,
// trapped the instance.
test('a host TextEncoder without a working encodeInto still verifies tokens, and leaves no Rust object borrowed', async () => {
  const key = await generateKey('ES256', { kid: 'k' });
  const keys = api.parseJwks(jwksOf([key]));
  const token = await mint(key, { iss: 'https://issuer.example' });
  const original = Object.getOwnPropertyDescriptor(TextEncoder.prototype, 'encodeInto');
  const variants = {
    throwing: () => { throw new Error('encodeInto broke'); },
    'returning nothing': () => undefined,
  };
  try {
    for (const [name, encodeInto] of Object.entries(variants)) {
      TextEncoder.prototype.encodeInto = encodeInto;
      const verifier = api.createVerifier(keys, {});
      assert.equal(verifier.verifySync(token).payload.iss, 'https://issuer.example', name);
      assert.equal(api.verifyJwtSync(token, keys).payload.iss, 'https://issuer.example', name);
      assert.equal((await api.verifyJwt(token, keys)).payload.iss, 'https://issuer.example', name);
      assert.doesNotThrow(() => verifier.free(), name);
      // Each exception that unwound through wasm leaked a slot: the 512th trapped, and the
      // replaced instance made every KeySet stale ("from a previous instance").
      for (let i = 0; i < 600; i++) api.verifyJwtSync(token, keys);
    }
  } finally {
    Object.defineProperty(TextEncoder.prototype, 'encodeInto', original);
  }
  assert.equal(api.verifyJwtSync(token, keys).payload.iss, 'https://issuer.example');

  // A runtime whose TextEncoder never had encodeInto (before the package is imported).
  const script = `
    delete TextEncoder.prototype.encodeInto;
    const api = await import(${JSON.stringify(new URL('../../pkg/node.mjs', import.meta.url).href)});
    const keys = api.parseJwks(${JSON.stringify(JSON.stringify(jwksOf([key])))});
    const token = ${JSON.stringify(token)};
    const out = [api.verifyJwtSync(token, keys).payload.iss, (await api.verifyJwt(token, keys)).payload.iss];
    try { api.verifyJwtSync(token.slice(0, -1) + '\\u0141', keys); out.push('verified'); } catch (err) { out.push(err.code); }
    console.log(JSON.stringify(out));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.stderr, '');
  assert.deepEqual(JSON.parse(child.stdout), ['https://issuer.example', 'https://issuer.example', 'ERR_JWS_INVALID']);
});
