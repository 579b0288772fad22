// parseJwks, key selection, decodeJwt, loading and KeySet against API.md and other
// implementations (jose 6 createLocalJWKSet / calculateJwkThumbprint / decodeJwt /
// decodeProtectedHeader): a generated catalogue of JWKs (every kty/crv/alg/use/key_ops mix),
// selection over random sets compared with jose, maxCandidates, no-match messages, freed sets,
// and the range of count options (the keys probe's findings).

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { generateKeyPairSync } from './support/keypair.mjs';
import {
  ready, parseJwks, verifyJwt, verifyJwtSync, createVerifier, explainSelection, decodeJwt,
  verifyWebhook, checkAssertion, KeySet, JoseError,
} from '../../pkg/node.mjs';
import { NOW, b64url, thrownBy } from './helpers.mjs';
import { readFileSync, readdirSync } from 'node:fs';

const VECTORS = new URL('../vectors/', import.meta.url);
const vector = (path) => JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8'));

const KEY_INFO = new Set(['index', 'kid', 'kty', 'alg', 'use', 'crv', 'bits', 'thumbprint', 'usable']);
const DIAGNOSTIC = new Set(['severity', 'code', 'index', 'kid', 'message']);
const CODES = new Set(['missing_kid', 'duplicate_kid', 'unsupported_kty', 'unsupported_alg', 'alg_key_mismatch',
  'use_not_sig', 'weak_rsa_key', 'private_key_material', 'invalid_key', 'x5c_mismatch', 'x5t_mismatch', 'missing_alg']);
// jose's JWS algorithms for a JWK Set (asymmetric only) and the keys each fits.
const JOSE_FITS = {
  RS256: ['RSA'], RS384: ['RSA'], RS512: ['RSA'], PS256: ['RSA'], PS384: ['RSA'], PS512: ['RSA'],
  ES256: ['EC', 'P-256'], ES384: ['EC', 'P-384'], ES512: ['EC', 'P-521'], EdDSA: ['OKP', 'Ed25519'], Ed25519: ['OKP', 'Ed25519'],
};
const HMAC = ['HS256', 'HS384', 'HS512'];

// Would jose's createLocalJWKSet hand this key out for some JWS algorithm? (isUsableJWK of
// jose 6's jwks/local.js.) jose never takes oct keys from a set; this library does, with
// allowPrivate and an HS* algorithm the key is long enough for.
function verifiesPerUse(jwk) {
  const ops = jwk.key_ops;
  if (ops !== undefined && !(Array.isArray(ops) && ops.every((op, i) => typeof op === 'string' && ops.indexOf(op) === i) && ops.includes('verify'))) return false;
  return jwk.use === undefined || jwk.use === 'sig';
}

function joseSelects(jwk) {
  return verifiesPerUse(jwk) && Object.entries(JOSE_FITS).some(([alg, [kty, crv]]) => jwk.kty === kty && (!crv || jwk.crv === crv) && (jwk.alg === undefined || jwk.alg === alg));
}

const publicJwk = (pair) => pair.publicKey.export({ format: 'jwk' });

