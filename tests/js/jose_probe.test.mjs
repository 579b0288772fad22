// A generated differential probe against jose 6: thousands of tokens made by crossing claim
// values, header forms, options and JWK members, each verified by jose.jwtVerify (with
// createLocalJWKSet) and by verifyJwt / verifyJwtSync / createVerifier, which must agree on the outcome, the
// error code, and `claim`/`reason` for claim failures. agreement.test.mjs holds one example per
// rule; this suite holds the rules over many inputs (every offset around each time boundary,
// every tolerance form, every odd JSON type in every claim, ...).
//
// Where we depart from jose on purpose, the case is not compared but excluded BY NAME in
// DELIBERATE below, with the reason, and our own outcome is asserted instead, so the
// difference cannot change unnoticed.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { createVerifier, verifyJwt, verifyJwtSync } from '../../pkg/node.mjs';
import { NOW, generateKey, jwksOf, mint, signJson, outcome } from './helpers.mjs';

// jose's own duration reader (not exported by the package): the oracle for duration texts.
const { secs: joseSecs } = await import(new URL('./lib/jwt_claims_set.js', import.meta.resolve('jose')));

let es;
let rs;
let ed;
let jwks;
before(async () => {
  [es, rs, ed] = await Promise.all([
    generateKey('ES256', { kid: 'es-1' }),
    generateKey('RS256', { kid: 'rs-1' }),
    generateKey('EdDSA', { kid: 'ed-1' }),
  ]);
  jwks = jwksOf([es, rs, ed]);
});

const shape = ({ payload, ...rest }) => rest;
const OK = { ok: true };
const code = (c) => ({ ok: false, code: c });

