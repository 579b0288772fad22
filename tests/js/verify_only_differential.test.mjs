// jwks-verify/verify-only against the full protocol module, in one Node process: each loaded
// through its web glue and `initSync` with its own copy of lib/ (the full one: lib/api.js; the
// verify-only one: the bundle make build writes, pkg/verify-only-core.mjs), both on WebCrypto for
// async checks and on the same pure-Rust signature module for sync ones. For a few thousand
// mutated tokens, key sets and options, parseJwks, verifyJwt, verifyJwtSync, createVerifier and
// decodeJwt must come to the same outcome: the same result, or the same error (class, code,
// message, claim, reason, kids, option). A gate the verify-only build dropped, or a rule that
// differs between the two builds, shows up as a difference.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NOW, b64url, generateKey, mint, signJson } from './helpers.mjs';

const PKG = new URL('../../pkg/', import.meta.url);
const wasm = (name) => readFileSync(new URL(`gen/${name}_bg.wasm`, PKG));

let full;
let verifyOnly;

before(async () => {
  const signature = await import(new URL('lib/signature.js', PKG));
  const signatureGlue = await import(new URL('gen/jwks_verify_signature.js', PKG));
  signature.registerSyncSignatureLoader(() => {
    signatureGlue.initSync({ module: wasm('jwks_verify_signature') });
    return signatureGlue;
  });

  const fullGlue = await import(new URL('gen/jwks_verify.js', PKG));
  const runtime = await import(new URL('lib/runtime.js', PKG));
  runtime.registerInstantiate(() => fullGlue.initSync({ module: wasm('jwks_verify') }));
  full = await import(new URL('lib/api.js', PKG));

  const verifyOnlyGlue = await import(new URL('gen/jwks_verify_verify_only.js', PKG));
  verifyOnly = await import(new URL('verify-only-core.mjs', PKG));
  verifyOnly.registerInstantiate(() => verifyOnlyGlue.initSync({ module: wasm('jwks_verify_verify_only') }));

  await Promise.all([full.ready(), verifyOnly.ready()]);
});

// What a call came to, comparable across the two copies of lib/ (each has its own JoseError).
async function outcomeOf(call) {
  try {
    const value = await call();
    return { ok: JSON.parse(JSON.stringify(value)) };
  } catch (err) {
    if (!(err instanceof Error)) return { thrown: String(err) };
    const out = { name: err.name, message: err.message };
    for (const field of ['code', 'claim', 'reason', 'kids', 'kidCount', 'option', 'payload']) {
      if (err[field] !== undefined) out[field] = err[field];
    }
    return out;
  }
}

// xorshift32: the same cases on every run.
function random(seed) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  return { int: (n) => Math.floor(next() * n), pick: (list) => list[Math.floor(next() * list.length)] };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function mutateToken(token, rnd) {
  if (rnd.int(3) === 0) return token;
  const parts = token.split('.');
  switch (rnd.int(10)) {
    case 0:
    case 1:
      return token;
    case 2: {
      // One character of one part replaced.
      const i = rnd.int(3);
      const part = parts[i];
      if (!part.length) return token;
      const at = rnd.int(part.length);
      parts[i] = part.slice(0, at) + rnd.pick(B64) + part.slice(at + 1);
      return parts.join('.');
    }
    case 3:
      return token.slice(0, rnd.int(token.length));
    case 4:
      return `${token}.${parts[rnd.int(3)]}`;
    case 5:
      return rnd.pick([' ' + token, token + '\n', token.replace('.', '..'), token.replaceAll('.', '')]);
    case 6:
      return new TextEncoder().encode(token);
    case 7:
      return rnd.pick([undefined, null, 42, {}, [], '', 'a.b.c', '..', new Uint8Array([0xff, 0xfe, 0x2e])]);
    case 8:
      return `${parts[0]}.${parts[1]}.${b64url(new Uint8Array(rnd.int(300)))}`;
    default:
      return `${parts[0]}.${b64url(JSON.stringify({ sub: 'mallory', exp: NOW + rnd.int(2000) - 1000 }))}.${parts[2]}`;
  }
}