describe('parseJwks over a generated catalogue of JWKs', () => {
  let bases;
  before(() => {
    const make = (type, options) => publicJwk(generateKeyPairSync(type, options));
    bases = {
      rsa2048: make('rsa', { modulusLength: 2048 }), rsa1024: make('rsa', { modulusLength: 1024 }), rsa2047: make('rsa', { modulusLength: 2047 }),
      p256: make('ec', { namedCurve: 'P-256' }), p384: make('ec', { namedCurve: 'P-384' }), p521: make('ec', { namedCurve: 'P-521' }),
      secp256k1: make('ec', { namedCurve: 'secp256k1' }), ed25519: make('ed25519'), ed448: make('ed448'), x25519: make('x25519'),
      oct: { kty: 'oct', k: b64url(Buffer.alloc(32, 7)) },
    };
  });

  test('KeyInfo shape, thumbprint, usable and diagnostics agree with the contract and jose for every combination', async () => {
    const ALGS = [undefined, 'RS256', 'PS384', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'HS256', 'HS512', 'none', 'RSA-OAEP', 'ES256K', 'ES521', 42];
    const USES = [undefined, 'sig', 'enc', 'foo', 1];
    const OPS = [undefined, ['verify'], ['sign'], ['encrypt'], [], 'verify', ['verify', 'verify'], ['sign', 'verify'], ['verify', 'encrypt']];
    let cases = 0;
    for (const [name, base] of Object.entries(bases)) {
      const weak = name === 'rsa1024' || name === 'rsa2047';
      const thumbprint = await jose.calculateJwkThumbprint(base, 'sha256');
      for (const alg of ALGS) for (const use of USES) for (const key_ops of OPS) for (const kid of [undefined, `k-${name}`]) {
        const jwk = { ...base, ...(alg !== undefined && { alg }), ...(use !== undefined && { use }), ...(key_ops !== undefined && { key_ops }), ...(kid !== undefined && { kid }) };
        const label = JSON.stringify({ name, alg, use, key_ops, kid });
        const keySet = parseJwks({ keys: [jwk] }, { allowPrivate: true });
        const [info] = keySet.keys;
        cases++;
        // Exactly the KeyInfo members; the optional ones absent (never null) when the JWK lacks them.
        for (const [member, value] of Object.entries(info)) {
          assert.ok(KEY_INFO.has(member), `${label}: member ${member}`);
          assert.ok(value !== null && value !== undefined, `${label}: ${member} is ${value}`);
        }
        assert.equal(info.index, 0, label);
        assert.equal(info.kty, jwk.kty, label);
        assert.equal(info.kid, kid, label);
        assert.equal(info.alg, typeof alg === 'string' ? alg : undefined, label);
        assert.equal(info.use, typeof use === 'string' ? use : undefined, label);
        assert.equal(info.crv, jwk.crv, label);
        assert.equal(info.bits, name.startsWith('rsa') ? Number(name.slice(3)) : name === 'oct' ? 256 : undefined, label);
        assert.equal(info.thumbprint, thumbprint, label);

        const expected = jwk.kty === 'oct'
          ? verifiesPerUse(jwk) && (alg === undefined || HMAC.includes(alg))
          : joseSelects(jwk) && !weak;
        assert.equal(info.usable, expected, label);

        const codes = keySet.diagnostics.map((d) => d.code);
        for (const d of keySet.diagnostics) {
          for (const member of Object.keys(d)) assert.ok(DIAGNOSTIC.has(member), `${label}: diagnostic member ${member}`);
          assert.ok(CODES.has(d.code), `${label}: code ${d.code}`);
          assert.ok(['error', 'warning', 'info'].includes(d.severity), label);
          assert.equal(d.index, 0, label);
          assert.equal(d.kid, kid, label);
          assert.ok(typeof d.message === 'string' && d.message.length > 0, label);
        }
        // An unusable key says why with an error; a usable one has none.
        assert.equal(keySet.diagnostics.some((d) => d.severity === 'error'), !info.usable, `${label}: ${codes}`);
        if (info.usable && kid === undefined) assert.ok(codes.includes('missing_kid'), label);
        if (kid !== undefined) assert.ok(!codes.includes('missing_kid'), label);
        if (typeof use === 'string' && use !== 'sig') assert.ok(codes.includes('use_not_sig'), label);
        if (weak) assert.ok(codes.includes('weak_rsa_key'), label);
        if (name === 'oct') assert.ok(codes.includes('private_key_material'), label);
        if (['none', 'RSA-OAEP', 'ES256K', 'ES521'].includes(alg)) assert.ok(codes.includes('unsupported_alg'), label);
      }
    }
    assert.ok(cases > 10_000);
  });

  test('private members (d, p, q, dp, dq, qi, oth): an error and unusable; a warning and usable with allowPrivate', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pub = publicJwk(pair);
    const priv = pair.privateKey.export({ format: 'jwk' });
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']) {
      const jwk = { ...pub, kid: 'r', alg: 'RS256', [member]: member === 'oth' ? [{ r: 'AQ', d: 'AQ', t: 'AQ' }] : priv.d };
      for (const input of [{ keys: [jwk] }, jwk, JSON.stringify({ keys: [jwk] })]) {
        const refused = parseJwks(input);
        assert.deepEqual(refused.diagnostics.map((d) => [d.code, d.severity]), [['private_key_material', 'error']], member);
        assert.equal(refused.keys[0].usable, false, member);
        const allowed = parseJwks(input, { allowPrivate: true });
        assert.deepEqual(allowed.diagnostics.map((d) => [d.code, d.severity]), [['private_key_material', 'warning']], member);
        assert.equal(allowed.keys[0].usable, true, member);
      }
    }
  });

  test('broken keys and entries are reported, never thrown; only non-JWK input throws ERR_JWKS_INVALID', async () => {
    const ec = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    const y = Buffer.from(ec.y, 'base64url');
    y[31] ^= 1;
    const broken = [
      { ...ec, x: `${ec.x}=` }, { ...ec, x: ec.x.replace(/^./, '+') }, { ...ec, x: ec.x.slice(1) }, { ...ec, x: `A${ec.x}` }, { ...ec, x: 5 },
      { ...ec, y: b64url(y) }, { ...ec, crv: 'P-384' }, { kty: 'EC', x: ec.x, y: ec.y }, { kty: 'EC', crv: 'P-256', x: ec.x },
      { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }, { kty: 'RSA', n: 'AQAB' }, { kty: 'oct', k: '' }, { kid: 'a' }, { kty: 5 },
      null, 1, 'x', [], true,
    ];
    const keySet = parseJwks({ keys: [...broken, { ...ec, kid: 'ok' }] }, { allowPrivate: true });
    assert.equal(keySet.keys.length, broken.length + 1);
    for (const [i, info] of keySet.keys.entries()) {
      const errors = keySet.diagnostics.filter((d) => d.index === i && d.severity === 'error').map((d) => d.code);
      if (i < broken.length) {
        assert.equal(info.usable, false, JSON.stringify(broken[i]));
        assert.ok(errors.includes('invalid_key'), `${JSON.stringify(broken[i])}: ${errors}`);
      } else {
        assert.deepEqual([info.usable, errors], [true, []]);
      }
    }
    for (const input of [[], [ec], 5, null, undefined, {}, { kid: 'x' }, { keys: null }, { keys: 'a' }, { keys: {} }, '', 'null', '{}', '[]', Symbol('s'), () => ec]) {
      const err = await thrownBy(() => parseJwks(input));
      assert.ok(err instanceof JoseError, String(typeof input));
      assert.equal(err.code, 'ERR_JWKS_INVALID');
    }
  });
});