// ---------------------------------------------------------------------------------------------
// The cases: { area, name, token(): Promise<string>, options, keys?(), currentDate? }
// ---------------------------------------------------------------------------------------------
function generate() {
  const cases = [];
  const add = (area, name, token, options = {}, extra = {}) => cases.push({ area, name, token, options, ...extra });
  const claims = (payload, header = {}) => () => signJson(es, { alg: 'ES256', kid: 'es-1', ...header }, payload);

  // Time: every claim at, around and across each boundary, with every tolerance form.
  const tolerances = [undefined, 0, 30, 0.5, '30s', '30 seconds', '0.5 minutes', '0.5m', '+30s', '30S', '30 SECS', '1.5s', '1.4s', '0.4s', '30s from now', '30s FROM NOW', ' 30s', '+ 30s', '-0s', '0s ago'];
  const offsets = [-31, -30, -29, -1, -0.5, 0, 0.5, 1, 29, 30, 31];
  for (const claim of ['exp', 'nbf', 'iat']) {
    for (const off of offsets) {
      for (const tol of tolerances) {
        const options = tol === undefined ? {} : { clockTolerance: tol };
        add('time', `${claim}=now${off >= 0 ? '+' : ''}${off} clockTolerance=${JSON.stringify(tol)}`, claims({ [claim]: NOW + off }), options);
      }
    }
  }
  // maxTokenAge (number and text), iat around "now" and around "now - maxTokenAge".
  for (const off of offsets) {
    for (const tol of [undefined, 30, '30s']) {
      for (const maxTokenAge of [0, 60, 29.5, '1m', '60s', '1 minute', '1.5 minutes', '30s from now', '0s']) {
        const options = { maxTokenAge, ...(tol === undefined ? {} : { clockTolerance: tol }) };
        add('maxTokenAge', `iat=now${off >= 0 ? '+' : ''}${off} ${JSON.stringify(options)}`, claims({ iat: NOW + off }), options);
        add('maxTokenAge', `iat=now-60${off >= 0 ? '+' : ''}${off} ${JSON.stringify(options)}`, claims({ iat: NOW - 60 + off }), options);
      }
    }
  }
  // NumericDates that are not plain integers, and values that are not numbers at all.
  const odd = [['"x"', '"x"'], ['true', 'true'], ['false', 'false'], ['null', 'null'], ['[]', '[]'], ['{}', '{}'], ['-1', '-1'], ['1.5', '1.5'], ['0', '0'], ['-0', '-0'],
    ['1e400', '1e400'], ['-1e400', '-1e400'], ['1E9', '1E9'], ['1.7e9', '1.7e9'], ['1e300', '1e300'], ['5e-324', '5e-324'], ['""', '""'], ['[NOW]', `[${NOW}]`], ['"NOW"', `"${NOW}"`]];
  for (const claim of ['exp', 'nbf', 'iat']) {
    for (const [label, raw] of odd) {
      for (const options of [{}, { maxTokenAge: 60 }, { clockTolerance: 10 }, { requiredClaims: [claim] }]) {
        add('odd values', `${claim}=${label} ${JSON.stringify(options)}`, claims(`{"${claim}":${raw}}`), options);
      }
    }
  }
  // aud: every JSON shape against every audience option.
  const auds = ['api', ['api'], [], ['x', 'api'], ['api', 1], [1, 'api'], [null], 1, null, true, {}, '', [''], ['api', 'api'], 'API', [['api']]];
  for (const aud of auds) {
    for (const audience of [undefined, 'api', ['api'], [], ['x', 'api'], '', ['']]) {
      add('aud', `aud=${JSON.stringify(aud)} audience=${JSON.stringify(audience)}`, claims({ aud }), audience === undefined ? {} : { audience });
    }
  }
  add('aud', 'aud absent, audience []', claims({}), { audience: [] });
  // iss / sub: types against the options.
  for (const claim of ['iss', 'sub']) {
    for (const value of ['alice', 'Alice', '', 1, null, true, ['alice'], {}]) {
      for (const expected of [undefined, 'alice', '', ['alice', 'bob'], []]) {
        if (claim === 'sub' && Array.isArray(expected)) continue;
        const options = expected === undefined ? {} : { [claim === 'iss' ? 'issuer' : 'subject']: expected };
        add('iss/sub', `${claim}=${JSON.stringify(value)} ${JSON.stringify(options)}`, claims({ [claim]: value }), options);
      }
    }
  }
  // typ: header forms against option forms.
  const typs = [undefined, 'JWT', 'jwt', 'application/jwt', 'application/JWT', 'at+jwt', 'AT+JWT', 'application/at+jwt', '', 'application/', 'foo/jwt', 1, null, ['JWT'], 'JWT ', 'ＪＷＴ', 'k+jwt', 'ß'];
  for (const typ of typs) {
    for (const expected of [undefined, 'JWT', 'jwt', 'application/jwt', 'at+jwt', 'application/AT+JWT', '', 'application/', 'K+JWT', 'SS']) {
      add('typ', `typ=${JSON.stringify(typ)} option=${JSON.stringify(expected)}`, claims({}, typ === undefined ? {} : { typ }), expected === undefined ? {} : { typ: expected });
    }
  }
  // crit: shapes and names against options.crit, with and without b64.
  const crits = [['x-ext'], ['x-ext', 'x-ext'], [], 'x-ext', {}, null, [''], [1], ['b64'], ['b64', 'x-ext'], ['exp'], ['alg'], ['x-missing'], ['__proto__'], ['toString'], ['constructor']];
  for (const crit of crits) {
    for (const understood of [undefined, { 'x-ext': true }, { 'x-ext': false }, { 'x-missing': true }, { b64: true }, { alg: true }, { toString: true }]) {
      for (const b64 of [undefined, true]) {
        const header = { crit, 'x-ext': 1, exp: 1, ...(b64 === undefined ? {} : { b64 }) };
        add('crit', `crit=${JSON.stringify(crit)} b64=${b64} options.crit=${JSON.stringify(understood)}`, claims({}, header), understood === undefined ? {} : { crit: understood });
      }
    }
  }
  // crit against alg problems: which is reported first.
  for (const alg of ['ES256', 'none', 'rs256', undefined, 'XS256']) {
    for (const crit of [undefined, ['x-unknown'], []]) {
      for (const algorithms of [undefined, ['RS256']]) {
        const header = { kid: 'es-1', ...(alg === undefined ? {} : { alg }), ...(crit === undefined ? {} : { crit }) };
        add('crit order', `alg=${alg} crit=${JSON.stringify(crit)} algorithms=${JSON.stringify(algorithms)}`, () => signJson(es, header, {}), algorithms ? { algorithms } : {});
      }
    }
  }
  // alg: case variants, none, missing, wrong types, against allow-lists.
  for (const alg of ['ES256', 'es256', 'Es256', 'rs256', 'RS256', 'none', 'None', 'NONE', '', 'EdDSA', 'Ed25519', 'eddsa', 'HS256', 'ES256 ', 'ML-DSA-44', 1, null, ['ES256'], undefined]) {
    for (const algorithms of [undefined, ['ES256'], ['es256'], ['none'], [], ['HS256']]) {
      for (const kid of ['es-1', undefined]) {
        const header = { ...(alg === undefined ? {} : { alg }), ...(kid ? { kid } : {}) };
        add('alg', `alg=${JSON.stringify(alg)} kid=${kid} algorithms=${JSON.stringify(algorithms)}`, () => signJson(es, header, {}), algorithms ? { algorithms } : {});
      }
    }
  }
  // kid: forms and types, for each key type.
  for (const kid of ['es-1', 'ES-1', '', 1, null, true, ['es-1'], {}, 'es-1 ', 'rs-1', 'ed-1', undefined]) {
    for (const signer of ['es', 'ed', 'rs']) {
      add('kid', `${signer} kid=${JSON.stringify(kid)}`, () => {
        const key = { es, ed, rs }[signer];
        return signJson(key, { alg: key.alg, ...(kid === undefined ? {} : { kid }) }, {});
      });
    }
  }
  // requiredClaims, with the claims issuer / maxTokenAge imply.
  for (const requiredClaims of [[], ['jti'], ['jti', 'nonce'], ['iss'], ['exp'], ['__proto__'], ['constructor'], ['toString'], [''], ['jti', 'jti']]) {
    for (const payload of ['{}', '{"jti":null}', '{"jti":"x","nonce":1}', '{"__proto__":1}', '{"constructor":1}', '{"":0}', `{"iss":"i","exp":${NOW + 600}}`]) {
      for (const extra of [{}, { issuer: 'i' }, { maxTokenAge: 60 }]) {
        add('requiredClaims', `requiredClaims=${JSON.stringify(requiredClaims)} payload=${payload} ${JSON.stringify(extra)}`, claims(payload), { requiredClaims, ...extra });
      }
    }
  }
  // currentDate, as seconds (with fractions) and as a Date, around exp.
  for (const currentDate of [NOW, NOW + 0.999, NOW - 0.001, 0, -1, new Date(NOW * 1000), new Date(NOW * 1000 + 999), new Date(NOW * 1000 - 1)]) {
    for (const exp of [NOW, NOW + 1, NOW - 1]) {
      const shown = currentDate instanceof Date ? `Date(${currentDate.getTime()})` : currentDate;
      add('currentDate', `currentDate=${shown} exp=now${exp - NOW >= 0 ? '+' : ''}${exp - NOW}`, claims({ exp }), {}, { currentDate });
    }
  }
  // JWK members (use, key_ops, alg, crv, kid, ...) against algorithms and the token's kid.
  const mutations = {
    'as is': (j) => j, 'use enc': (j) => ({ ...j, use: 'enc' }), 'use sig': (j) => ({ ...j, use: 'sig' }), 'use ""': (j) => ({ ...j, use: '' }), 'use SIG': (j) => ({ ...j, use: 'SIG' }),
    'key_ops [sign]': (j) => ({ ...j, key_ops: ['sign'] }), 'key_ops [verify]': (j) => ({ ...j, key_ops: ['verify'] }), 'key_ops []': (j) => ({ ...j, key_ops: [] }),
    'key_ops [verify,verify]': (j) => ({ ...j, key_ops: ['verify', 'verify'] }), 'key_ops "verify"': (j) => ({ ...j, key_ops: 'verify' }), 'key_ops [verify,sign]': (j) => ({ ...j, key_ops: ['verify', 'sign'] }),
    'key_ops [verify,1]': (j) => ({ ...j, key_ops: ['verify', 1] }), 'ext true': (j) => ({ ...j, ext: true }), 'ext "x"': (j) => ({ ...j, ext: 'x' }),
    'alg ES384': (j) => ({ ...j, alg: 'ES384' }), 'alg es256': (j) => ({ ...j, alg: 'es256' }), 'no alg': ({ alg, ...j }) => j, 'alg 1': (j) => ({ ...j, alg: 1 }),
    'crv P-384': (j) => ({ ...j, crv: 'P-384' }), 'no crv': ({ crv, ...j }) => j, 'crv p-256': (j) => ({ ...j, crv: 'p-256' }), 'crv X25519': (j) => ({ ...j, crv: 'X25519' }),
    'kid 1': (j) => ({ ...j, kid: 1 }), 'no kid': ({ kid, ...j }) => j, 'use enc, key_ops [verify]': (j) => ({ ...j, use: 'enc', key_ops: ['verify'] }), 'kty ec': (j) => ({ ...j, kty: 'ec' }),
  };
  for (const signer of ['es', 'ed', 'rs']) {
    for (const [mutation, mutate] of Object.entries(mutations)) {
      for (const algorithms of [undefined, 'own', ['ES384'], 'own+ES384']) {
        for (const withKid of [true, false]) {
          const shown = { own: '[its alg]', 'own+ES384': '[its alg, ES384]' }[algorithms] ?? JSON.stringify(algorithms);
          const name = `${signer} key: ${mutation}, token ${withKid ? 'with' : 'without'} kid, algorithms=${shown}`;
          const key = () => ({ es, ed, rs }[signer]);
          const list = () => (algorithms === 'own' ? [key().alg] : algorithms === 'own+ES384' ? [key().alg, 'ES384'] : algorithms);
          cases.push({
            area: 'keys', name, mutation,
            token: () => mint(key(), {}, { kid: withKid ? key().kid : null }),
            get options() { return list() ? { algorithms: list() } : {}; },
            keys: () => ({ keys: [mutate(key().jwk)] }),
          });
        }
      }
    }
  }
  // JSON text of the payload and header that JSON.parse and a strict reader may take apart.
  const payloads = ['{"sub":"\\ud800"}', '\ufeff{}', `{"a":${'['.repeat(200)}${']'.repeat(200)}}`, '{"__proto__":{"admin":true}}', '{"a":1e400}', '{"a":-0}', '{"a":1.0}', '{"a":"\\u0000"}', ' {} ', '{}\n', '{"a":9007199254740993}', '{"a":1E2}'];
  const label = (text) => JSON.stringify(text.replace(/\[{10,}/, '[…').replace(/\]{10,}/, '…]'));
  for (const payload of payloads) add('json', `payload ${label(payload)}`, claims(payload));
  const headers = ['{"alg":"ES256","kid":"es-1","x":"\\ud800"}', '\ufeff{"alg":"ES256","kid":"es-1"}', '{"alg":"ES256","kid":"es-1","__proto__":{"alg":"none"}}', ' {"alg":"ES256","kid":"es-1"} ', `{"alg":"ES256","kid":"es-1","a":${'['.repeat(200)}${']'.repeat(200)}}`];
  for (const header of headers) add('json', `header ${label(header)}`, () => signJson(es, header, {}));
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Where we differ from jose on purpose: a predicate over the case, the reason, and OUR outcome.
// ---------------------------------------------------------------------------------------------
// A key case whose token alg the algorithms option leaves out: both refuse it before any key.
const refusedByAlgorithms = (c) => c.options.algorithms?.[0] === 'ES384';

const DELIBERATE = [
  {
    name: 'HS* against a public JWK set',
    why: 'API.md: HS* only when listed in algorithms (else ERR_JOSE_ALG_NOT_ALLOWED), and then only with an oct key (none here: ERR_JWKS_NO_MATCHING_KEY). jose refuses every symmetric alg with a JWK Set (ERR_JOSE_NOT_SUPPORTED). README "Where we differ from jose".',
    applies: (c) => c.area === 'alg' && c.name.startsWith('alg="HS256"') && (c.options.algorithms === undefined || c.options.algorithms.includes('HS256')),
    ours: (c) => code(c.options.algorithms ? 'ERR_JWKS_NO_MATCHING_KEY' : 'ERR_JOSE_ALG_NOT_ALLOWED'),
  },
  {
    name: 'ML-DSA is not an algorithm of this package',
    why: 'README "Algorithms": HS*, RS*, PS*, ES256/384/512, EdDSA/Ed25519. jose 6 knows ML-DSA (AKP keys): it finds no AKP key here, we refuse the alg.',
    applies: (c) => c.area === 'alg' && c.name.startsWith('alg="ML-DSA-44"') && c.options.algorithms === undefined,
    ours: () => code('ERR_JOSE_NOT_SUPPORTED'),
  },
  {
    name: 'numbers beyond a double (1e400) are not JSON this package reads',
    why: 'src/json_parse.rs reads as serde_json does: "number out of range" (the token is malformed, ERR_JWT_INVALID). JSON.parse makes them ±Infinity, so jose takes exp: 1e400 as "never expires". Refusing fails closed.',
    applies: (c) => /1e400/.test(c.name),
    ours: () => code('ERR_JWT_INVALID'),
  },
  {
    name: 'JSON that serde_json refuses: lone surrogate escapes, a byte order mark, nesting deeper than 128',
    why: 'src/json_parse.rs: the same JSON as serde_json (RFC 8259 §8.2 leaves lone surrogates unpredictable; §8.1 lets a parser refuse a BOM; a nesting limit bounds the work). TextDecoder drops the BOM and JSON.parse takes the rest, so jose accepts.',
    applies: (c) => c.area === 'json' && /ud800|\ufeff|\[…/.test(c.name),
    ours: (c) => code(c.name.startsWith('header') ? 'ERR_JWS_INVALID' : 'ERR_JWT_INVALID'),
  },
  {
    name: 'a JWK whose kid is not a string is unusable',
    why: 'RFC 7517 §4.5: kid is a string; parseJwks reports invalid_key and never selects the key. jose compares kid only when the token has one, so a token without kid selects it.',
    applies: (c) => c.area === 'keys' && c.mutation === 'kid 1' && !refusedByAlgorithms(c),
    ours: () => code('ERR_JWKS_NO_MATCHING_KEY'),
  },
  {
    name: 'key_ops ["verify", "sign"] verifies',
    why: 'API.md key selection: key_ops, if any, must contain "verify" (it does). jose hands the usages to WebCrypto, which refuses "sign" on a public key: a DOMException, not a JOSE error.',
    applies: (c) => c.area === 'keys' && c.mutation === 'key_ops [verify,sign]' && !refusedByAlgorithms(c),
    ours: () => OK,
  },
];

const counts = new Map();

test('jose 6 and verifyJwt / verifyJwtSync agree over the generated cases (deliberate differences asserted apart)', async (t) => {
  const cases = generate();
  const mismatches = [];
  const deliberate = new Map(DELIBERATE.map((d) => [d.name, 0]));
  for (const c of cases) {
    const token = await c.token();
    const keys = c.keys ? c.keys() : jwks;
    const now = c.currentDate ?? NOW;
    const asDate = now instanceof Date ? now : new Date(now * 1000);
    // Ours: verifyJwt with "now" as given, verifyJwtSync with the other form.
    const ours = await outcome(() => verifyJwt(token, keys, { ...c.options, currentDate: now }));
    const oursSync = await outcome(() => verifyJwtSync(token, keys, { ...c.options, currentDate: now instanceof Date ? now.getTime() / 1000 : asDate }));
    const viaVerifier = await outcome(() => createVerifier(keys, { ...c.options, currentDate: now }).verifySync(token));
    assert.deepEqual(shape(oursSync), shape(ours), `${c.area}: ${c.name}: verifyJwtSync vs verifyJwt`);
    assert.deepEqual(shape(viaVerifier), shape(ours), `${c.area}: ${c.name}: createVerifier().verifySync vs verifyJwt`);
    counts.set(c.area, (counts.get(c.area) ?? 0) + 1);

    const exception = DELIBERATE.find((d) => d.applies(c));
    if (exception) {
      deliberate.set(exception.name, deliberate.get(exception.name) + 1);
      if (JSON.stringify(shape(ours)) !== JSON.stringify(exception.ours(c))) {
        mismatches.push(`${c.area}: ${c.name}: ours ${JSON.stringify(shape(ours))}, our contract (${exception.name}) ${JSON.stringify(exception.ours(c))}`);
      }
      continue;
    }
    const theirs = await outcome(() => jose.jwtVerify(token, jose.createLocalJWKSet(keys), { ...c.options, currentDate: asDate })).catch((err) => ({ ok: false, code: `${err.name}` }));
    if (JSON.stringify(shape(ours)) !== JSON.stringify(shape(theirs))) {
      mismatches.push(`${c.area}: ${c.name}: ours ${JSON.stringify(shape(ours))}, jose ${JSON.stringify(shape(theirs))}`);
    } else if (theirs.ok) {
      assert.deepEqual(ours.payload, theirs.payload, `${c.area}: ${c.name}: payload`);
      assert.equal(Object.getPrototypeOf(ours.payload), Object.getPrototypeOf(theirs.payload), `${c.area}: ${c.name}: payload prototype`);
    }
  }
  t.diagnostic(`cases per area: ${JSON.stringify(Object.fromEntries(counts))}; deliberate: ${JSON.stringify(Object.fromEntries(deliberate))}`);
  assert.deepEqual(mismatches, []);
  // Every area ran, and every deliberate difference was met (a stale entry is an error too).
  assert.ok(cases.length > 3000, `${cases.length} cases`);
  for (const [name, n] of deliberate) assert.ok(n > 0, `deliberate difference never met: ${name}`);
});

// Duration texts (clockTolerance, maxTokenAge): random texts from jose's grammar and near
// misses of it, each read by jose's own reader and through our clockTolerance. Accepted by
// both with the same number of seconds, or refused by both (a TypeError for us).
test('duration texts: our clockTolerance reads exactly the texts jose reads, as the same seconds', async () => {
  let seed = 0x5eed; // mulberry32: a fixed sequence, so a failure repeats
  const pick = (list) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return list[((t ^ (t >>> 14)) >>> 0) % list.length];
  };
  const units = ['s', 'sec', 'secs', 'second', 'seconds', 'm', 'min', 'mins', 'minute', 'minutes', 'h', 'hr', 'hrs', 'hour', 'hours', 'd', 'day', 'days', 'w', 'week', 'weeks', 'y', 'yr', 'yrs', 'year', 'years', 'fortnight', 'ms', ''];
  const cased = (text) => pick([text, text.toUpperCase(), text.charAt(0).toUpperCase() + text.slice(1)]);
  const texts = new Set();
  for (let i = 0; i < 2500; i++) {
    texts.add([
      pick(['', '', '', ' ', '\t', '\n']),
      pick(['', '', '+', '-']),
      pick(['', '', ' ', '  ', '\t']),
      pick(['0', '1', '30', '007', '0.5', '1.5', '1.4', '2.25', '.5', '1.', '1.2.3', '', '1e3', '٣']),
      pick(['', '', ' ', '  ', '\u00a0']),
      cased(pick(units)),
      pick(['', '', '', ' ago', ' from now', ' AGO', ' From Now', '  ago', 'ago', ' from  now', ' since']),
      pick(['', '', '', ' ', '\n', '.']),
    ].join(''));
  }
  // And texts of jose's grammar only (sign, spaces, number, unit, direction all well placed).
  for (let i = 0; i < 500; i++) {
    const direction = pick(['', '', ' ago', ' from now', ' AGO', ' From Now']);
    texts.add([direction ? '' : pick(['', '+', '-']), pick(['', ' ']), pick(['0', '1', '30', '007', '0.5', '1.5', '2.25', '12.75']), pick(['', ' ']), cased(pick(units.slice(0, 26))), direction].join(''));
  }
  const token = async (exp) => signJson(es, { alg: 'ES256', kid: 'es-1' }, { exp });
  let accepted = 0;
  for (const text of texts) {
    let seconds;
    try {
      seconds = joseSecs(text);
    } catch {
      seconds = undefined;
    }
    const verify = async (exp) => outcome(async () => verifyJwtSync(await token(exp), jwks, { clockTolerance: text, currentDate: NOW }));
    if (seconds === undefined || seconds < 0) {
      // jose refuses it (or refuses a negative tolerance): so do we, as a TypeError.
      assert.deepEqual(shape(await verify(NOW + 10)), code('TypeError'), `${JSON.stringify(text)}: jose refuses it`);
      continue;
    }
    accepted += 1;
    // A tolerance of `seconds`: exp = now - seconds is expired, one second later is not.
    assert.deepEqual(shape(await verify(NOW - seconds)), { ok: false, code: 'ERR_JWT_EXPIRED', claim: 'exp', reason: 'check_failed' }, `${JSON.stringify(text)} = ${seconds} s: exp at the edge`);
    assert.deepEqual(shape(await verify(NOW - seconds + 1)), OK, `${JSON.stringify(text)} = ${seconds} s: exp a second inside`);
  }
  assert.ok(texts.size > 2500 && accepted > 300, `${texts.size} texts, ${accepted} accepted by jose`);
});