function mutateKeys(jwks, rnd) {
  if (rnd.int(3) === 0) return jwks;
  const keys = structuredClone(jwks.keys);
  const key = keys[rnd.int(keys.length)];
  switch (rnd.int(16)) {
    case 0:
    case 1:
    case 2:
      break;
    case 3:
      delete key.kid;
      break;
    case 4:
      key.alg = rnd.pick(['ES256', 'RS256', 'PS256', 'HS256', 'EdDSA', 'none', 'ES512', 7, '']);
      break;
    case 5:
      key.use = rnd.pick(['enc', 'sig', 1]);
      break;
    case 6:
      key.key_ops = rnd.pick([['sign'], ['verify'], 'verify', []]);
      break;
    case 7:
      key.d = 'AAAA';
      break;
    case 8:
      keys.push({ ...key });
      break;
    case 9: {
      const member = rnd.pick(['x', 'y', 'n', 'e', 'k', 'crv', 'kty']);
      if (member in key) key[member] = rnd.pick(['', 'AQAB', '!!', 5, key[member].slice?.(0, 8)]);
      break;
    }
    case 10:
      key.x5c = rnd.pick([['MIIB'], 'x', [], [b64url(new Uint8Array(40))]]);
      break;
    case 11:
      key.x5t = rnd.pick(['abc', 5]);
      break;
    case 12:
      return rnd.pick([JSON.stringify({ keys }), keys[0], { keys: [] }, [], 'not json', '{"keys":[1]}', null, { keys: 'x' }]);
    case 13:
      keys.reverse();
      break;
    case 14:
      key.kid = rnd.pick(['"quoted"\n', 'x'.repeat(100), 'es256-key']);
      break;
    default:
      return JSON.stringify({ keys });
  }
  return { keys };
}

