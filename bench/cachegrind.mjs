// `make bench-cachegrind`: where the time per token goes, in counts this VM's noise does not
// move. valgrind's cachegrind runs one Node process per (contender, algorithm, count): it
// counts instructions and simulates the caches (the host's L1/LL geometry). Each contender
// verifies the same token a warm-up number of times, then n1 or n2 more times; the difference
// of the two runs divided by n2 - n1 is one token's cost, startup and compilation excluded.
// "JIT code" is what cachegrind cannot name (`???:???`): V8's compiled JavaScript and wasm.
// Writes the "cachegrind" section of bench/results.md.

import { spawnSync } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './results.mjs';

const ALGS = ['RS256', 'HS256'];
const CONTENDERS = ['ceiling', 'jwks-verify', 'fast-jwt'];
const NAMES = {
  ceiling: 'node:crypto signature only',
  'jwks-verify': 'jwks-verify verifyJwtSync (node)',
  'fast-jwt': 'fast-jwt createVerifier',
};
// Per algorithm: warm-up, then the two counts. An HS256 token is ~50 times cheaper than an
// RS256 one: it takes more tokens for one-time work (V8's tier-up, GC) not to swamp the window.
const COUNTS = {
  RS256: { warmUp: 3000, n1: 500, n2: 2000 },
  HS256: { warmUp: 20000, n1: 5000, n2: 20000 },
};
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';
const SELF = fileURLToPath(import.meta.url);

// --- child: verify one token N times after the warm-up ------------------------------------

async function child(fixtureFile, contender, warmUp, count) {
  const { alg, token, jwk, pem, secret } = JSON.parse(readFileSync(fixtureFile, 'utf8'));
  let op;
  if (contender === 'jwks-verify') {
    const pkg = await import('../pkg/node.mjs');
    const keys = pkg.parseJwks({ keys: [jwk] }, { allowPrivate: alg === 'HS256' });
    const options = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };
    op = () => pkg.verifyJwtSync(token, keys, options);
  } else if (contender === 'fast-jwt') {
    const { createVerifier } = await import('fast-jwt');
    const verify = createVerifier({ key: secret ? Buffer.from(secret, 'base64') : pem, algorithms: [alg], allowedIss: ISSUER, allowedAud: AUDIENCE });
    op = () => verify(token);
  } else {
    const dot = token.lastIndexOf('.');
    const data = Buffer.from(token.slice(0, dot));
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    if (secret) {
      const key = nodeCrypto.createSecretKey(Buffer.from(secret, 'base64'));
      op = () => nodeCrypto.timingSafeEqual(nodeCrypto.createHmac('sha256', key).update(data).digest(), signature);
    } else {
      const key = nodeCrypto.createPublicKey(pem);
      op = () => nodeCrypto.verify('sha256', data, key, signature);
    }
  }
  for (let i = 0; i < warmUp + count; i++) {
    if (!op()) throw new Error(`${contender} ${alg}: not verified`);
  }
}

// --- parent -------------------------------------------------------------------------------

function fixture(alg, dir) {
  const pair = alg === 'HS256' ? null : nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const secret = pair ? null : nodeCrypto.randomBytes(32);
  const kid = `${alg.toLowerCase()}-1`;
  const jwk = pair ? pair.publicKey.export({ format: 'jwk' }) : { kty: 'oct', k: secret.toString('base64url') };
  Object.assign(jwk, { kid, alg, use: 'sig' });
  const now = Math.floor(Date.now() / 1000);
  const header = { alg, kid, typ: 'JWT' };
  const claims = { sub: 'user-123', scope: 'read:messages write:messages', client_id: 'bench-client', jti: 'b6f3a2e0-6f7e-4a7e-9c1d-1d6c8d0f2a11', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600 };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = pair
    ? nodeCrypto.sign('sha256', Buffer.from(input), pair.privateKey)
    : nodeCrypto.createHmac('sha256', secret).update(input).digest();
  const file = path.join(dir, `${alg}.json`);
  writeFileSync(file, JSON.stringify({
    alg,
    token: `${input}.${signature.toString('base64url')}`,
    jwk,
    pem: pair ? pair.publicKey.export({ type: 'spki', format: 'pem' }) : null,
    secret: secret?.toString('base64') ?? null,
  }));
  return file;
}

// Events of one cachegrind output file, by the `???:???` line and in total.
const EVENTS = ['Ir', 'I1mr', 'D1mr', 'D1mw'];

function annotate(file) {
  const run = spawnSync('cg_annotate', [`--show=${EVENTS.join(',')}`, '--threshold=0', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`cg_annotate failed: ${run.stderr}`);
  const numbers = (line) => [...line.matchAll(/(-?[\d,]+)(?: \([^)]*\))?/g)].slice(0, EVENTS.length).map((m) => Number(m[1].replaceAll(',', '')));
  const lines = run.stdout.split('\n');
  const totals = lines.find((line) => line.includes('PROGRAM TOTALS'));
  const jit = lines.find((line) => line.trimEnd().endsWith('???:???'));
  const pick = (values) => Object.fromEntries(EVENTS.map((name, i) => [name, values?.[i] ?? 0]));
  return { total: pick(totals && numbers(totals)), jit: pick(jit && numbers(jit)) };
}

