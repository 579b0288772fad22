// Divergences from API.md (and from jose 6 where API.md names it as the model) found by the
// contract audit, each pinned here: decodeJwt's error code, duration texts that overflow, and
// verifyJwt meeting a wrong option before refused keys, as createVerifier(keys, options) does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import * as api from '../../pkg/node.mjs';
import { generateKey, jwksOf, mint, NOW, b64url } from './helpers.mjs';

const codeOf = (fn) => {
  try {
    fn();
  } catch (err) {
    return err.code;
  }
  return 'no error';
};

test('decodeJwt: every malformed input is ERR_JWT_INVALID, as jose.decodeJwt reports it', async () => {
  const key = await generateKey('ES256', { kid: 'k' });
  const good = await mint(key, { iat: NOW });
  const [h, p] = good.split('.');
  // [input, jose refuses it too] (jose's decodeJwt reads neither the header nor the signature).
  const bad = [
    ['garbage', true], ['a.b', true], ['a.b.c.d.e', true], ['', true], [`${h}.@@@.x`, true], [`${h}..`, true],
    [`${h}.${b64url('[1]')}.`, true], [`${h}.${b64url('null')}.`, true], [`${h}.${b64url('{"a":')}.`, true],
    [5, true], [null, true], [undefined, true], [{}, true], [['a.b.c'], true],
    [`@@@.${p}.`, false], [`${h}.${p}.@@@`, false], [`${b64url('{"alg":"none","b64":"no"}')}.${p}.`, false], [`${b64url('[]')}.${p}.`, false],
  ];
  for (const [input, joseToo] of bad) {
    assert.equal(codeOf(() => api.decodeJwt(input)), 'ERR_JWT_INVALID', `decodeJwt(${JSON.stringify(input)})`);
    if (joseToo) assert.equal(codeOf(() => jose.decodeJwt(input)), 'ERR_JWT_INVALID', `jose.decodeJwt(${JSON.stringify(input)})`);
  }
  // What decodes still decodes; the size limit keeps the code it has on every path.
  assert.deepEqual(api.decodeJwt(good).payload, jose.decodeJwt(good));
  assert.equal(codeOf(() => api.decodeJwt(`${good}${'A'.repeat(20000)}`)), 'ERR_JWS_INVALID');
});

test('a duration text that overflows is a TypeError naming the option, never "forever"', async () => {
  const key = await generateKey('ES256', { kid: 'k' });
  const keys = jwksOf([key]);
  const old = await mint(key, { iat: NOW - 10 * 365 * 86400 });
  for (const text of ['99999999999999999999999 years', '9007199254740992s', '99999999999999999999 days', `${'9'.repeat(400)}s`]) {
    for (const name of ['maxTokenAge', 'clockTolerance']) {
      await assert.rejects(api.verifyJwt(old, keys, { currentDate: NOW, [name]: text }), (err) => {
        assert.ok(err instanceof TypeError, `${name} = ${text}: ${err}`);
        assert.equal(err.code, 'ERR_INVALID_OPTION');
        assert.match(err.message, new RegExp(name));
        return true;
      });
    }
    await assert.rejects(api.verifyWebhook({ authorization: `Bearer ${old}`, body: '' }, keys, { maxAge: text }), TypeError);
    await assert.rejects(api.checkAssertion(old, { clientId: 'c', audience: 'a', keys, maxLifetime: text }), TypeError);
  }
  // Long spans that fit still read.
  assert.equal((await api.verifyJwt(old, keys, { currentDate: NOW, maxTokenAge: '100 years' })).payload.iat, NOW - 10 * 365 * 86400);
});

test('verifyJwt meets a wrong option, then a token that is no token text, before refused keys: exactly as createVerifier(keys, options).verify(token)', async () => {
  const key = await generateKey('ES256', { kid: 'k' });
  const token = await mint(key, { iat: NOW });
  const tooLong = `${token}${'A'.repeat(20000)}`;
  const verifierOutcome = async (keys, options, t) => {
    try {
      return await api.createVerifier(keys, options).verify(t);
    } catch (err) {
      return { name: err.name, code: err.code };
    }
  };
  const outcome = async (run) => {
    try {
      return await run();
    } catch (err) {
      return { name: err.name, code: err.code };
    }
  };
  for (const badKeys of [5, null, 'not json', [key.jwk], { kty: 'nope' }, true]) {
    for (const [options, t] of [[{ audiance: 'x' }, token], [{ currentDate: NOW }, tooLong], [{ currentDate: NOW }, 42], [{ currentDate: NOW }, token], [{ audiance: 'x' }, 42]]) {
      const expected = await verifierOutcome(badKeys, options, t);
      assert.deepEqual(await outcome(() => api.verifyJwt(t, badKeys, options)), expected, `verifyJwt(${typeof t}, ${JSON.stringify(badKeys)}, ${JSON.stringify(options)})`);
      // verifyJwtSync reports in the same order.
      assert.deepEqual(await outcome(() => api.verifyJwtSync(t, badKeys, options)), expected, `verifyJwtSync(${JSON.stringify(badKeys)}, ${JSON.stringify(options)})`);
    }
  }
  // Good keys are unaffected: the option is still refused, the token still verifies.
  await assert.rejects(api.verifyJwt(token, jwksOf([key]), { audiance: 'x' }), TypeError);
  assert.equal((await api.verifyJwt(token, jwksOf([key]), { currentDate: NOW })).key.kid, 'k');
});