describe('KeyInfo and Diagnostic member order', () => {
  test('KeySet.keys, diagnostics and a result\'s key list their members in API.md\'s order (they were sorted by name)', async () => {
    const order = (object, contract) => Object.keys(object).every((member, i, members) => i === 0 || contract.indexOf(members[i - 1]) < contract.indexOf(member));
    const KEY_ORDER = ['index', 'kid', 'kty', 'alg', 'use', 'crv', 'bits', 'thumbprint', 'usable'];
    const DIAGNOSTIC_ORDER = ['severity', 'code', 'index', 'kid', 'message'];
    const pair = generateKeyPairSync('ed25519');
    const jwk = { ...publicJwk(pair), kid: 'k', alg: 'Ed25519', use: 'sig' };
    const rsa = { ...publicJwk(generateKeyPairSync('rsa', { modulusLength: 2048 })), kid: 'k', use: 'enc' };
    for (const keySet of [parseJwks({ keys: [jwk, rsa, { kty: 'oct', k: 'AAAA' }] }), parseJwks({ keys: [jwk, rsa] }, { allowPrivate: true })]) {
      for (const info of keySet.keys) assert.ok(order(info, KEY_ORDER), Object.keys(info).join());
      assert.ok(keySet.diagnostics.length >= 2);
      for (const d of keySet.diagnostics) assert.ok(order(d, DIAGNOSTIC_ORDER), Object.keys(d).join());
    }
    const token = await new jose.SignJWT({}).setProtectedHeader({ alg: 'Ed25519', kid: 'k' }).sign(pair.privateKey);
    const keySet = parseJwks({ keys: [jwk] });
    const { key } = await verifyJwt(token, keySet, { currentDate: NOW });
    assert.deepEqual(Object.keys(key), Object.keys(keySet.keys[0]));
    assert.equal(JSON.stringify(key), JSON.stringify(keySet.keys[0]));
  });
});

