// Issue 12 in the npm package: attacker text in messages and CLI output is quoted and
// bounded, kid lists are capped (and `kids` is on every ERR_JWKS_NO_MATCHING_KEY), and a wasm
// trap is recovered from with a fresh instance.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { verifyJwt, verifyJwtSync, parseJwks, RemoteJwks, decodeJwt } from '../../pkg/node.mjs';
import * as gen from '../../pkg/gen/jwks_verify.js';
import { NOW, generateKey, jwksOf, mint, runCli as cli, signJson } from './helpers.mjs';

// C0, DEL, C1, line/paragraph separators, bidi controls, BOM.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

const HOSTILE = [
  'line\nbreak', '\u001b[31mred\u001b[0m', '\u001b]0;title\u0007', 'quote"back\\slash', '\u2028sep\u2029',
  '\u202eevil', '\u009b31m', 'del\u007f', 'k'.repeat(10_000), '\n'.repeat(3000), `${'é'.repeat(100)}\u001b[2J`,
];

function assertSafe(text, context) {
  assert.doesNotMatch(text, UNSAFE, `${context}: ${JSON.stringify(text.slice(0, 200))}`);
  assert.ok(text.length <= 4096, `${context}: ${text.length} characters`);
}

async function outcome(run) {
  try {
    return { ok: await run() };
  } catch (err) {
    return { err };
  }
}

let es;
let other;

before(async () => {
  [es, other] = await Promise.all([generateKey('ES256', { kid: 'es-1' }), generateKey('ES256', { kid: 'other' })]);
});

describe('attacker-controlled text in errors', () => {
  test('kid, alg, crit names and duplicate members are quoted and bounded on every path', async () => {
    let checked = 0;
    for (const text of HOSTILE) {
      const headers = [
        { alg: 'ES256', kid: text },
        { alg: text },
        { alg: 'ES256', kid: 'es-1', crit: [text], [text]: 1 },
        { alg: 'ES256', kid: 'es-1', crit: [text] },
      ];
      for (const header of headers) {
        const token = await signJson(es, header, { sub: 'x' });
        for (const verify of [verifyJwt, verifyJwtSync]) {
          for (const options of [{ maxTokenLength: 1 << 20 }, { maxTokenLength: 1 << 20, algorithms: ['RS256'] }]) {
            const { err } = await outcome(() => verify(token, jwksOf([es]), { ...options, currentDate: NOW }));
            assert.ok(err, `${verify.name} must fail`);
            assertSafe(err.message, `${verify.name} ${err.code}`);
            checked += 1;
          }
        }
      }
    }
    assert.ok(checked >= 150, `${checked}`);
  });

  test('key set text in diagnostics is quoted and bounded', () => {
    for (const text of HOSTILE) {
      const set = parseJwks({ keys: [{ kty: text, kid: text }, { kty: 'EC', crv: text, kid: text, x: 'AA', y: 'AA' }, { kty: 'RSA', n: 'AQAB', e: 'AQAB', alg: text, use: text, key_ops: [text] }] });
      assert.ok(set.diagnostics.length >= 3);
      for (const d of set.diagnostics) assertSafe(d.message, d.code);
    }
  });
});

describe('kid lists are capped', () => {
  test('an unknown kid against 5,000 local keys: 20 kids and a count, in the message and err.kids', async () => {
    const keys = Array.from({ length: 5000 }, (_, i) => ({ ...other.jwk, kid: `kid-${String(i).padStart(4, '0')}` }));
    const set = parseJwks({ keys }, { maxKeys: 5000 });
    const token = await mint(es, { sub: 'x' }, { kid: 'unknown' });
    for (const verify of [verifyJwt, verifyJwtSync]) {
      const { err } = await outcome(() => verify(token, set, { currentDate: NOW }));
      assert.equal(err.code, 'ERR_JWKS_NO_MATCHING_KEY');
      assert.ok(err.message.length < 1000, `${err.message.length} characters`);
      assert.match(err.message, /"kid-0019", and 4980 more\]/);
      assert.equal(err.kids.length, 20);
      assert.equal(err.kids[0], 'kid-0000');
      assert.equal(err.kidCount, 5000);
    }
  });

  test('kids is set on a small local set too', async () => {
    const token = await mint(es, { sub: 'x' }, { kid: 'nope' });
    const { err } = await outcome(() => verifyJwt(token, jwksOf([es, other]), { currentDate: NOW }));
    assert.equal(err.code, 'ERR_JWKS_NO_MATCHING_KEY');
    assert.deepEqual(err.kids, ['es-1', 'other']);
    assert.equal(err.kidCount, 2);
  });

  test('a RemoteJwks unknown kid against 5,000 keys is capped too', async () => {
    const keys = Array.from({ length: 5000 }, (_, i) => ({ ...other.jwk, kid: `kid-${i}\u001b[2J` }));
    const body = JSON.stringify({ keys });
    const remote = new RemoteJwks('https://issuer.example/jwks', { maxKeys: 5000, fetch: async () => new Response(body, { status: 200 }) });
    const token = await mint(es, { sub: 'x' }, { kid: 'unknown\n' });
    const { err } = await outcome(() => verifyJwt(token, remote, { currentDate: NOW }));
    assert.equal(err.code, 'ERR_JWKS_NO_MATCHING_KEY');
    assertSafe(err.message, 'remote');
    assert.equal(err.kids.length, 20);
    assert.equal(err.kidCount, 5000);
  });
});