const OPTIONS = [
  undefined,
  { currentDate: NOW },
  { currentDate: NOW },
  { currentDate: NOW, algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA', 'HS256', 'ES384'] },
  { currentDate: NOW, algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA', 'HS256', 'ES384'], issuer: 'https://issuer.example' },
  { currentDate: new Date(NOW * 1000), algorithms: ['ES256', 'RS256'] },
  { currentDate: NOW, algorithms: ['HS256'] },
  { currentDate: NOW, issuer: 'https://issuer.example', audience: 'api' },
  { currentDate: NOW, issuer: ['x', 'https://issuer.example'], audience: ['nope'] },
  { currentDate: NOW, maxTokenLength: 40 },
  { currentDate: NOW, clockTolerance: '2 minutes', maxTokenAge: '1h' },
  { currentDate: NOW, typ: 'JWT', subject: 'alice' },
  { currentDate: NOW, crit: { exp2: true }, requiredClaims: ['jti'] },
  { currentDate: NOW, maxCandidates: 1, allowMultipleAudiences: false },
  { currentDate: NOW + 10_000 },
  { audiance: 'api' },
  { issuer: 5 },
  { currentDate: 'yesterday' },
  { algorithms: 'ES256' },
  null,
];

test('the verify-only module and the full protocol module give the same outcome for 3,000 mutated tokens, key sets and options', async (t) => {
  const algs = ['ES256', 'RS256', 'PS256', 'EdDSA', 'HS256', 'ES384'];
  const keys = await Promise.all(algs.map((alg) => generateKey(alg)));
  const jwks = { keys: keys.map((k) => k.jwk) };
  const claims = { iss: 'https://issuer.example', sub: 'alice', aud: 'api', iat: NOW - 60, nbf: NOW - 60, exp: NOW + 600 };
  const tokens = [];
  const valid = [];
  for (const key of keys) {
    valid.push(await mint(key, claims));
    tokens.push(valid.at(-1));
    tokens.push(await mint(key, { ...claims, aud: ['api', 'other'], jti: 'j1' }, { header: { typ: 'JWT' } }));
    tokens.push(await mint(key, { ...claims, exp: NOW - 1 }, { kid: null }));
    tokens.push(await signJson(key, { alg: key.alg, kid: key.kid, crit: ['exp2'], exp2: 1 }, claims));
    tokens.push(await mint(key, claims, { kid: 'unknown' }));
    tokens.push(await signJson(key, { alg: key.alg, kid: key.kid, b64: false }, claims));
    tokens.push(await signJson(key, { alg: key.alg, kid: key.kid }, '[1,2]'));
    tokens.push(await signJson(key, { alg: key.alg, kid: key.kid }, { ...claims, exp: 1e400, iat: 1.5, nbf: '1' }));
    tokens.push(await signJson(key, `{"alg":"${key.alg}","kid":"${key.kid}","alg":"none"}`, claims));
  }

  const rnd = random(0x13);
  const CASES = 3000;
  let compared = 0;
  let verified = 0;
  const differences = [];
  for (let i = 0; i < CASES; i++) {
    const token = mutateToken(rnd.pick(rnd.int(2) ? valid : tokens), rnd);
    const keySet = mutateKeys(jwks, rnd);
    const options = rnd.pick(OPTIONS);
    const calls = {
      parseJwks: (api) => {
        const set = api.parseJwks(keySet);
        return { keys: set.keys, diagnostics: set.diagnostics };
      },
      verifyJwt: (api) => api.verifyJwt(token, keySet, options),
      verifyJwtSync: (api) => api.verifyJwtSync(token, keySet, options),
      createVerifier: (api) => api.createVerifier(keySet, options).verify(token),
      verifyParsed: (api) => api.verifyJwt(token, api.parseJwks(keySet), options),
      decodeJwt: (api) => api.decodeJwt(token),
    };
    for (const [name, call] of Object.entries(calls)) {
      const [a, b] = await Promise.all([outcomeOf(() => call(full)), outcomeOf(() => call(verifyOnly))]);
      compared += 1;
      if (name === 'verifyJwt' && a.ok) verified += 1;
      try {
        assert.deepEqual(b, a);
      } catch {
        differences.push({ case: i, name, token, keySet, options, full: a, verifyOnly: b });
      }
    }
  }
  t.diagnostic(`${compared} outcomes compared, ${verified} of ${CASES} verifyJwt calls verified`);
  assert.deepEqual(differences.slice(0, 3), [], `${differences.length} of ${compared} outcomes differ`);
  assert.equal(compared, CASES * 6);
  // The cases reach both sides of the verdict (else this test would prove little).
  assert.ok(verified > 300 && verified < CASES - 300, `${verified} of ${CASES} verifyJwt calls verified`);
});

test('the verify-only module exports only what its API calls (and lib/ names it lacks are not reached)', async () => {
  const glue = await import(new URL('gen/jwks_verify_verify_only.js', PKG));
  const exported = Object.keys(glue).filter((name) => name !== 'default' && name !== 'initSync').sort();
  assert.deepEqual(exported, [
    'WasmKeySet', 'WasmPrepared', 'WasmProfile', '__wbg_reset_state', 'algorithmTable', 'decodeJwt', 'prepareJwt',
    'resolverInput', 'signatureFailed', 'verifyJwt',
  ]);
  assert.deepEqual(Object.keys(verifyOnly).sort(), [
    'JoseError', 'KeySet', 'Verifier', 'createVerifier', 'decodeJwt', 'isJoseError', 'markInstantiated', 'parseJwks', 'ready',
    'registerInstantiate', 'registerReset', 'verifyJwt', 'verifyJwtSync',
  ]);
  // The profile reader of the verify-only module has no assertion/webhook/access-token readers.
  assert.equal(typeof glue.WasmProfile.jwt, 'function');
  for (const gone of ['assertion', 'webhook', 'accessToken']) assert.equal(glue.WasmProfile[gone], undefined, gone);
});

test('a key resolver works through the verify-only module as through the full one', async () => {
  const key = await generateKey('ES256', { kid: 'r1' });
  const token = await mint(key, { sub: 'alice' });
  const seen = [];
  const resolver = (header, payload) => {
    seen.push([header.kid, payload.sub]);
    return { keys: [key.jwk] };
  };
  const [a, b] = await Promise.all([outcomeOf(() => full.verifyJwt(token, resolver)), outcomeOf(() => verifyOnly.verifyJwt(token, resolver))]);
  assert.deepEqual(b, a);
  assert.equal(b.ok.payload.sub, 'alice');
  assert.deepEqual(seen, [['r1', 'alice'], ['r1', 'alice']]);
});

test('Wycheproof JWS vectors through the verify-only module: the expected verdict (WebCrypto and pure Rust), and the full module\'s outcome', async (t) => {
  const vectors = JSON.parse(readFileSync(new URL('../vectors/wycheproof/testvectors_v1/json_web_signature_test.json', import.meta.url), 'utf8'));
  // As tests/js/backends.test.mjs (KNOWN_ISSUES.json): 367 and 370 are byte-identical to valid
  // 357; 372/373 ('?' is not base64url) and 346/347/350/351 (key alg) are refused by design.
  const SKIP = new Set([367, 370]);
  const REFUSED = new Set([372, 373, 346, 347, 350, 351]);
  const REJECTED = new Set(['ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'ERR_JWS_INVALID', 'ERR_JWKS_NO_MATCHING_KEY']);
  const accepted = (outcome) => outcome.ok !== undefined || (!REJECTED.has(outcome.code) && !outcome.code?.startsWith('ERR_JOSE_'));
  const options = { algorithms: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'], currentDate: NOW };
  let count = 0;
  for (const group of vectors.testGroups) {
    const jwk = group.public ?? group.private;
    for (const vector of group.tests) {
      if (SKIP.has(vector.tcId) || typeof vector.jws !== 'string') continue;
      const expected = vector.result === 'valid' && !REFUSED.has(vector.tcId);
      for (const name of ['verifyJwt', 'verifyJwtSync']) {
        const [a, b] = await Promise.all([outcomeOf(() => full[name](vector.jws, jwk, options)), outcomeOf(() => verifyOnly[name](vector.jws, jwk, options))]);
        assert.deepEqual(b, a, `tcId ${vector.tcId} ${name}`);
        assert.equal(accepted(b), expected, `tcId ${vector.tcId} (${vector.comment}) ${name}: ${JSON.stringify(b)}`);
        count += 1;
      }
    }
  }
  t.diagnostic(`${count} vector checks`);
  assert.ok(count > 100, `${count} vector checks`);
});
