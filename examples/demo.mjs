// jwks-verify demo: verify a handful of sample tokens against the bundled public JWK Set and
// print a verdict for each. Run with `make demo` (or `node examples/demo.mjs` after `make build`).
//
// examples/keys/private-jwks.json signs the sample tokens (it exists only for this demo);
// examples/keys/public-jwks.json is what a verifier would fetch from an issuer. Tokens are
// minted at run time, so `exp` is relative to now.

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
async function mint(signWith, claims, { kid = signWith } = {}) {
  const { alg, key } = await signingKey(signWith);
  const header = kid === null ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid };
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

if (surprises > 0) {
  console.log(`\n${surprises} verdict(s) differ from what this demo expects.`);
  process.exitCode = 1;
}
