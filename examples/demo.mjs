// jwks-verify demo: verify a handful of sample tokens against the bundled public JWK Set and
// print a verdict for each; then a RemoteJwks served from 127.0.0.1, an RFC 9068 access token,
// a DPoP proof (and its replay), and a resource server's check of a Fetch Request. Run with
// `make demo` (or `node examples/demo.mjs` after `make build`). Offline: every request is local.
//
// examples/keys/private-jwks.json signs the sample tokens (it exists only for this demo);
// examples/keys/public-jwks.json is what a verifier would fetch from an issuer. Tokens are
// minted at run time, so `exp` is relative to now.

import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import * as jose from 'jose';
import * as jv from '../pkg/node.mjs';

const readJson = (name) => JSON.parse(readFileSync(new URL(`./keys/${name}`, import.meta.url), 'utf8'));
const privateJwks = readJson('private-jwks.json');
const publicJwks = readJson('public-jwks.json');

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'demo-api';
const now = Math.floor(Date.now() / 1000);

async function signingKey(kid) {
  const jwk = privateJwks.keys.find((key) => key.kid === kid);
  return { alg: jwk.alg, key: await jose.importJWK(jwk, jwk.alg) };
}

// A token signed with the private key `signWith`; `kid` goes in the header unless null.
async function mint(signWith, claims, { kid = signWith, typ = 'JWT' } = {}) {
  const { alg, key } = await signingKey(signWith);
  const header = kid === null ? { alg, typ } : { alg, typ, kid };
  return new jose.SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', iat: now, exp: now + 300, ...claims })
    .setProtectedHeader(header)
    .sign(key);
}

// Flip one byte in the middle of the signature.
function tamper(token) {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bytes.length >> 1] ^= 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

const withoutKids = { keys: publicJwks.keys.map(({ kid, ...key }) => key) };