describe('third-party keys (RFC 7517, 7520, 7638, 8037)', () => {
  test('thumbprints are the published ones and jose\'s; private and encryption keys are reported', async () => {
    for (const { id, jwk, thumbprint_b64u: expected } of vector('rfc-examples/rfc7638_jwk_thumbprint.json').tests) {
      assert.equal(parseJwks(jwk).keys[0].thumbprint, expected, id);
    }
    const ed = vector('rfc-examples/rfc8037_ed25519.json');
    assert.equal(parseJwks(ed.public_jwk).keys[0].thumbprint, ed.thumbprint.b64u);
    assert.deepEqual(parseJwks(ed.private_jwk).diagnostics.map((d) => [d.code, d.severity]), [['private_key_material', 'error']]);
    const rfc7517 = parseJwks(vector('rfc-examples/rfc7517_appendix_a1_jwks.json').jwks);
    const facts = vector('rfc-examples/rfc7517_appendix_a1_jwks.json').derived_facts.thumbprints_sha256_b64u;
    assert.deepEqual(rfc7517.keys.map((k) => [k.kid, k.thumbprint, k.usable]), [['1', facts['1'], false], ['2011-04-29', facts['2011-04-29'], true]]);
    assert.deepEqual(rfc7517.diagnostics.map((d) => [d.code, d.kid]), [['use_not_sig', '1']]);
    const cookbook = new URL('rfc7520-cookbook/jwk/', VECTORS);
    for (const file of readdirSync(cookbook)) {
      const jwk = JSON.parse(readFileSync(new URL(file, cookbook), 'utf8'));
      const [info] = parseJwks(jwk, { allowPrivate: true }).keys;
      const { d, p, q, dp, dq, qi, ...pub } = jwk;
      if (jwk.kty !== 'oct') assert.equal(info.thumbprint, await jose.calculateJwkThumbprint(pub, 'sha256'), file);
      // 3.6 is an encryption key (use enc, alg A256GCM); every other one signs.
      assert.equal(info.usable, !file.startsWith('3_6'), file);
      assert.equal(parseJwks(jwk).diagnostics.some((x) => x.code === 'private_key_material' && x.severity === 'error'), /private|symmetric/.test(file), file);
    }
  });
});

