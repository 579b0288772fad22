// verifyAccessToken (RFC 9068) on the built package: jose-minted at+jwt tokens, each required
// claim missing or of the wrong type, the typ rule, the scope rule as an invariant over many
// scope strings and required sets, the options it refuses, and agreement with jose's
// jwtVerify(..., { typ: 'at+jwt', requiredClaims }) where jose has an equivalent.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { verifyAccessToken, parseJwks, RemoteJwks } from '../../pkg/node.mjs';
import { NOW, NOW_DATE, generateKey, mint, outcome, thrownBy, tamperSignature } from './helpers.mjs';

const ISS = 'https://as.example';
const AUD = 'https://api.example';
const REQUIRED = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];
const FAILED = 'ERR_JWT_CLAIM_VALIDATION_FAILED';

let key;
let jwks;
before(async () => {
  key = await generateKey('ES256', { kid: 'as-1' });
  jwks = { keys: [key.jwk] };
});

const claims = (extra = {}) => {
  const out = { iss: ISS, exp: NOW + 300, aud: AUD, sub: 'user-1', client_id: 'client-1', iat: NOW - 10, jti: 'j-1', scope: 'read write', ...extra };
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
  return out;
};
const accessToken = (extra, header = { typ: 'at+jwt' }) => mint(key, claims(extra), { header });
const options = (extra = {}) => ({ issuer: ISS, audience: AUD, currentDate: NOW, ...extra });

describe('verifyAccessToken accepts', () => {
  test('an RFC 9068 token, with every KeysInput form', async () => {
    const token = await accessToken();
    for (const keys of [jwks, JSON.stringify(jwks), key.jwk, parseJwks(jwks)]) {
      const result = await verifyAccessToken(token, keys, options());
      assert.deepEqual(Object.keys(result).sort(), ['header', 'key', 'payload']);
      assert.equal(result.payload.client_id, 'client-1');
      assert.equal(result.header.typ, 'at+jwt');
      assert.equal(result.key.kid, 'as-1');
    }
    const remote = new RemoteJwks('https://as.example/jwks', { fetch: async () => new Response(JSON.stringify(jwks), { headers: { 'content-type': 'application/json' } }) });
    assert.equal((await verifyAccessToken(token, remote, options())).payload.sub, 'user-1');
  });

  test('typ application/at+jwt, in any case', async () => {
    for (const typ of ['application/at+jwt', 'AT+JWT', 'Application/At+Jwt']) {
      assert.equal((await verifyAccessToken(await accessToken({}, { typ }), jwks, options())).payload.sub, 'user-1');
    }
  });

  test('the typ option at+jwt, and scopes held', async () => {
    const token = await accessToken({ scope: 'openid read write' });
    await verifyAccessToken(token, jwks, options({ typ: 'application/at+jwt', requiredScopes: ['write', 'read'] }));
  });
});