describe('a wasm trap is recovered from', () => {
  // The trap is forced inside a real verification: the node backend reads a key's JWK
  // (JSON.parse of the core's publicJwk) in a host callback during the core's verification
  // call, the first time the key is used; that JSON.parse traps.
  function trapDuring(run) {
    const original = JSON.parse;
    JSON.parse = function trapOnJwk(text, ...rest) {
      if (typeof text === 'string' && text.includes('"kty"')) {
        JSON.parse = original;
        gen.__trapForTests();
      }
      return original.call(this, text, ...rest);
    };
    try {
      return run();
    } finally {
      JSON.parse = original;
    }
  }

  test('a trap fails that call only; the next calls run on a fresh instance', async () => {
    const hs = await generateKey('HS256', { kid: 'hs-1' });
    const token = await mint(hs, { sub: 'alice', exp: NOW + 600 });
    const jwks = jwksOf([hs]);
    const options = { algorithms: ['HS256'], currentDate: NOW };
    const before = parseJwks(jwks, { allowPrivate: true });
    const remote = new RemoteJwks('https://issuer.example/jwks', { fetch: async () => new Response(JSON.stringify(jwksOf([es])), { status: 200 }) });
    const esToken = await mint(es, { sub: 'alice', exp: NOW + 600 });
    assert.equal((await verifyJwt(esToken, remote, { currentDate: NOW })).payload.sub, 'alice');
    assert.equal(verifyJwtSync(token, jwks, options).payload.sub, 'alice');

    const fresh = parseJwks(jwks, { allowPrivate: true });
    const { err } = await outcome(() => trapDuring(() => verifyJwtSync(token, fresh, options)));
    assert.ok(err instanceof WebAssembly.RuntimeError, `the trap itself is reported: ${err}`);

    // Fresh instance: inline keys (their parsed cache was dropped), new sets, decodeJwt.
    for (let i = 0; i < 3; i++) {
      assert.equal(verifyJwtSync(token, jwks, options).payload.sub, 'alice');
      assert.equal((await verifyJwt(token, jwks, options)).payload.sub, 'alice');
      assert.equal((await verifyJwt(token, parseJwks(jwks, { allowPrivate: true }), options)).payload.sub, 'alice');
    }
    assert.equal(decodeJwt(token).payload.sub, 'alice');
    // A KeySet of the old instance fails cleanly, with a code.
    for (const set of [before, fresh]) {
      const stale = await outcome(() => verifyJwt(token, set, options));
      assert.equal(stale.err?.code, 'ERR_JWKS_INVALID', String(stale.err));
      assert.match(stale.err.message, /previous instance/);
    }
    // A RemoteJwks made before the trap rebuilds its cache (it refetches).
    assert.equal((await verifyJwt(esToken, remote, { currentDate: NOW })).payload.sub, 'alice');
  });
});

describe('CLI output', () => {
  test('decode prints header and claim text escaped and cut, human and --json', async () => {
    const hostile = '\u001b[2J\u001b]0;pwned\u0007\u009b31m\u2028\u202e';
    const token = await signJson(es, { alg: 'ES256', kid: `${hostile}${'k'.repeat(500)}`, typ: hostile }, { [hostile]: hostile, sub: `x\n${hostile}`, nested: { [hostile]: [hostile] } });
    for (const extra of [[], ['--json']]) {
      const { code, stdout, stderr } = await cli(['decode', token, ...extra]);
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stdout.replace(/\n/g, ' '), UNSAFE, `decode ${extra}`);
      if (extra.length) assert.equal(JSON.parse(stdout).header.typ, hostile, '--json stays valid JSON with the same values');
    }
  });
});