describe('key selection', () => {
  const es256 = () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { jwk: publicJwk(pair), privateKey: pair.privateKey };
  };
  const sign = (key, header = {}) => new jose.SignJWT({ sub: 's' }).setProtectedHeader({ alg: 'ES256', ...header }).sign(key.privateKey);
  let keys;
  before(() => {
    keys = Array.from({ length: 7 }, es256);
  });

  test('several candidates are tried in set order, at most maxCandidates (default 4): the next one never', async () => {
    for (const [kid, set] of [[undefined, keys.map((k) => k.jwk)], ['dup', keys.map((k) => ({ ...k.jwk, kid: 'dup' }))]]) {
      for (let signer = 0; signer < keys.length; signer++) {
        const token = await sign(keys[signer], kid ? { kid } : {});
        for (const maxCandidates of [undefined, 1, 2, 4, 5, 7]) {
          const options = { currentDate: NOW, ...(maxCandidates && { maxCandidates }) };
          const tried = signer < (maxCandidates ?? 4);
          for (const run of [() => verifyJwt(token, { keys: set }, options), () => verifyJwtSync(token, { keys: set }, options)]) {
            const label = `kid ${kid} signer ${signer} maxCandidates ${maxCandidates}`;
            if (tried) {
              assert.equal((await run()).key.index, signer, label);
            } else {
              assert.equal((await thrownBy(run)).code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', label);
            }
          }
        }
      }
    }
  });

  test('keys that fail the alg/use/key_ops/kty/crv/kid filters take no candidate slot', async () => {
    const rsa = publicJwk(generateKeyPairSync('rsa', { modulusLength: 2048 }));
    const p384 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-384' }));
    const filtered = [
      { ...keys[0].jwk, alg: 'ES384' }, { ...keys[1].jwk, use: 'enc' }, { ...keys[2].jwk, key_ops: ['sign'] }, rsa, p384,
      { ...keys[3].jwk, alg: 'RS256' }, { ...keys[4].jwk, key_ops: ['verify', 'verify'] },
    ];
    const signer = keys[6];
    const token = await sign(signer, {});
    const set = { keys: [...filtered, keys[0].jwk, keys[1].jwk, keys[2].jwk, signer.jwk] };
    assert.equal(verifyJwtSync(token, set, { currentDate: NOW }).key.index, filtered.length + 3);
    assert.deepEqual(explainSelection(parseJwks(set), token).candidates, [7, 8, 9, 10]);
    // A token with a kid never takes kid-less keys; a token without one takes keys with a kid.
    assert.equal((await thrownBy(() => verifyJwt(token.replace(/^[^.]+/, b64url('{"alg":"ES256","kid":"x"}')), { keys: [signer.jwk] }, { currentDate: NOW }))).code, 'ERR_JWKS_NO_MATCHING_KEY');
    assert.equal(verifyJwtSync(token, { keys: [{ ...signer.jwk, kid: 'x' }] }, { currentDate: NOW }).key.kid, 'x');
  });

  test('random sets: the same verdict as jose createLocalJWKSet whenever jose finds one candidate', async () => {
    const rsaPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pool = [...keys.slice(0, 3).map((k) => ({ ...k, alg: 'ES256' })), { jwk: publicJwk(rsaPair), privateKey: rsaPair.privateKey, alg: 'RS256' }];
    let seed = 1234567;
    const random = (n) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = (list) => list[random(list.length)];
    const tally = { single: 0, several: 0, none: 0 };
    for (let round = 0; round < 300; round++) {
      const set = Array.from({ length: 1 + random(6) }, () => {
        const { jwk } = pick(pool);
        const kid = pick([undefined, 'a', 'b']);
        const use = pick([undefined, undefined, 'sig', 'enc']);
        const alg = pick([undefined, undefined, undefined, 'ES256', 'RS256', 'ES384']);
        return { ...jwk, ...(kid && { kid }), ...(use && { use }), ...(alg && { alg }) };
      });
      const signer = pick(pool);
      const kid = pick([undefined, 'a', 'b']);
      const token = await new jose.SignJWT({}).setProtectedHeader({ alg: signer.alg, ...(kid && { kid }) }).sign(signer.privateKey);
      const ours = await verifyJwt(token, { keys: set }, { currentDate: NOW }).then((r) => r.key.index, (e) => e.code);
      const theirs = await jose.jwtVerify(token, jose.createLocalJWKSet({ keys: set }), { currentDate: new Date(NOW * 1000) }).then(() => 'ok', (e) => e.code);
      const label = JSON.stringify({ kid, alg: signer.alg, set: set.map(({ kty, kid: k, use, alg }) => [kty, k, use, alg]) });
      if (theirs === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
        // Deliberate: jose refuses several candidates; here each is tried in set order, at most 4.
        tally.several++;
        const candidates = explainSelection(parseJwks({ keys: set }), token).candidates;
        const signed = candidates.filter((i) => set[i].kty === signer.jwk.kty && (set[i].x ?? set[i].n) === (signer.jwk.x ?? signer.jwk.n));
        assert.equal(ours, signed.length ? signed[0] : 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', label);
      } else {
        tally[theirs === 'ok' ? 'single' : 'none']++;
        assert.equal(typeof ours === 'number' ? 'ok' : ours, theirs, label);
      }
    }
    assert.ok(tally.single > 20 && tally.several > 20 && tally.none > 20, JSON.stringify(tally));
  });

  test('ERR_JWKS_NO_MATCHING_KEY lists the kids as JSON strings, escaped, cut to 64 characters, at most 20 and a count', async () => {
    const evil = ['a', 'b"q', 'new\nline', '\u001b[31mred', 'x'.repeat(100), '\u202eevil', '\u2028sep'];
    const kids = [...evil, ...Array.from({ length: 30 }, (_, i) => `k${i}`)];
    const set = { keys: kids.map((kid) => ({ ...keys[0].jwk, kid })) };
    const token = await sign(keys[0], { kid: 'zzz' });
    const err = await thrownBy(() => verifyJwt(token, set, { currentDate: NOW }));
    assert.equal(err.code, 'ERR_JWKS_NO_MATCHING_KEY');
    assert.doesNotMatch(err.message, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e]/);
    const shown = kids.slice(0, 20).map((kid) => {
      const cut = [...kid].slice(0, 64).join('');
      const quoted = JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029\u202e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      return kid.length > 64 ? `${quoted}…(${kid.length} characters)` : quoted;
    });
    assert.ok(err.message.includes(`the set has kids [${shown.join(', ')}, and ${kids.length - 20} more]`), err.message);
    assert.deepEqual(err.kids, kids.slice(0, 20).map((kid) => [...kid].slice(0, 64).join('')));
    assert.equal(err.kidCount, kids.length);
    // The token's own kid too: quoted and cut.
    const long = await thrownBy(() => verifyJwt(token.replace(/^[^.]+/, b64url(JSON.stringify({ alg: 'ES256', kid: `${'q'.repeat(200)}\u0007` }))), set, { currentDate: NOW }));
    assert.ok(long.message.includes(`kid "${'q'.repeat(64)}"…(201 characters)`), long.message);
    // A set without kids says how many keys it has.
    const none = await thrownBy(() => verifyJwt(token, { keys: [keys[1].jwk, keys[2].jwk] }, { currentDate: NOW }));
    assert.match(none.message, /the set has 2 key\(s\), none with a kid/);
  });
});

