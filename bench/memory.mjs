// Memory benchmark (not a test; issue 12 item 5): the common patterns repeated 200,000 times
// in an `await` loop, printing the wasm memory, RSS and time of each 20,000-call block. A flat
// line is the aim: wasm memory never shrinks, so any growth is kept for the process's life.
//   parseJwks each call    await verifyJwt(token, parseJwks(jwks))       (freed at GC only)
//   parseJwks + dispose    { using keys = parseJwks(jwks); await verifyJwt(token, keys) }
//   inline JWKS object     await verifyJwt(token, jwks)                 (parsed once, cached)
// Run: node --expose-gc bench/memory.mjs [pattern] [calls] (after `make build`).

import { performance } from 'node:perf_hooks';
import * as jose from 'jose';
import { parseJwks, verifyJwt } from '../pkg/node.mjs';
import { wasmMemoryBytes } from '../pkg/gen/jwks_verify.js';

const CALLS = Number(process.argv[3] ?? 200_000);
const BLOCK = Math.max(1, Math.floor(CALLS / 10));
const options = { algorithms: ['ES256'], issuer: 'https://issuer.example', audience: 'api' };

const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
const jwks = { keys: [jwk] };
const token = await new jose.SignJWT({ iss: options.issuer, aud: 'api', sub: 'u' })
  .setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt().setExpirationTime('1h').sign(privateKey);

const patterns = {
  'parseJwks each call': () => verifyJwt(token, parseJwks(jwks), options),
  'parseJwks + dispose': async () => {
    const keys = parseJwks(jwks);
    try {
      return await verifyJwt(token, keys, options);
    } finally {
      keys.free();
    }
  },
  'inline JWKS object': () => verifyJwt(token, jwks, options),
};

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`.padStart(9);
const chosen = process.argv[2] && process.argv[2] !== 'all' ? [process.argv[2]] : Object.keys(patterns);
for (const name of chosen) {
  const run = patterns[name];
  if (!run) throw new Error(`unknown pattern ${name}; one of: ${Object.keys(patterns).join(', ')}`);
  console.log(`\n${name}: ${CALLS} calls, blocks of ${BLOCK}`);
  console.log('  calls      wasm memory       RSS   block time');
  let start = performance.now();
  for (let i = 1; i <= CALLS; i++) {
    await run();
    if (i % BLOCK === 0) {
      const now = performance.now();
      console.log(`  ${String(i).padStart(7)}  ${mb(wasmMemoryBytes())} ${mb(process.memoryUsage().rss)}  ${((now - start) / 1000).toFixed(2).padStart(8)} s`);
      start = now;
    }
  }
  globalThis.gc?.();
}