// `expect`: the verdict this demo should print (`ok`, or the error code); a different one
// makes the demo exit non-zero, so `make demo` doubles as a smoke test.
const samples = [
  { label: 'good ES256 token', expect: 'ok', token: await mint('demo-es256', {}) },
  { label: 'good RS256 token', expect: 'ok', token: await mint('demo-rs256', {}) },
  { label: 'good EdDSA token', expect: 'ok', token: await mint('demo-eddsa', {}) },
  { label: 'expired token', expect: 'ERR_JWT_EXPIRED', token: await mint('demo-es256', { iat: now - 7200, exp: now - 3600 }) },
  { label: 'not yet valid (nbf in 1 h)', expect: 'ERR_JWT_CLAIM_VALIDATION_FAILED', token: await mint('demo-es256', { nbf: now + 3600 }) },
  { label: 'wrong audience', expect: 'ERR_JWT_CLAIM_VALIDATION_FAILED', token: await mint('demo-es256', { aud: 'another-api' }) },
  { label: 'wrong key (attacker, claims kid demo-es256)', expect: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', token: await mint('attacker', {}, { kid: 'demo-es256' }) },
  { label: 'unknown kid', expect: 'ERR_JWKS_NO_MATCHING_KEY', token: await mint('attacker', {}) },
  { label: 'tampered signature', expect: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', token: tamper(await mint('demo-es256', {})) },
  { label: 'token without kid (every ES256 key is tried)', expect: 'ok', token: await mint('demo-es256', {}, { kid: null }) },
  { label: 'token without kid, key set without kids', expect: 'ok', token: await mint('demo-eddsa', {}, { kid: null }), keys: withoutKids },
];

const options = { issuer: ISSUER, audience: AUDIENCE };

function describeKey(key) {
  const name = key.kid !== undefined ? `kid "${key.kid}"` : `key #${key.index} (no kid)`;
  return `${name}, ${key.kty}${key.crv ? ` ${key.crv}` : ''}${key.bits ? ` ${key.bits}-bit` : ''}, thumbprint ${key.thumbprint.slice(0, 12)}…`;
}

let surprises = 0;

function printVerdict({ label, expect }, outcome) {
  const got = outcome.ok ? 'ok' : outcome.error.code;
  if (got !== expect) {
    surprises += 1;
    console.log(`  ! ${label}: expected ${expect}, got ${got}`);
  }
  if (outcome.ok) {
    const { payload, key } = outcome.result;
    console.log(`  ✓ ${label}`);
    console.log(`      sub=${payload.sub}, verified by ${describeKey(key)}`);
  } else {
    console.log(`  ✗ ${label}`);
    console.log(`      ${outcome.error.code}: ${outcome.error.message}`);
  }
}

async function verdict(token, keys) {
  try {
    return { ok: true, result: await jv.verifyJwt(token, keys, options) };
  } catch (error) {
    if (!(error instanceof jv.JoseError)) throw error;
    return { ok: false, error };
  }
}

console.log(`Keys: examples/keys/public-jwks.json (${publicJwks.keys.map((key) => key.kid).join(', ')})`);
console.log(`Options: ${JSON.stringify(options)}\n`);
for (const sample of samples) {
  printVerdict(sample, await verdict(sample.token, sample.keys ?? publicJwks));
}

const lint = jv.parseJwks(withoutKids);
console.log(`\nThe key set without kids has ${lint.diagnostics.length} diagnostic(s), e.g.:`);
console.log(`  ${lint.diagnostics[0].severity} ${lint.diagnostics[0].code}: ${lint.diagnostics[0].message}`);

// ---------------------------------------------------------------------------------------
// Remote JWKS: the same public set served over HTTP from 127.0.0.1 and read by RemoteJwks.
// RemoteJwks is built separately; this section runs only when the package exports it.
// ---------------------------------------------------------------------------------------
if (typeof jv.RemoteJwks === 'function') {
  let requests = 0;
  const server = createServer((request, response) => {
    requests += 1;
    if (request.url !== '/.well-known/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    response.end(JSON.stringify(publicJwks));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`;
  try {
    console.log(`\nThrough RemoteJwks (${url}):`);
    const remote = new jv.RemoteJwks(url, { timeoutMs: 2000 });
    const remoteSamples = samples.filter((sample) => ['good ES256 token', 'good EdDSA token', 'expired token', 'unknown kid'].includes(sample.label));
    for (const sample of remoteSamples) {
      printVerdict(sample, await verdict(sample.token, remote));
    }
    const stats = remote.stats();
    console.log(`  ${stats.fetches} fetch(es) for ${requests} HTTP request(s); kids served: ${stats.kids.join(', ')}`);
  } finally {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
} else {
  console.log('\n(RemoteJwks is not in this build of the package: remote section skipped.)');
}

// ---------------------------------------------------------------------------------------
// An RFC 9068 access token, a DPoP proof (RFC 9449) bound to it, and a resource server's
// check of a Fetch Request (authenticateRequest, challengeResponse). Tokens as
// examples/mint.mjs --typ at+jwt makes them.
// ---------------------------------------------------------------------------------------

// `expect`: `ok`, or the error code `run` should throw.
async function check(label, expect, run) {
  let got;
  let detail;
  try {
    detail = await run();
    got = 'ok';
  } catch (error) {
    if (!(error instanceof jv.JoseError)) throw error;
    [got, detail] = [error.code, error.message];
  }
  if (got !== expect) surprises += 1;
  console.log(`  ${got === 'ok' ? '✓' : '✗'} ${label}${got === expect ? '' : ` (! expected ${expect})`}`);
  console.log(`      ${got === 'ok' ? detail : `${got}: ${detail}`}`);
}

// The client's DPoP key pair, and a fresh proof of it for one request (RFC 9449 §4).
const client = await jose.generateKeyPair('ES256');
const clientJwk = await jose.exportJWK(client.publicKey);
const jkt = await jose.calculateJwkThumbprint(clientJwk);
const API = 'https://api.example/orders';
const proofFor = (token, { htm = 'GET', htu = API } = {}) =>
  new jose.SignJWT({ htm, htu, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ath: createHash('sha256').update(token).digest('base64url') })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: clientJwk })
    .sign(client.privateKey);

const accessToken = await mint('demo-es256', { client_id: 'demo-client', jti: randomUUID(), scope: 'orders:read', cnf: { jkt } }, { typ: 'at+jwt' });
const accessOptions = { ...options, requiredScopes: ['orders:read'] };

console.log(`\nAccess token (typ at+jwt, scope "orders:read", bound to DPoP key ${jkt.slice(0, 12)}…):`);
await check('verifyAccessToken, requiredScopes ["orders:read"]', 'ok', async () => {
  const { payload } = await jv.verifyAccessToken(accessToken, publicJwks, accessOptions);
  return `client_id=${payload.client_id}, sub=${payload.sub}, scope="${payload.scope}"`;
});
await check('verifyAccessToken, requiredScopes ["orders:write"]', 'ERR_JWT_CLAIM_VALIDATION_FAILED', () =>
  jv.verifyAccessToken(accessToken, publicJwks, { ...options, requiredScopes: ['orders:write'] }));
await check('an ordinary JWT where an access token is expected', 'ERR_JWT_CLAIM_VALIDATION_FAILED', () =>
  jv.verifyAccessToken(samples[0].token, publicJwks, options));

console.log('\nDPoP proof (verifyDpopProof, one ReplayCache):');
const proof = await proofFor(accessToken);
const proofOptions = { method: 'GET', url: `${API}?page=2`, accessToken, replay: new jv.ReplayCache() };
await check('a fresh proof', 'ok', async () => `jkt ${(await jv.verifyDpopProof(proof, proofOptions)).jkt.slice(0, 12)}…, the token's cnf.jkt`);
await check('the same proof again', 'ERR_JWT_REPLAYED', () => jv.verifyDpopProof(proof, proofOptions));

console.log('\nA resource server (authenticateRequest on a Fetch Request, challengeResponse):');
const serverOptions = { keys: publicJwks, ...accessOptions, dpop: 'required', dpopAlgorithms: ['ES256'] };
const requestWith = (headers) => new Request(API, { headers });
const dpopRequest = requestWith({ authorization: `DPoP ${accessToken}`, dpop: await proofFor(accessToken) });
const accepted = await jv.authenticateRequest(dpopRequest, serverOptions);
await check('Authorization: DPoP with its proof', 'ok', async () => {
  if (!accepted.ok) throw new Error(`refused: ${accepted.status} ${accepted.errorDescription}`);
  return `scheme ${accepted.scheme}, client_id=${accepted.payload.client_id}, jkt ${accepted.jkt.slice(0, 12)}…`;
});
for (const [label, headers] of [
  ['the same request replayed', { authorization: `DPoP ${accessToken}`, dpop: dpopRequest.headers.get('dpop') }],
  ['the token as a Bearer token', { authorization: `Bearer ${accessToken}` }],
  ['no credentials', {}],
]) {
  const result = await jv.authenticateRequest(requestWith(headers), serverOptions);
  if (result.ok) {
    surprises += 1;
    console.log(`  ! ${label}: accepted, expected a refusal`);
    continue;
  }
  const response = jv.challengeResponse(result);
  console.log(`  ✗ ${label}: ${response.status} ${await response.text()}`);
  console.log(`      WWW-Authenticate: ${response.headers.get('www-authenticate')}`);
}

if (surprises > 0) {
  console.log(`\n${surprises} verdict(s) differ from what this demo expects.`);
  process.exitCode = 1;
}
