// End to end with real counterparts that are not ours: oidc-provider (a certified OpenID
// Provider) issues RFC 9068 JWT access tokens (`at+jwt`, resource indicators) and DPoP-bound
// ones (RFC 9449, `cnf.jkt`); openid-client 6 is the client (client_credentials grant with and
// without a DPoP key pair, then fetchProtectedResource, which signs a fresh proof per
// request); an Express 5 resource server protected by jwks-verify/express, with the
// provider's keys found by discoverJwks. Everything over HTTP on 127.0.0.1.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as jose from 'jose';
import express from 'express';
import Provider from 'oidc-provider';
import * as client from 'openid-client';
// The adapters import the package's main entry ('jwks-verify'), which Node resolves to
// node.bundle.mjs: objects handed to them come from that same instance.
import { discoverJwks, ReplayCache } from '../../pkg/node.bundle.mjs';
import { bearerAuth } from '../../pkg/express.mjs';

const CLIENT = { id: 'api-client', secret: 'api-client-secret-0123456789abcdef' };
const RESOURCE = 'urn:example:orders-api';

let provider;
let resourceServer;
let issuer;
let api;
let config;
const seenProofs = [];

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

before(async () => {
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const signing = { ...(await jose.exportJWK(privateKey)), kid: 'as-es256', alg: 'ES256', use: 'sig' };
  provider = http.createServer();
  issuer = await listen(provider);
  const oidc = new Provider(issuer, {
    clients: [{
      client_id: CLIENT.id, client_secret: CLIENT.secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
      id_token_signed_response_alg: 'ES256',
    }],
    jwks: { keys: [signing] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== RESOURCE) throw new Error(`unknown resource ${resource}`);
          return { scope: 'orders:read orders:write', audience: RESOURCE, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
  });
  provider.on('request', oidc.callback());

  // The resource server: one protected route that echoes what the adapter attached.
  const keys = await discoverJwks(issuer);
  const app = express();
  app.get('/orders', (req, _res, next) => {
    if (req.get('dpop')) seenProofs.push(req.get('dpop'));
    next();
  }, bearerAuth({ keys, issuer, audience: RESOURCE, requiredScopes: ['orders:read'], dpopReplay: new ReplayCache() }), (req, res) => {
    res.json({ sub: req.auth.payload.sub, clientId: req.auth.payload.client_id, scheme: req.auth.scheme, jkt: req.auth.jkt ?? null });
  });
  app.use((err, _req, res, _next) => res.status(500).json({ error: 'server_error', message: String(err?.message ?? err) }));
  resourceServer = http.createServer(app);
  api = await listen(resourceServer);

  config = await client.discovery(new URL(issuer), CLIENT.id, CLIENT.secret, undefined, { execute: [client.allowInsecureRequests] });
});

after(async () => {
  for (const server of [provider, resourceServer]) {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  }
});

async function quietly(fn) {
  // oidc-provider warns about its development defaults; keep the test output readable.
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

test('oidc-provider + openid-client: a Bearer JWT access token is accepted by the Express resource server', async () => {
  const tokens = await quietly(() => client.clientCredentialsGrant(config, { resource: RESOURCE, scope: 'orders:read' }));
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.equal(jose.decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
  const res = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${api}/orders`), 'GET');
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.deepEqual(body, { sub: CLIENT.id, clientId: CLIENT.id, scheme: 'Bearer', jkt: null });
});

test('oidc-provider + openid-client: a DPoP-bound token works with its proofs; a replayed proof and the token as Bearer are refused', async () => {
  const keyPair = await client.randomDPoPKeyPair('ES256');
  const dpop = client.getDPoPHandle(config, keyPair);
  const tokens = await quietly(() => client.clientCredentialsGrant(config, { resource: RESOURCE, scope: 'orders:read' }, { DPoP: dpop }));
  assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(keyPair.publicKey));
  assert.deepEqual(jose.decodeJwt(tokens.access_token).cnf, { jkt });

  const url = new URL(`${api}/orders?status=open`);
  for (let i = 0; i < 3; i++) {
    // A new proof each time (new jti): each is accepted once.
    const res = await client.fetchProtectedResource(config, tokens.access_token, url, 'GET', undefined, undefined, { DPoP: dpop });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(body, { sub: CLIENT.id, clientId: CLIENT.id, scheme: 'DPoP', jkt });
  }
  assert.equal(seenProofs.length, 3);

  // The last proof, sent again by someone who captured it.
  const replayed = await fetch(url, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: seenProofs.at(-1) } });
  assert.equal(replayed.status, 401);
  assert.equal((await replayed.json()).error, 'invalid_dpop_proof');
  assert.match(replayed.headers.get('www-authenticate'), /DPoP/);

  // The bound token without its proof, as a Bearer token.
  const asBearer = await fetch(url, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(asBearer.status, 401);
  assert.equal((await asBearer.json()).error, 'invalid_token');
});

test('oidc-provider: a token for another client key (someone else\'s proof) is refused', async () => {
  const owner = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  const thief = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  const tokens = await quietly(() => client.clientCredentialsGrant(config, { resource: RESOURCE, scope: 'orders:read' }, { DPoP: owner }));
  // openid-client turns the 401 and its WWW-Authenticate challenge into an error.
  const err = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${api}/orders`), 'GET', undefined, undefined, { DPoP: thief })
    .then(() => null, (e) => e);
  assert.ok(err, 'a proof by another key was accepted');
  assert.equal(err.code, 'OAUTH_WWW_AUTHENTICATE_CHALLENGE', String(err));
  assert.equal(err.status, 401);
  const errors = err.cause.map((challenge) => challenge.parameters.error).filter(Boolean);
  assert.deepEqual(errors, ['invalid_dpop_proof'], JSON.stringify(err.cause));
});