function cachegrind(dir, fixtureFile, contender, warmUp, count) {
  const out = path.join(dir, `${path.basename(fixtureFile, '.json')}-${contender}-${count}.out`);
  const run = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=yes', `--cachegrind-out-file=${out}`, process.execPath, '--single-threaded', SELF, 'child', fixtureFile, contender, String(warmUp), String(count)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`valgrind ${contender} ${count}: exit ${run.status}\n${run.stderr.slice(-2000)}`);
  return out;
}

// The simulated caches, as the output file describes them ("desc: I1 cache: 32768 B, 64 B, 8-way associative").
function cacheGeometry(file) {
  return readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith('desc: ')).map((line) => line.slice(6).replace(/\s+/g, ' ').trim());
}

// One token's counts: (run of n2 - run of n1) / (n2 - n1), from cg_diff.
function perToken(dir, fixtureFile, contender, { warmUp, n1, n2 }) {
  const small = cachegrind(dir, fixtureFile, contender, warmUp, n1);
  const large = cachegrind(dir, fixtureFile, contender, warmUp, n2);
  const diff = path.join(dir, `${path.basename(fixtureFile, '.json')}-${contender}.diff`);
  const run = spawnSync('cg_diff', [small, large], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`cg_diff failed: ${run.stderr}`);
  writeFileSync(diff, run.stdout);
  const { total, jit } = annotate(diff);
  const scale = (counts) => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / (n2 - n1)]));
  return { total: scale(total), jit: scale(jit), caches: cacheGeometry(small) };
}

const thousands = (n) => Math.round(n).toLocaleString('en-US');
const l1 = (c) => c.I1mr + c.D1mr + c.D1mw;

function table(results) {
  const rows = [
    '| algorithm | contender | instructions | L1 misses (I1 + D1) | JIT code: instructions | JIT code: L1 misses |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const alg of ALGS) {
    for (const contender of CONTENDERS) {
      const { total, jit } = results[alg][contender];
      rows.push(`| ${alg} | ${NAMES[contender]} | ${thousands(total.Ir)} | ${thousands(l1(total))} (${thousands(total.I1mr)} + ${thousands(total.D1mr + total.D1mw)}) | ${thousands(jit.Ir)} | ${thousands(l1(jit))} |`);
    }
  }
  return rows.join('\n');
}

function differences(results) {
  return ALGS.map((alg) => {
    const ours = results[alg]['jwks-verify'].total;
    const fast = results[alg]['fast-jwt'].total;
    return `- ${alg}: jwks-verify − fast-jwt = ${thousands(ours.Ir - fast.Ir)} instructions, ${thousands(ours.I1mr - fast.I1mr)} I1 misses, ${thousands(ours.D1mr + ours.D1mw - fast.D1mr - fast.D1mw)} D1 misses a token.`;
  }).join('\n');
}

async function main() {
  for (const tool of ['valgrind', 'cg_diff', 'cg_annotate']) {
    if (spawnSync(tool, ['--version']).error) {
      console.error(`bench-cachegrind: ${tool} not found; install valgrind (Debian: apt-get install valgrind, which scripts/setup.sh does)`);
      process.exit(1);
    }
  }
  const started = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jwks-verify-cachegrind-'));
  try {
    const results = {};
    for (const alg of ALGS) {
      const file = fixture(alg, dir);
      results[alg] = {};
      for (const contender of CONTENDERS) {
        results[alg][contender] = perToken(dir, file, contender, COUNTS[alg]);
        const { total } = results[alg][contender];
        console.log(`${alg} ${contender}: ${thousands(total.Ir)} instructions, ${thousands(l1(total))} L1 misses a token`);
      }
    }
    const caches = results[ALGS[0]][CONTENDERS[0]].caches;
    const markdown = [
      '## Instructions and cache misses a token (valgrind cachegrind)',
      '',
      `Measured ${new Date().toISOString()} by \`make bench-cachegrind\` (bench/cachegrind.mjs, ${Math.round((Date.now() - started) / 1000)} s), Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}.`,
      `One token per algorithm (2048-bit RSA, a 32-byte HMAC key), verified with algorithms + issuer + audience; per token = (run of n2 − run of n1) / (n2 − n1) after a warm-up (${ALGS.map((alg) => `${alg}: ${COUNTS[alg].warmUp} warm-up, n1 ${COUNTS[alg].n1}, n2 ${COUNTS[alg].n2}`).join('; ')}).`,
      `Simulated caches: ${caches.join('; ')} (the LL is this host's whole L3: a token's work never misses it, so only L1 misses are shown). V8's compiler and garbage collector still land in some windows: repeated runs move a contender's instructions by up to ~10%.`,
      '',
      table(results),
      '',
      differences(results),
    ].join('\n');
    console.log(`\n${markdown}`);
    writeSection('cachegrind', markdown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6]));
else await main();