test('RemoteJwks: a shorter Cache-Control max-age wins over cacheMaxAgeMs, below cooldownMs too; no reuse at all waits cooldownMs', async () => {
  const key = await generateKey('ES256', { kid: 'k' });
  const lifetimeWith = async (cacheControl, options = {}) => {
    const fetch = async () => new Response(JSON.stringify(jwksOf([key])), { headers: { 'content-type': 'application/json', 'cache-control': cacheControl } });
    const remote = new api.RemoteJwks('https://issuer.example/jwks', { fetch, ...options });
    await remote.keySet();
    const { fetchedAtMs, expiresAtMs } = remote.exportState();
    return expiresAtMs - fetchedAtMs;
  };
  for (const seconds of [1, 5, 29, 60, 300]) assert.equal(await lifetimeWith(`max-age=${seconds}`), seconds * 1000, `max-age=${seconds}`);
  assert.equal(await lifetimeWith('max-age=86400'), 600_000, 'capped at cacheMaxAgeMs');
  assert.equal(await lifetimeWith('max-age=5', { cooldownMs: 60_000 }), 5_000);
  for (const noReuse of ['no-store', 'no-cache', 'max-age=0']) assert.equal(await lifetimeWith(noReuse), 30_000, noReuse);

  // And in real time: a 1-second max-age refetches after a second, with the default cooldownMs.
  let fetches = 0;
  const fetch = async () => {
    fetches += 1;
    return new Response(JSON.stringify(jwksOf([key])), { headers: { 'content-type': 'application/json', 'cache-control': 'max-age=1' } });
  };
  const remote = new api.RemoteJwks('https://issuer.example/jwks', { fetch });
  await remote.keySet();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await remote.keySet();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(fetches, 2);
});

test('ERR_JWT_REPLAYED quotes the jti as every message quotes attacker-controlled text (JSON-escaped, cut at 64 with a count), and names the jti even when the scope has a space', async () => {
  const key = await generateKey('ES256', { kid: 'k' });
  const keys = jwksOf([key]);
  const replayedMessage = async (clientId, jti) => {
    const token = await mint(key, { iss: clientId, sub: clientId, aud: 'https://as.example/token', iat: NOW, exp: NOW + 60, jti });
    const options = { clientId, audience: 'https://as.example/token', keys, currentDate: NOW, replay: new api.ReplayCache({ clock: () => NOW }) };
    await api.checkAssertion(token, options);
    const err = await api.checkAssertion(token, options).then(() => assert.fail('replayed'), (e) => e);
    assert.equal(err.code, 'ERR_JWT_REPLAYED');
    return err.message;
  };
  const long = `j\n${'y'.repeat(100)}`;
  const message = await replayedMessage('client', long);
  assert.ok(message.includes(`"j\\n${'y'.repeat(62)}"…(102 characters)`), message);
  assert.ok(!message.includes('\n') && !message.includes('y'.repeat(63)), message);
  // The same quoting as a kid in ERR_JWKS_NO_MATCHING_KEY.
  const kidErr = await api.verifyJwt(await mint(key, { iat: NOW }, { kid: long }), keys, { currentDate: NOW }).catch((e) => e);
  assert.ok(kidErr.message.includes(`"j\\n${'y'.repeat(62)}"…(102 characters)`), kidErr.message);
  assert.equal(await replayedMessage('my client', 'jti-1'), '"jti" "jti-1" has already been used');
});

test('discoverJwks: a failed discovery quotes the issuer as every message quotes a URL (JSON-escaped, cut at 64 with a count)', async () => {
  const issuer = `https://idp.example/\n${'p'.repeat(100)}`;
  const err = await api.discoverJwks(issuer, { fetch: async () => { throw new Error('down'); } }).catch((e) => e);
  assert.equal(err.code, 'ERR_JWKS_FETCH_FAILED');
  assert.ok(err.message.startsWith('metadata discovery for issuer "https://idp.example/\\n'), err.message);
  assert.ok(!err.message.includes('\n') && !err.message.includes('p'.repeat(64)), err.message);
  assert.ok(err.message.includes('…(121 characters)'), err.message);
});

test('RemoteJwks and discoverJwks: every URL that is not absolute http(s) without user info is a TypeError with code ERR_INVALID_URL', async () => {
  for (const url of ['/jwks', 'jwks.json', '', 'ftp://x.example/jwks', 'https://u:p@x.example/jwks', 'file:///etc/passwd']) {
    assert.throws(() => new api.RemoteJwks(url), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_URL', `RemoteJwks(${JSON.stringify(url)})`);
    await assert.rejects(api.discoverJwks(url), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_URL', `discoverJwks(${JSON.stringify(url)})`);
  }
  for (const url of [42, null, undefined, {}, new URL('https://x.example/')]) {
    await assert.rejects(api.discoverJwks(url), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_URL', `discoverJwks(${String(url)})`);
  }
});
