// RemoteJwks against a real identity provider that is not ours: oidc-provider (npm, a
// certified OpenID Provider) on loopback with its own key set. discoverJwks finds its JWKS;
// JWT access tokens it issues (client_credentials grant, resource indicators) verify with
// RS256 and ES256 keys; after a key rotation (the provider restarted on the same port with a
// new key set) new tokens verify with one refetch, and removed keys stop verifying after the
// next refresh.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as jose from 'jose';
import Provider from 'oidc-provider';
import * as api from '../../pkg/node.mjs';

const CLIENT = { id: 'svc-client', secret: 'svc-client-secret-0123456789abcdef' };
const RESOURCES = { 'urn:example:rs-api': 'RS256', 'urn:example:es-api': 'ES256' };

async function signingKey(alg, kid) {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg, use: 'sig' };
}

async function generation(name) {
  return [await signingKey('RS256', `${name}-rs`), await signingKey('ES256', `${name}-es`)];
}

let port = 0;
let running;

// (Re)starts the provider on the same port with `keys` (private JWKs; the first per alg signs).
async function startProvider(keys) {
  if (running) {
    await running.close();
    // Let the clients' keep-alive sockets see the close before the next request (undici would
    // otherwise send it on a dead socket: "other side closed").
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const server = http.createServer();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  port = server.address().port;
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [{
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    }],
    jwks: { keys },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:example:rs-api',
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({
          scope: 'read',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 600,
          jwt: { sign: { alg: RESOURCES[resource] } },
        }),
      },
    },
  });
  server.on('request', provider.callback());
  running = {
    issuer: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
  return running;
}

async function accessToken(resource) {
  const res = await fetch(`${running.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'read' }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.access_token;
}

// Counts the JWKS requests the RemoteJwks makes (discovery requests are not counted).
const jwksRequests = [];
const countingFetch = (url, init) => {
  if (!String(url).includes('/.well-known/')) jwksRequests.push(String(url));
  return fetch(url, init);
};

let first;
before(async () => {
  // The provider logs its development-only defaults; keep the test output readable.
  const warn = console.warn;
  console.warn = () => {};
  first = await generation('gen1');
  await startProvider(first);
  console.warn = warn;
});

after(() => running?.close());

test('oidc-provider: discoverJwks finds its JWKS and its JWT access tokens verify, then survive a rotation', async () => {
  const issuer = running.issuer;
  const remote = await api.discoverJwks(issuer, { fetch: countingFetch, cooldownMs: 0 });
  assert.equal(remote.url, `${issuer}/jwks`);

  const verify = (token, resource) => api.verifyJwt(token, remote, { issuer, audience: resource, typ: 'at+jwt' });

  // Generation 1: RS256 and ES256 tokens, many verifications, one JWKS request.
  const rsToken = await accessToken('urn:example:rs-api');
  const esToken = await accessToken('urn:example:es-api');
  const rs = await verify(rsToken, 'urn:example:rs-api');
  assert.equal(rs.header.alg, 'RS256');
  assert.equal(rs.key.kid, 'gen1-rs');
  assert.equal(rs.payload.client_id, CLIENT.id);
  assert.equal(rs.payload.scope, 'read');
  const es = await verify(esToken, 'urn:example:es-api');
  assert.equal(es.key.kid, 'gen1-es');
  await Promise.all(Array.from({ length: 50 }, () => verify(rsToken, 'urn:example:rs-api')));
  assert.equal(jwksRequests.length, 1);
  await assert.rejects(verify(rsToken, 'urn:example:es-api'), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
  assert.deepEqual(remote.stats().kids, ['gen1-rs', 'gen1-es']);

  // Rotation: new signing keys first, the old ones kept for tokens already issued.
  const second = await generation('gen2');
  const warn = console.warn;
  console.warn = () => {};
  await startProvider([...second, ...first]);
  console.warn = warn;
  const rs2 = await accessToken('urn:example:rs-api');
  const es2 = await accessToken('urn:example:es-api');
  assert.equal((await verify(rs2, 'urn:example:rs-api')).key.kid, 'gen2-rs');
  assert.equal((await verify(es2, 'urn:example:es-api')).key.kid, 'gen2-es');
  await verify(rsToken, 'urn:example:rs-api');
  await verify(esToken, 'urn:example:es-api');
  assert.equal(jwksRequests.length, 2, 'one refetch for the rotation');

  // Retirement: the old keys leave the set; after the next refresh their tokens fail.
  console.warn = () => {};
  await startProvider(second);
  console.warn = warn;
  await verify(rsToken, 'urn:example:rs-api');
  await remote.refresh();
  assert.equal(jwksRequests.length, 3);
  const err = await verify(rsToken, 'urn:example:rs-api').catch((e) => e);
  assert.equal(err.code, 'ERR_JWKS_NO_MATCHING_KEY');
  assert.match(err.message, /gen1-rs/);
  assert.match(err.message, /"gen2-rs", "gen2-es"/);
  assert.equal(err.url, `${issuer}/jwks`);
  await verify(rs2, 'urn:example:rs-api');
  assert.equal(jwksRequests.length, 4, 'the unknown kid refetched once (cooldownMs 0), then the new token needed none');
});
