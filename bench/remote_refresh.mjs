// Benchmark figures (not a test): a 5,000-key JWKS — parsing it (parseJwks against jose's
// createLocalJWKSet, which defers key import to first use, so its first verification is
// timed with it), and RemoteJwks refreshes from a 127.0.0.1 server: an unchanged body (not
// parsed again), a 304 (ETag revalidation), and a changed body (parsed).
// Run: node bench/remote_refresh.mjs (after `make build`). Prints one line per figure.

import http from 'node:http';
import { generateKeyPairSync } from '../tests/js/support/keypair.mjs';
import { performance } from 'node:perf_hooks';
import * as jose from 'jose';
import { parseJwks, verifyJwt, RemoteJwks } from '../pkg/node.mjs';

const SET_SIZE = 5000;
const RUNS = 7;

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function timeEach(runs, fn) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function line(label, value) {
  console.log(`${label.padEnd(64)} ${value.toFixed(2).padStart(9)} ms`);
}

// 5,000 entries cycling 50 distinct P-256 keys (each entry is parsed on its own).
const pairs = Array.from({ length: 50 }, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const keys = Array.from({ length: SET_SIZE }, (_, i) => ({ ...pairs[i % 50].publicKey.export({ format: 'jwk' }), kid: `k${i}`, alg: 'ES256', use: 'sig' }));
const signer = await jose.importJWK({ ...pairs[7].privateKey.export({ format: 'jwk' }) }, 'ES256');
const token = await new jose.SignJWT({ sub: 'bench' }).setProtectedHeader({ alg: 'ES256', kid: 'k4207' }).setIssuedAt().setExpirationTime('1h').sign(signer);
const jwks = { keys };
const text = JSON.stringify(jwks);

line(`parseJwks, ${SET_SIZE} keys`, await timeEach(RUNS, () => parseJwks(text, { maxKeys: SET_SIZE })));
line(`parseJwks + first verifyJwt, ${SET_SIZE} keys`, await timeEach(RUNS, () => verifyJwt(token, parseJwks(text, { maxKeys: SET_SIZE }))));
line(`jose createLocalJWKSet + first jwtVerify, ${SET_SIZE} keys`, await timeEach(RUNS, () => jose.jwtVerify(token, jose.createLocalJWKSet(JSON.parse(text)))));

let body = text;
let etag = '"v1"';
const server = http.createServer((req, res) => {
  if (req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end();
  return res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/jwks.json`;

// A fetch that drops the validators: the server answers 200 with the same body.
const unconditional = (input, init) => {
  const headers = new Headers(init.headers);
  headers.delete('if-none-match');
  headers.delete('if-modified-since');
  return fetch(input, { ...init, headers });
};
const same = new RemoteJwks(url, { maxKeys: SET_SIZE, cooldownMs: 0, fetch: unconditional });
await verifyJwt(token, same);
line('RemoteJwks refresh, unchanged 200 body (not parsed again)', await timeEach(RUNS, () => same.refresh()));
const revalidating = new RemoteJwks(url, { maxKeys: SET_SIZE, cooldownMs: 0 });
await verifyJwt(token, revalidating);
line('RemoteJwks refresh, 304 Not Modified (If-None-Match)', await timeEach(RUNS, () => revalidating.refresh()));
const changing = new RemoteJwks(url, { maxKeys: SET_SIZE, cooldownMs: 0 });
line('RemoteJwks refresh + verifyJwt, changed body (parsed)', await timeEach(RUNS, async (i) => {
  keys[0].kid = `k0-${i}`;
  body = JSON.stringify(jwks);
  etag = `"v${i + 2}"`;
  await changing.refresh();
  await verifyJwt(token, changing);
}));
server.close();
