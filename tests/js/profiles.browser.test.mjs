// checkAssertion, ReplayCache and verifyWebhook in Debian's Chromium (playwright-core): the
// package's web entry is served from 127.0.0.1 and the page runs the calls on tokens jose
// minted here, so the browser path (async wasm init, WebCrypto backend) gives the same
// outcomes as Node.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { NOW, generateKey, mint } from './helpers.mjs';

const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

let server;
let browser;
let page;

before(async () => {
  server = await startServer(0);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage();
  // Any page of the server gives the module imports its origin.
  await page.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
});

after(async () => {
  await browser?.close();
  server?.close();
});

// Runs in the page: every call's outcome as { ok, ... } or { code, claim?, reason? }.
async function runInPage({ fixtures, NOW }) {
  const lib = await import('/pkg/web.mjs');
  const settle = async (fn) => {
    try {
      const result = await fn();
      return { ok: true, clientId: result.clientId, federated: result.federated, jti: result.jti, iss: result.payload.iss };
    } catch (err) {
      return { code: err.code ?? err.name, claim: err.claim, reason: err.reason };
    }
  };
  const f = fixtures;
  const base = { clientId: 'client-1', audience: ['https://as.example', 'https://as.example/token'], keys: f.clientJwks, currentDate: NOW };
  const replay = new lib.ReplayCache({ clock: () => NOW });
  const asyncStore = { used: new Set(), async markUsed(jti) { await null; if (this.used.has(jti)) return false; this.used.add(jti); return true; } };
  const bytes = new TextEncoder().encode(f.body);
  return {
    assertion: await settle(() => lib.checkAssertion(f.assertion, { ...base, replay })),
    replayed: await settle(() => lib.checkAssertion(f.assertion, { ...base, replay })),
    asyncStoreFirst: await settle(() => lib.checkAssertion(f.assertion, { ...base, replay: asyncStore })),
    asyncStoreReplay: await settle(() => lib.checkAssertion(f.assertion, { ...base, replay: asyncStore })),
    strictTwoAud: await settle(() => lib.checkAssertion(f.twoAud, base)),
    rfc7523TwoAud: await settle(() => lib.checkAssertion(f.twoAud, { ...base, profile: 'rfc7523' })),
    tooLong: await settle(() => lib.checkAssertion(f.tooLong, base)),
    clientSecretJwt: await settle(() => lib.checkAssertion(f.hs256, { ...base, keys: f.secretJwks, algorithms: ['HS256'] })),
    federated: await settle(() => lib.checkAssertion(f.workload, { ...base, federated: [{ issuer: 'https://k8s.example', subject: 'system:serviceaccount:ns:app', keys: f.workloadJwks, maxLifetime: 3600, singleUse: false }] })),
    webhookString: await settle(() => lib.verifyWebhook({ authorization: f.webhookAuth, body: f.body }, f.senderJwks, { currentDate: NOW })),
    webhookBytes: await settle(() => lib.verifyWebhook({ authorization: f.webhookAuth, body: bytes }, f.senderJwks, { currentDate: NOW })),
    webhookTampered: await settle(() => lib.verifyWebhook({ authorization: f.webhookAuth, body: `${f.body} ` }, f.senderJwks, { currentDate: NOW })),
    webhookOld: await settle(() => lib.verifyWebhook({ authorization: f.webhookAuth, body: f.body }, f.senderJwks, { currentDate: NOW + 301 })),
    webhookReplay: await settle(async () => {
      const store = new lib.ReplayCache({ clock: () => NOW });
      await lib.verifyWebhook({ authorization: f.webhookAuth, body: f.body }, f.senderJwks, { currentDate: NOW, replay: store });
      return lib.verifyWebhook({ authorization: f.webhookAuth, body: f.body }, f.senderJwks, { currentDate: NOW, replay: store });
    }),
  };
}

test('checkAssertion and verifyWebhook give the same outcomes in Chromium', async () => {
  const clientKey = await generateKey('ES256', { kid: 'client-key' });
  const secretKey = await generateKey('HS256', { kid: 'secret' });
  const workloadKey = await generateKey('RS256', { kid: 'k8s' });
  const senderKey = await generateKey('ES256', { kid: 'sender' });
  const claims = { iss: 'client-1', sub: 'client-1', aud: 'https://as.example/token', iat: NOW, exp: NOW + 60, jti: 'b-1' };
  const body = JSON.stringify({ taskId: 't-1', state: 'completed', note: 'grüße' });
  const fixtures = {
    clientJwks: { keys: [clientKey.jwk] },
    secretJwks: { keys: [secretKey.jwk] },
    workloadJwks: { keys: [workloadKey.jwk] },
    senderJwks: { keys: [senderKey.jwk] },
    assertion: await mint(clientKey, claims),
    twoAud: await mint(clientKey, { ...claims, aud: ['https://as.example/token', 'https://other.example'] }),
    tooLong: await mint(clientKey, { ...claims, exp: NOW + 301 }),
    hs256: await mint(secretKey, claims),
    workload: await mint(workloadKey, { iss: 'https://k8s.example', sub: 'system:serviceaccount:ns:app', aud: 'https://as.example', iat: NOW, exp: NOW + 3600 }),
    body,
    webhookAuth: `Bearer ${await mint(senderKey, { iss: 'https://agent.example', iat: NOW, jti: 'w-1', request_body_sha256: createHash('sha256').update(body).digest('hex') })}`,
  };
  const got = await page.evaluate(runInPage, { fixtures, NOW });
  const accepted = (extra = {}) => ({ ok: true, clientId: 'client-1', federated: false, jti: 'b-1', iss: 'client-1', ...extra });
  const webhookOk = { ok: true, iss: 'https://agent.example' };
  const failed = (code, claim, reason) => ({ code, claim, reason });
  // Compared as JSON: an absent member and an undefined one are the same here.
  const json = (value) => JSON.parse(JSON.stringify(value));
  assert.deepEqual(json(got), json({
    assertion: accepted(),
    replayed: failed('ERR_JWT_REPLAYED', 'jti', 'check_failed'),
    asyncStoreFirst: accepted(),
    asyncStoreReplay: failed('ERR_JWT_REPLAYED', 'jti', 'check_failed'),
    strictTwoAud: failed('ERR_JWT_CLAIM_VALIDATION_FAILED', 'aud', 'multiple_audiences'),
    rfc7523TwoAud: accepted(),
    tooLong: failed('ERR_JWT_CLAIM_VALIDATION_FAILED', 'exp', 'lifetime_too_long'),
    clientSecretJwt: accepted(),
    federated: accepted({ federated: true, jti: undefined, iss: 'https://k8s.example' }),
    webhookString: webhookOk,
    webhookBytes: webhookOk,
    webhookTampered: failed('ERR_WEBHOOK_BODY_MISMATCH', 'request_body_sha256', 'check_failed'),
    webhookOld: failed('ERR_JWT_EXPIRED', 'iat', 'check_failed'),
    webhookReplay: failed('ERR_JWT_REPLAYED', 'jti', 'check_failed'),
  }));
});