describe('decodeJwt', () => {
  test('{ header, payload, signature } as jose decodes them; malformed input is ERR_JWT_INVALID', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = await new jose.SignJWT({ sub: 's', n: 1.5, list: [1, { a: null }], u: 'é' }).setProtectedHeader({ alg: 'ES256', kid: 'k', x: { y: [1] } }).sign(pair.privateKey);
    for (const input of [token, new TextEncoder().encode(token)]) {
      const decoded = decodeJwt(input);
      assert.deepEqual(Object.keys(decoded), ['header', 'payload', 'signature']);
      assert.deepEqual(decoded.header, jose.decodeProtectedHeader(token));
      assert.deepEqual(decoded.payload, jose.decodeJwt(token));
      assert.equal(decoded.signature, token.split('.')[2]);
    }
    const h = b64url('{"alg":"ES256"}');
    const p = b64url('{"sub":"s"}');
    for (const bad of [`${h}.${p}`, `${h}.${p}.s.x`, `${h}.${p}.s.x.y`, '', '..', `${h}!.${p}.s`, `${b64url('nope')}.${p}.s`,
      `${b64url('[]')}.${p}.s`, `${h}.${b64url('[1]')}.s`, `${h}.${b64url('"s"')}.s`, `${h}..s`, `${h}.${p}.s!`,
      `${b64url('{"alg":"ES256","b64":false}')}.${p}.s`, ` ${h}.${p}.s`, 5, null, undefined, {}]) {
      const err = await thrownBy(() => decodeJwt(bad));
      assert.ok(err instanceof JoseError, String(bad));
      assert.equal(err.code, 'ERR_JWT_INVALID', String(bad));
    }
    assert.equal((await thrownBy(() => decodeJwt(`${'a'.repeat(20_000)}.${p}.s`))).code, 'ERR_JWS_INVALID');
  });
});

describe('loading and KeySet lifetime', () => {
  test('ready() resolves to undefined, every time', async () => {
    const first = ready();
    assert.ok(first instanceof Promise);
    assert.equal(await first, undefined);
    assert.equal(await ready(), undefined);
  });

  test('a freed or disposed KeySet (once or twice) throws ERR_JWKS_INVALID on every path', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwks = { keys: [{ ...publicJwk(pair), kid: 'a' }] };
    const token = await new jose.SignJWT({ sub: 's' }).setProtectedHeader({ alg: 'ES256', kid: 'a' }).sign(pair.privateKey);
    const release = {
      free: (ks) => ks.free(), dispose: (ks) => ks[Symbol.dispose](), both: (ks) => { ks.free(); ks[Symbol.dispose](); }, twice: (ks) => { ks.free(); ks.free(); },
    };
    for (const [how, free] of Object.entries(release)) {
      for (const keySet of [parseJwks(jwks), parseJwks(jwks, {})]) {
        assert.equal(verifyJwtSync(token, keySet, { currentDate: NOW }).key.kid, 'a');
        const verifier = createVerifier(keySet, { currentDate: NOW });
        free(keySet);
        const uses = [
          () => verifyJwtSync(token, keySet, { currentDate: NOW }), () => verifyJwt(token, keySet, { currentDate: NOW }),
          () => verifier.verify(token), () => verifier.verifySync(token), () => createVerifier(keySet).verifySync(token),
          () => explainSelection(keySet, token), () => verifyJwt(token, () => keySet, { currentDate: NOW }),
          () => verifyWebhook({ authorization: `Bearer ${token}`, body: '' }, keySet, { currentDate: NOW }),
          () => checkAssertion(token, { clientId: 's', audience: 'x', keys: keySet, currentDate: NOW }),
        ];
        for (const [i, use] of uses.entries()) {
          const err = await thrownBy(use);
          assert.ok(err instanceof JoseError, `${how} use ${i}: ${err}`);
          assert.equal(err.code, 'ERR_JWKS_INVALID', `${how} use ${i}`);
        }
        assert.equal(keySet.keys.length, 1, 'what the set described stays readable');
      }
    }
    // The same keys parsed again, or passed inline, still verify.
    assert.equal(verifyJwtSync(token, parseJwks(jwks), { currentDate: NOW }).key.kid, 'a');
    assert.equal(verifyJwtSync(token, jwks, { currentDate: NOW }).key.kid, 'a');
  });

  test('new KeySet() is a TypeError that points to parseJwks (it was WeakMap\'s "Invalid value used as weak map key")', () => {
    for (const args of [[], [undefined], [null], [42], ['{"keys":[]}']]) {
      assert.throws(() => new KeySet(...args), (err) => err instanceof TypeError && /parseJwks/.test(err.message));
    }
  });
});

