// Attack review of wave 5 (notes/full5-review.md): regressions found in the changes between
// eda4813 and c56c017.
// 1. Express/Fastify absolute-form target: with no Host header (HTTP/1.0 allows that, and Node
//    accepts it), the core had no authority to compare the target's with, and took the target
//    as the request URL: a DPoP proof made for another server verified here (Express). And the
//    client picked the scheme: a proof for https:// verified on a plain-HTTP server.
// 2. A trap in RemoteJwks's new calls into the core (hasCandidate, decideWithoutCandidate) or in
//    a store's adoptState went past recoverFrom: the instance was not replaced.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import * as gen from '../../pkg/gen/jwks_verify.js';
import { RemoteJwks, parseJwks, verifyJwt } from '../../pkg/node.mjs';
import { dpopAdapters } from './support/dpop-adapters.mjs';
import { generateKey, jwksOf, mint } from './helpers.mjs';

const now = () => Math.floor(Date.now() / 1000);

// One raw request (no Host header unless given): the status code.
function raw(port, lines) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(`${lines.join('\r\n')}\r\n\r\n`));
    let out = '';
    socket.on('data', (d) => { out += d; });
    socket.on('end', () => resolve(Number(out.split(' ')[1])));
    socket.on('error', reject);
  });
}

test('express and fastify: an absolute-form target with no Host header, or of another scheme than the connection\'s, is a 400', async () => {
  const { express, Fastify, expressAuth, fastifyAuth, token, proof, options } = await dpopAdapters();

  const e = express();
  e.get('/r', expressAuth(options), (req, res) => res.json({ scheme: req.auth.scheme }));
  const expressServer = e.listen(0, '127.0.0.1');
  const f = Fastify();
  f.decorateRequest('auth', null);
  f.get('/r', { onRequest: fastifyAuth(options) }, async (request) => ({ scheme: request.auth.scheme }));
  await f.listen({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => (expressServer.listening ? resolve() : expressServer.once('listening', resolve)));
  try {
    for (const [name, port] of [['express', expressServer.address().port], ['fastify', f.server.address().port]]) {
      const victim = 'http://victim.example/r';
      const stolen = await raw(port, [`GET ${victim} HTTP/1.0`, `Authorization: DPoP ${token}`, `DPoP: ${await proof(victim)}`]);
      assert.equal(stolen, 400, `${name}: a proof for ${victim}, sent as an absolute-form target without Host`);
      // A proof for this host over https, sent to this plain-HTTP server in absolute form.
      const https = `https://127.0.0.1:${port}/r`;
      const tls = await raw(port, [`GET ${https} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close', `Authorization: DPoP ${token}`, `DPoP: ${await proof(https)}`]);
      assert.equal(tls, 400, `${name}: an https:// absolute-form target on a plain-HTTP server`);
      // This server's own URL in absolute form, with its Host: still accepted.
      const self = `http://127.0.0.1:${port}/r`;
      const own = await raw(port, [`GET ${self} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close', `Authorization: DPoP ${token}`, `DPoP: ${await proof(self)}`]);
      assert.equal(own, 200, `${name}: absolute-form naming this host, with its Host header`);
    }
  } finally {
    expressServer.closeAllConnections?.();
    await new Promise((resolve) => expressServer.close(resolve));
    await f.close();
  }
});

test('authenticateRequest(req) on a Node server: an absolute-form target with no Host header is a 400', async () => {
  const http = await import('node:http');
  const { authenticateRequest } = await import('../../pkg/node.mjs');
  const { token, proof: proofFor, options } = await dpopAdapters();
  const victim = 'http://victim.example/r';
  const proof = await proofFor(victim);
  const server = http.createServer(async (req, res) => {
    const result = await authenticateRequest(req, options);
    res.writeHead(result.ok ? 200 : result.status).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    assert.equal(await raw(server.address().port, [`GET ${victim} HTTP/1.0`, `Authorization: DPoP ${token}`, `DPoP: ${proof}`]), 400);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

// Runs `run` with `gen.WasmRemoteCache.prototype[method]` trapping once, as an allocation
// failure inside that call would.
async function trapIn(method, run) {
  const original = gen.WasmRemoteCache.prototype[method];
  gen.WasmRemoteCache.prototype[method] = function trapping(...args) {
    gen.WasmRemoteCache.prototype[method] = original;
    gen.__trapForTests();
    return original.apply(this, args);
  };
  try {
    return await run();
  } catch (err) {
    return err;
  } finally {
    gen.WasmRemoteCache.prototype[method] = original;
  }
}

async function assertReplaced(before, token) {
  // After a trap the runtime replaces the instance: a KeySet made before it is stale.
  const stale = await verifyJwt(token, before).then(() => null, (err) => err);
  assert.equal(stale?.code, 'ERR_JWKS_INVALID', `the instance was not replaced after the trap: ${stale}`);
  assert.match(stale.message, /previous instance/);
}

test('RemoteJwks: a trap while deciding on a token the set has no key for replaces the instance', async () => {
  const es = await generateKey('ES256', { kid: 'es' });
  const es384 = await generateKey('ES384', { kid: 'es384' });
  const esToken = await mint(es, { sub: 'a', exp: now() + 600 });
  const remote = new RemoteJwks('https://issuer.example/trap-candidate', { fetch: async () => new Response(JSON.stringify(jwksOf([es])), { status: 200 }) });
  assert.equal((await verifyJwt(esToken, remote)).payload.sub, 'a');
  const before = parseJwks(jwksOf([es]));
  // A kid-less ES384 token: no key of the set fits it.
  const orphan = await mint(es384, { sub: 'a', exp: now() + 600 }, { kid: null });
  const err = await trapIn('decideWithoutCandidate', () => verifyJwt(orphan, remote));
  assert.ok(err instanceof WebAssembly.RuntimeError, `the trap itself is reported: ${err}`);
  await assertReplaced(before, esToken);
  assert.equal((await verifyJwt(esToken, remote)).payload.sub, 'a', 'the RemoteJwks works again (it refetches)');
});

test('RemoteJwks with a store: a trap while adopting the stored state replaces the instance', async () => {
  const es = await generateKey('ES256', { kid: 'es' });
  const esToken = await mint(es, { sub: 'a', exp: now() + 600 });
  const state = new Map();
  const store = { get: async (url) => state.get(url), set: async (url, text) => { state.set(url, text); } };
  const url = 'https://issuer.example/trap-store';
  const options = { store, fetch: async () => new Response(JSON.stringify(jwksOf([es])), { status: 200 }) };
  // Another process's state in the store.
  const other = new RemoteJwks(url, options);
  await other.refresh();
  assert.ok(state.has(url));
  const before = parseJwks(jwksOf([es]));
  const remote = new RemoteJwks(url, options);
  await trapIn('adoptState', () => verifyJwt(esToken, remote));
  await assertReplaced(before, esToken);
  assert.equal((await verifyJwt(esToken, remote)).payload.sub, 'a');
});

test('RemoteJwks with a store: a trap while exporting the state for the store replaces the instance', async () => {
  const es = await generateKey('ES256', { kid: 'es' });
  const esToken = await mint(es, { sub: 'a', exp: now() + 600 });
  const state = new Map();
  const store = { get: async (url) => state.get(url), set: async (url, text) => { state.set(url, text); } };
  const options = { store, fetch: async () => new Response(JSON.stringify(jwksOf([es])), { status: 200 }) };
  const before = parseJwks(jwksOf([es]));
  const remote = new RemoteJwks('https://issuer.example/trap-export', options);
  // The store is empty: the fetch marks itself in flight there first (exportState), which traps.
  await trapIn('exportState', () => verifyJwt(esToken, remote));
  await assertReplaced(before, esToken);
  assert.equal((await verifyJwt(esToken, remote)).payload.sub, 'a');
});