describe('verifyAccessToken refuses', () => {
  test('a typ other than at+jwt, or none', async () => {
    for (const header of [{}, { typ: 'JWT' }, { typ: 'dpop+jwt' }, { typ: 'at+jwt2' }, { typ: 'application/jwt' }]) {
      const err = await thrownBy(async () => verifyAccessToken(await accessToken({}, header), jwks, options()));
      assert.deepEqual([err.code, err.claim, err.reason], [FAILED, 'typ', 'check_failed'], JSON.stringify(header));
    }
  });

  test('each required claim missing', async () => {
    for (const claim of REQUIRED) {
      const err = await thrownBy(async () => verifyAccessToken(await accessToken({ [claim]: undefined }), jwks, options()));
      assert.deepEqual([err.code, err.claim, err.reason], [FAILED, claim, 'missing'], claim);
    }
  });

  test('each required claim of the wrong type', async () => {
    const wrong = { iss: 42, exp: 'soon', aud: 7, sub: 1, client_id: ['c'], iat: 'now', jti: 5 };
    for (const [claim, value] of Object.entries(wrong)) {
      const err = await thrownBy(async () => verifyAccessToken(await accessToken({ [claim]: value }), jwks, options()));
      assert.deepEqual([err.code, err.claim, err.reason], [FAILED, claim, 'invalid'], claim);
    }
    const err = await thrownBy(async () => verifyAccessToken(await accessToken({ aud: ['a', 3] }), jwks, options()));
    assert.deepEqual([err.claim, err.reason], ['aud', 'invalid']);
    const scope = await thrownBy(async () => verifyAccessToken(await accessToken({ scope: ['read'] }), jwks, options()));
    assert.deepEqual([scope.claim, scope.reason], ['scope', 'invalid']);
  });

  test('a missing or insufficient scope', async () => {
    for (const scope of [undefined, '', 'read', 'write', 'readwrite', 'read,write']) {
      const err = await thrownBy(async () => verifyAccessToken(await accessToken({ scope }), jwks, options({ requiredScopes: ['read', 'write'] })));
      assert.deepEqual([err.code, err.claim, err.reason], [FAILED, 'scope', 'insufficient_scope'], String(scope));
    }
  });

  test('wrong issuer, audience, expired, bad signature', async () => {
    const cases = [
      [{ iss: 'https://evil.example' }, FAILED, 'iss'],
      [{ aud: 'other' }, FAILED, 'aud'],
      [{ exp: NOW - 1 }, 'ERR_JWT_EXPIRED', 'exp'],
    ];
    for (const [extra, code, claim] of cases) {
      const err = await thrownBy(async () => verifyAccessToken(await accessToken(extra), jwks, options()));
      assert.deepEqual([err.code, err.claim], [code, claim]);
    }
    const err = await thrownBy(async () => verifyAccessToken(tamperSignature(await accessToken()), jwks, options()));
    assert.equal(err.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  test('options without audience or issuer, another typ, bad requiredScopes (TypeError naming the option)', async () => {
    const token = await accessToken();
    const cases = [
      [{ audience: undefined }, 'audience'],
      [{ issuer: undefined }, 'issuer'],
      [{ typ: 'JWT' }, 'typ'],
      [{ requiredScopes: 'read' }, 'requiredScopes'],
      [{ requiredScopes: ['read write'] }, 'requiredScopes[0]'],
      [{ requiredScopes: [''] }, 'requiredScopes[0]'],
      [{ requiredScope: ['read'] }, 'requiredScope'],
    ];
    for (const [extra, option] of cases) {
      const err = await thrownBy(() => verifyAccessToken(token, jwks, options(extra)));
      assert.ok(err instanceof TypeError, option);
      assert.equal(err.code, 'ERR_INVALID_OPTION');
      assert.equal(err.option, option);
      assert.match(err.message, /verifyAccessToken/);
    }
    const typo = await thrownBy(() => verifyAccessToken(token, jwks, options({ requiredScope: ['read'] })));
    assert.match(typo.message, /requiredScopes/);
    const none = await thrownBy(() => verifyAccessToken(token, jwks));
    assert.equal(none.option, 'audience');
  });
});

// A small deterministic generator (no flaky seeds).
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('the scope rule, as an invariant', () => {
  test('accepted iff every required scope is a space-separated member of scope', async () => {
    const random = rng(9068);
    const alphabet = ['a', 'b', 'ab', 'read', 'write', 'read:all', 'x/y', 'A'];
    const pick = () => alphabet[Math.floor(random() * alphabet.length)];
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 200; i++) {
      const granted = Array.from({ length: Math.floor(random() * 8) }, pick);
      const separator = random() < 0.2 ? '  ' : ' ';
      const scope = granted.join(separator);
      const required = [...new Set(Array.from({ length: 1 + Math.floor(random() * 2) }, pick))];
      const expected = required.every((r) => scope.split(' ').includes(r));
      const result = await outcome(async () => verifyAccessToken(await accessToken({ scope }), jwks, options({ requiredScopes: required })));
      if (expected) {
        assert.equal(result.ok, true, `${JSON.stringify(scope)} ⊇ ${JSON.stringify(required)}`);
        accepted++;
      } else {
        assert.deepEqual(result, { ok: false, code: FAILED, claim: 'scope', reason: 'insufficient_scope' }, `${JSON.stringify(scope)} ⊉ ${JSON.stringify(required)}`);
        refused++;
      }
    }
    assert.ok(accepted > 20 && refused > 20, `both outcomes exercised (${accepted}/${refused})`);
  });

  test('"a" never satisfies "ab", nor a prefix or substring', async () => {
    for (const [scope, required] of [['a', 'ab'], ['ab', 'a'], ['read', 'rea'], ['read:all', 'read'], ['xread', 'read']]) {
      const result = await outcome(async () => verifyAccessToken(await accessToken({ scope }), jwks, options({ requiredScopes: [required] })));
      assert.equal(result.ok, false, `${scope} vs ${required}`);
    }
  });
});

describe('agreement with jose jwtVerify(typ at+jwt, requiredClaims)', () => {
  const joseOptions = { issuer: ISS, audience: AUD, typ: 'at+jwt', requiredClaims: REQUIRED, currentDate: NOW_DATE };
  test('the same verdict, code and claim on each single fault', async () => {
    const keyLike = await jose.importJWK(key.jwk, 'ES256');
    const variants = [
      [{}, {}],
      [{ iss: 'https://evil.example' }, {}],
      [{ aud: 'other' }, {}],
      [{ aud: ['other', AUD] }, {}],
      [{ exp: NOW - 1 }, {}],
      [{ nbf: NOW + 100 }, {}],
      [{}, { typ: 'JWT' }],
      [{}, { typ: 'application/at+jwt' }],
      ...REQUIRED.map((claim) => [{ [claim]: undefined }, {}]),
    ];
    for (const [extra, header] of variants) {
      const token = await accessToken(extra, { typ: 'at+jwt', ...header });
      const ours = await outcome(() => verifyAccessToken(token, jwks, options()));
      const theirs = await outcome(() => jose.jwtVerify(token, keyLike, joseOptions));
      assert.deepEqual(ours, theirs, JSON.stringify({ extra, header }));
    }
  });
});
