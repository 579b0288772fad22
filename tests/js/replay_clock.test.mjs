// A ReplayCache without a `clock` keeps the keys the library marks by the clock of the check that
// marked them (its currentDate, else the host clock): over many check dates, from years in the
// past to the future, a token accepted once by checkAssertion, verifyWebhook or verifyDpopProof
// is refused as replayed by every later check at that date. On the host clock alone, a key
// stored by a check in the past had already expired and was accepted again.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { checkAssertion, verifyWebhook, verifyDpopProof, ReplayCache } from '../../pkg/node.mjs';
import { generateKey, mint, outcome } from './helpers.mjs';

const CLIENT = 'client-1';
const TOKEN_ENDPOINT = 'https://as.example/token';
const SENDER = 'https://sender.example';
const URL = 'https://rs.example/api';
const hostNow = () => Math.floor(Date.now() / 1000);

let signer; // ES256, kid k1
let jwks;
let holder; // a DPoP key pair

before(async () => {
  signer = await generateKey('ES256', { kid: 'k1' });
  jwks = { keys: [signer.jwk] };
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const { ext, key_ops, ...jwk } = await jose.exportJWK(publicKey);
  holder = { privateKey, jwk };
});

// Check dates relative to the host clock: far past, recent past, around now, future.
function checkDates() {
  const offsets = [-10 * 365 * 86400, -400 * 86400, -86400, -3601, -601, -301, -31, -1, 0, 1, 29, 299, 3600, 86400];
  for (let i = 0; i < 6; i++) offsets.push(-Math.floor(Math.random() * 5 * 365 * 86400));
  return offsets.map((offset, i) => {
    const seconds = hostNow() + offset;
    // Both forms of currentDate.
    return i % 2 ? seconds : new Date(seconds * 1000);
  });
}
const secondsOf = (date) => (typeof date === 'number' ? date : Math.floor(date.getTime() / 1000));

// Each profile: a fresh token for `at`, and the check of it with `replay`.
const PROFILES = {
  async assertion(at, replay) {
    const now = secondsOf(at);
    const token = await mint(signer, { iss: CLIENT, sub: CLIENT, aud: TOKEN_ENDPOINT, iat: now, exp: now + 120, jti: randomUUID() });
    return () => checkAssertion(token, { clientId: CLIENT, audience: TOKEN_ENDPOINT, keys: jwks, replay, currentDate: at });
  },
  async webhook(at, replay) {
    const body = `{"event":"paid","id":"${randomUUID()}"}`;
    const hash = createHash('sha256').update(body).digest('hex');
    const token = await mint(signer, { iss: SENDER, iat: secondsOf(at), jti: randomUUID(), request_body_sha256: hash });
    return () => verifyWebhook({ authorization: `Bearer ${token}`, body }, jwks, { replay, currentDate: at });
  },
  async dpop(at, replay) {
    const proof = await new jose.SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL, iat: secondsOf(at) })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: holder.jwk })
      .sign(holder.privateKey);
    return () => verifyDpopProof(proof, { method: 'GET', url: URL, replay, currentDate: at });
  },
};

for (const [name, make] of Object.entries(PROFILES)) {
  test(`${name}: a default ReplayCache keeps each key for later checks at the same date, whatever the host clock says`, async () => {
    const replay = new ReplayCache();
    let cases = 0;
    for (const at of checkDates()) {
      const check = await make(at, replay);
      assert.equal((await outcome(check)).ok, true, `first use at ${secondsOf(at) - hostNow()} s`);
      for (let again = 0; again < 2; again++) {
        const replayed = await outcome(check);
        assert.equal(replayed.code, 'ERR_JWT_REPLAYED', `replay ${again + 1} at ${secondsOf(at) - hostNow()} s: ${JSON.stringify(replayed)}`);
      }
      cases++;
    }
    assert.equal(cases, 20);
  });

  test(`${name}: a ReplayCache's own clock still decides, and stores still get (key, expiresAt) only`, async () => {
    const at = hostNow() - 86400;
    // A clock a year ahead: every key the check stores is already past it, so the cache keeps none.
    const ahead = new ReplayCache({ clock: () => hostNow() + 365 * 86400 });
    const check = await make(at, ahead);
    assert.equal((await outcome(check)).ok, true);
    assert.equal((await outcome(check)).ok, true, 'the clock option wins over the check\'s date');
    // A store of the caller's own sees two arguments, as the ReplayStore contract says.
    const calls = [];
    const store = { markUsed: (...args) => (calls.push(args), true) };
    await (await make(at, store))();
    assert.equal(calls.length, 1);
    assert.equal(calls[0].length, 2);
    assert.ok(calls[0][1] > at, `expiresAt ${calls[0][1]} is counted in the check's clock (${at})`);
  });
}

test('markUsed called directly still counts on the host clock', () => {
  const cache = new ReplayCache();
  const past = hostNow() - 100;
  assert.equal(cache.markUsed('s j', past), true);
  assert.equal(cache.markUsed('s j', past), true, 'already expired by the host clock: not kept');
  assert.equal(cache.markUsed('s k', hostNow() + 60), true);
  assert.equal(cache.markUsed('s k', hostNow() + 60), false);
});
