// Benchmark figures (not a test): parsing a 1,000-key JWKS, and key selection + verification
// per token in it, with jose's createLocalJWKSet + jwtVerify alongside for scale.
// Run: node bench/jwks_select.mjs (after `make build`). Prints one line per figure.

import { generateKeyPairSync } from '../tests/js/support/keypair.mjs';
import { performance } from 'node:perf_hooks';
import * as jose from 'jose';
import { parseJwks, verifyJwt, verifyJwtSync, explainSelection } from '../pkg/node.mjs';

const SET_SIZE = 1000;
const PARSE_RUNS = 15;
const TOKENS = 200;
const NOW = 1_700_000_000;

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

// EC: 1,000 distinct keys. RSA: 1,000 entries cycling 20 distinct 2048-bit keys (each entry is
// parsed on its own, so the parse cost is that of 1,000 keys; generating 1,000 is too slow).
function ecSet() {
  const signers = [];
  const keys = [];
  for (let i = 0; i < SET_SIZE; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    keys.push({ ...publicKey.export({ format: 'jwk' }), kid: `ec-${i}`, alg: 'ES256', use: 'sig' });
    signers.push(privateKey);
  }
  return { alg: 'ES256', keys, signers };
}

function rsaSet() {
  const pairs = Array.from({ length: 20 }, () => generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const keys = [];
  const signers = [];
  for (let i = 0; i < SET_SIZE; i++) {
    const { publicKey, privateKey } = pairs[i % pairs.length];
    keys.push({ ...publicKey.export({ format: 'jwk' }), kid: `rsa-${i}`, alg: 'RS256', use: 'sig' });
    signers.push(privateKey);
  }
  return { alg: 'RS256', keys, signers };
}

function line(label, value, unit) {
  console.log(`${label.padEnd(58)} ${value.toFixed(unit === 'ms' ? 2 : 1).padStart(9)} ${unit}`);
}

async function bench(name, { alg, keys, signers }) {
  const jwks = { keys };
  const text = JSON.stringify(jwks);
  line(`${name}: parseJwks, ${SET_SIZE} keys (JSON text, median)`, await timeEach(PARSE_RUNS, () => parseJwks(text)), 'ms');
  line(`${name}: parseJwks, ${SET_SIZE} keys (object, median)`, await timeEach(PARSE_RUNS, () => parseJwks(jwks)), 'ms');

  // Tokens signed by keys spread over the set, each with its kid.
  const tokens = [];
  for (let i = 0; i < TOKENS; i++) {
    const index = Math.floor((i * SET_SIZE) / TOKENS) + (i % 5);
    tokens.push(await new jose.SignJWT({ sub: `user-${i}`, iat: NOW, exp: NOW + 600 }).setProtectedHeader({ alg, kid: keys[index].kid }).sign(signers[index]));
  }
  const keySet = parseJwks(text);
  const options = { currentDate: NOW };
  const perToken = async (fn) => (await timeEach(3, async () => {
    for (const token of tokens) await fn(token);
  })) * 1000 / TOKENS;

  line(`${name}: explainSelection per token (selection only)`, await perToken((token) => explainSelection(keySet, token)), 'µs');
  line(`${name}: verifyJwtSync per token (select + verify + claims)`, await perToken((token) => verifyJwtSync(token, keySet, options)), 'µs');
  line(`${name}: verifyJwt per token (async backend)`, await perToken((token) => verifyJwt(token, keySet, options)), 'µs');

  const joseSet = jose.createLocalJWKSet(jwks);
  const joseOptions = { currentDate: new Date(NOW * 1000) };
  line(`${name}: jose createLocalJWKSet + jwtVerify per token`, await perToken((token) => jose.jwtVerify(token, joseSet, joseOptions)), 'µs');
}

console.log(`jwks-verify: ${SET_SIZE}-key sets, ${TOKENS} tokens (node ${process.version})`);
await bench('EC P-256', ecSet());
await bench('RSA 2048', rsaSet());