describe('count options', () => {
  test('maxCandidates: a TypeError ERR_INVALID_OPTION naming it for every wrong value, on every path', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwks = { keys: [{ ...publicJwk(pair), kid: 'a' }] };
    const token = await new jose.SignJWT({ sub: 's' }).setProtectedHeader({ alg: 'ES256', kid: 'a' }).sign(pair.privateKey);
    const wrong = [0, -1, 1.5, NaN, Infinity, -Infinity, '4', 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 1e21, null, true, {}, [], () => 4, Symbol('4'), 4n, -0, 1e-300, new Number(4)];
    const paths = {
      verifyJwt: (o) => verifyJwt(token, jwks, o), verifyJwtSync: (o) => verifyJwtSync(token, jwks, o), createVerifier: (o) => createVerifier(jwks, o),
      explainSelection: ({ maxCandidates }) => explainSelection(jwks, token, { maxCandidates }),
      verifyWebhook: (o) => verifyWebhook({ authorization: `Bearer ${token}`, body: '' }, jwks, o),
      checkAssertion: (o) => checkAssertion(token, { clientId: 's', audience: 'x', keys: jwks, ...o }),
    };
    for (const [name, call] of Object.entries(paths)) {
      for (const value of wrong) {
        const err = await thrownBy(() => call({ currentDate: NOW, maxCandidates: value }));
        const label = `${name} ${typeof value === 'symbol' ? 'Symbol' : String(value)}`;
        assert.ok(err instanceof TypeError, `${label}: ${err}`);
        assert.equal(err.code, 'ERR_INVALID_OPTION', label);
        assert.match(err.message, /maxCandidates/, label);
        assert.doesNotMatch(err.message, /usize/, label);
      }
      // The largest count is accepted.
      await Promise.resolve().then(() => call({ currentDate: NOW, maxCandidates: 2 ** 31 - 1 })).catch((err) => {
        assert.ok(!(err instanceof TypeError), `${name}: ${err}`);
      });
    }
    assert.match((await thrownBy(() => verifyJwt(token, jwks, { maxCandidates: 2 ** 32 }))).message, /maxCandidates must be at most 2147483647, got the number 4294967296/);
  });

  test('parseJwks options: wrong types and names are a TypeError ERR_INVALID_OPTION naming them', async () => {
    const jwk = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    const cases = [
      [{ allowPrivate: 1 }, 'allowPrivate'], [{ allowPrivate: null }, 'allowPrivate'], [{ allowWeakKeys: 'true' }, 'allowWeakKeys'],
      [{ maxKeys: 0.5 }, 'maxKeys'], [{ maxKeys: -1 }, 'maxKeys'], [{ maxKeys: NaN }, 'maxKeys'], [{ maxKeys: 2 ** 31 }, 'maxKeys'],
      [{ allowPrivat: true }, 'allowPrivate'], [{ maxCandidates: 4 }, 'maxCandidates'], [null, 'options'], [5, 'options'], ['x', 'options'], [[], 'options'],
    ];
    for (const [options, named] of cases) {
      const err = await thrownBy(() => parseJwks({ keys: [jwk] }, options));
      assert.ok(err instanceof TypeError, JSON.stringify(options));
      assert.equal(err.code, 'ERR_INVALID_OPTION', JSON.stringify(options));
      assert.ok(err.message.includes(named), `${JSON.stringify(options)}: ${err.message}`);
    }
  });
});
