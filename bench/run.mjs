// `make bench`: tokens/s of this package against jose 6, fast-jwt and jsonwebtoken on the same
// tokens, in one Node process, plus node:crypto's signature-only rate as the ceiling; cold
// start and the gzipped .wasm size. Prints the tables and writes them as the "node" section of
// bench/results.md (bench/results.mjs; the other scripts write the other sections).
//
// Method: for each algorithm every contender is calibrated to a fixed op count of about
// ROUND_SECONDS, then ROUNDS rounds run interleaved (contender A, B, C, ..., A, B, ...) so that
// load from elsewhere on the machine spreads over all of them; the figure is the median round.

import { spawnSync } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as jose from 'jose';
import { createVerifier } from 'fast-jwt';
import jsonwebtoken from 'jsonwebtoken';
import * as pkg from '../pkg/node.mjs';
import { generateKeyPairSync } from '../tests/js/support/keypair.mjs';
import { RESULTS, writeSection } from './results.mjs';

const ROUNDS = 9;
const ROUND_SECONDS = 0.25;
const BATCH = 100;
const ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'];
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';
const WASM = new URL('../pkg/gen/jwks_verify_bg.wasm', import.meta.url);

// --- fixtures: one key and one token per algorithm, shared by every contender -------------

function keyPair(alg) {
  if (alg === 'HS256') {
    const secret = nodeCrypto.randomBytes(32);
    return { privateKey: nodeCrypto.createSecretKey(secret), secret };
  }
  if (alg.startsWith('RS') || alg.startsWith('PS')) return generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return generateKeyPairSync('ed25519');
}

async function fixture(alg) {
  const pair = keyPair(alg);
  const kid = `${alg.toLowerCase()}-1`;
  const jwk = pair.secret
    ? { kty: 'oct', k: pair.secret.toString('base64url') }
    : pair.publicKey.export({ format: 'jwk' });
  Object.assign(jwk, { kid, alg, use: 'sig' });
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'user-123', scope: 'read:messages write:messages', client_id: 'bench-client', jti: 'b6f3a2e0-6f7e-4a7e-9c1d-1d6c8d0f2a11' };
  const token = await new jose.SignJWT(claims)
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(pair.privateKey);
  return { alg, kid, jwk, token, pair };
}

// --- contenders ---------------------------------------------------------------------------

function signatureOnly({ alg, token, pair }) {
  const dot = token.lastIndexOf('.');
  const data = Buffer.from(token.slice(0, dot));
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  if (alg === 'HS256') {
    const key = pair.privateKey;
    return () => nodeCrypto.timingSafeEqual(nodeCrypto.createHmac('sha256', key).update(data).digest(), signature);
  }
  const key = alg === 'PS256'
    ? { key: pair.publicKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
    : alg === 'ES256' ? { key: pair.publicKey, dsaEncoding: 'ieee-p1363' } : pair.publicKey;
  const hash = alg === 'EdDSA' ? null : 'sha256';
  return () => nodeCrypto.verify(hash, data, key, signature);
}

// Each contender: { name, kind: 'sync' | 'async' | 'batch', setup(fx) -> op | null }.
// A sync op returns the verified result; an async op a Promise of it.
const CONTENDERS = [
  { name: 'node:crypto signature only (ceiling)', id: 'ceiling', kind: 'sync', setup: signatureOnly },
  ...['node', 'rust'].flatMap((backend) => [
    { name: `jwks-verify verifyJwtSync (${backend})`, id: `sync-${backend}`, kind: 'sync', backend, setup: ours('sync') },
    { name: `jwks-verify verifyJwt (${backend}), awaited each`, id: `async-${backend}`, kind: 'async', backend, setup: ours('async') },
  ]),
  { name: 'jwks-verify createVerifier(...).verifySync (node)', id: 'verifier-node', kind: 'sync', backend: 'node', setup: ours('verifier') },
  { name: 'jwks-verify verifyJwt (webcrypto), awaited each', id: 'async-webcrypto', kind: 'async', backend: 'webcrypto', setup: ours('async') },
  { name: `jwks-verify verifyJwt (node), batches of ${BATCH}`, id: 'batch-node', kind: 'batch', backend: 'node', setup: ours('async') },
  { name: 'jose 6 jwtVerify, awaited each', id: 'jose', kind: 'async', setup: joseVerify },
  { name: `jose 6 jwtVerify, batches of ${BATCH}`, id: 'jose-batch', kind: 'batch', setup: joseVerify },
  { name: 'fast-jwt createVerifier', id: 'fast-jwt', kind: 'sync', setup: fastJwt },
  { name: 'jsonwebtoken verify (KeyObject)', id: 'jsonwebtoken', kind: 'sync', setup: jsonWebToken },
];

function ours(mode) {
  return ({ alg, jwk, token }) => {
    const keys = pkg.parseJwks({ keys: [jwk] }, { allowPrivate: alg === 'HS256' });
    const options = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };
    if (mode === 'verifier') {
      const verifier = pkg.createVerifier(keys, options);
      return () => verifier.verifySync(token);
    }
    return mode === 'sync' ? () => pkg.verifyJwtSync(token, keys, options) : () => pkg.verifyJwt(token, keys, options);
  };
}

function joseVerify({ alg, jwk, token }) {
  let key;
  const options = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };
  const op = () => jose.jwtVerify(token, key, options);
  op.init = async () => {
    key = await jose.importJWK(jwk, alg);
  };
  return op;
}

function fastJwt({ alg, token, pair }) {
  const key = pair.secret ?? pair.publicKey.export({ type: 'spki', format: 'pem' });
  const verify = createVerifier({ key, algorithms: [alg], allowedIss: ISSUER, allowedAud: AUDIENCE });
  return () => verify(token);
}

function jsonWebToken({ alg, token, pair }) {
  if (alg === 'EdDSA') return null; // jsonwebtoken 9 has no EdDSA
  const key = pair.secret ?? pair.publicKey;
  const options = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };
  return () => jsonwebtoken.verify(token, key, options);
}

// --- measuring ----------------------------------------------------------------------------

function runner(contender, op) {
  const { kind, backend } = contender;
  const use = () => {
    if (backend) pkg.setBackend(backend);
  };
  if (kind === 'sync') {
    return async (n) => {
      use();
      for (let i = 0; i < n; i++) op();
    };
  }
  if (kind === 'async') {
    return async (n) => {
      use();
      for (let i = 0; i < n; i++) await op();
    };
  }
  return async (n) => {
    use();
    for (let done = 0; done < n; done += BATCH) {
      const batch = new Array(BATCH);
      for (let i = 0; i < BATCH; i++) batch[i] = op();
      await Promise.all(batch);
    }
  };
}

async function timed(run, n) {
  const start = process.hrtime.bigint();
  await run(n);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// Op count for one round of about ROUND_SECONDS (a multiple of BATCH for batches).
async function calibrate(run, kind) {
  let n = kind === 'batch' ? BATCH : 1;
  for (;;) {
    const seconds = await timed(run, n);
    if (seconds >= ROUND_SECONDS / 4) {
      const wanted = Math.ceil((n * ROUND_SECONDS) / seconds);
      return kind === 'batch' ? Math.max(BATCH, Math.ceil(wanted / BATCH) * BATCH) : Math.max(1, wanted);
    }
    n *= 4;
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
};

async function checkResult(contender, op, fx) {
  const result = await op();
  const payload = result?.payload ?? result;
  const ok = contender.id === 'ceiling' ? result === true : payload?.sub === 'user-123';
  if (!ok) throw new Error(`${contender.name} did not verify the ${fx.alg} token: ${JSON.stringify(result)}`);
}

async function measureAlg(fx) {
  const entries = [];
  for (const contender of CONTENDERS) {
    const op = contender.setup(fx);
    if (op === null) continue;
    await op.init?.();
    const run = runner(contender, op);
    if (contender.backend) pkg.setBackend(contender.backend);
    await checkResult(contender, op, fx);
    await run(contender.kind === 'batch' ? BATCH : 20); // warm up
    entries.push({ contender, run, n: await calibrate(run, contender.kind), rates: [] });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const entry of entries) entry.rates.push(entry.n / (await timed(entry.run, entry.n)));
  }
  pkg.setBackend('auto');
  return new Map(entries.map((entry) => [entry.contender.id, Math.round(median(entry.rates))]));
}

// --- cold start ---------------------------------------------------------------------------

const COLD_RUNS = 11;

function coldScript(which) {
  // What `import 'jwks-verify'` resolves to in Node (pkg/package.json exports), as for jose.
  const pkgUrl = new URL('../pkg/node.bundle.mjs', import.meta.url).href;
  if (which === 'jwks-verify') {
    return `const t0 = performance.now();
const m = await import(${JSON.stringify(pkgUrl)});
const { token, jwk } = JSON.parse(process.env.BENCH_FIXTURE);
m.verifyJwtSync(token, { keys: [jwk] });
console.log(performance.now() - t0);`;
  }
  return `const t0 = performance.now();
const jose = await import('jose');
const { token, jwk } = JSON.parse(process.env.BENCH_FIXTURE);
await jose.jwtVerify(token, await jose.importJWK(jwk, jwk.alg));
console.log(performance.now() - t0);`;
}

function coldStart(fx) {
  const out = {};
  const env = { ...process.env, BENCH_FIXTURE: JSON.stringify({ token: fx.token, jwk: fx.jwk }) };
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  for (const which of ['jwks-verify', 'jose']) {
    const script = coldScript(which);
    const inProcess = [];
    const wall = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const start = process.hrtime.bigint();
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, cwd, encoding: 'utf8' });
      wall.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (child.status !== 0) throw new Error(`cold start of ${which} failed: ${child.stderr}`);
      inProcess.push(Number(child.stdout.trim()));
    }
    out[which] = { inProcess: median(inProcess), wall: median(wall) };
  }
  return out;
}

// --- report -------------------------------------------------------------------------------

const fmt = (n) => (n === undefined ? 'n/a' : n.toLocaleString('en-US'));
const ratio = (a, b) => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`);

function tables(results) {
  const header = `| contender | ${ALGS.join(' | ')} |\n|---|${ALGS.map(() => '---:').join('|')}|`;
  const rows = CONTENDERS.map((c) => `| ${c.name} | ${ALGS.map((alg) => fmt(results.get(alg).get(c.id))).join(' | ')} |`);
  const ratioRows = CONTENDERS.filter((c) => c.id !== 'ceiling').map((c) => {
    const cells = ALGS.map((alg) => {
      const r = results.get(alg);
      return `${ratio(r.get(c.id), r.get('jose'))} / ${ratio(r.get(c.id), r.get('fast-jwt'))}`;
    });
    return `| ${c.name} | ${cells.join(' | ')} |`;
  });
  const ceilingRows = ['sync-node', 'verifier-node', 'async-node', 'fast-jwt'].map((id) => {
    const c = CONTENDERS.find((x) => x.id === id);
    return `| ${c.name} | ${ALGS.map((alg) => ratio(results.get(alg).get(id), results.get(alg).get('ceiling'))).join(' | ')} |`;
  });
  return [
    '### Tokens per second (median of rounds)',
    '',
    header,
    ...rows,
    '',
    '### Ratio to jose (awaited each) / to fast-jwt',
    '',
    header,
    ...ratioRows,
    '',
    '### Share of the node:crypto signature-only rate',
    '',
    header,
    ...ceilingRows,
  ].join('\n');
}

// The targets of issue 11 ("One boundary"), checked on this run's figures.
function targets(results) {
  const lines = [];
  const check = (label, pass) => lines.push(`- ${pass ? 'met' : '**missed**'}: ${label}`);
  for (const alg of ALGS) {
    const r = results.get(alg);
    check(`${alg} verifyJwtSync >= 1.0x fast-jwt (${ratio(r.get('sync-node'), r.get('fast-jwt'))}; createVerifier().verifySync ${ratio(r.get('verifier-node'), r.get('fast-jwt'))})`, r.get('sync-node') >= r.get('fast-jwt'));
  }
  const rs = results.get('RS256');
  check(`RS256 verifyJwtSync >= 90% of node:crypto signature only (${ratio(rs.get('sync-node'), rs.get('ceiling'))})`, rs.get('sync-node') >= 0.9 * rs.get('ceiling'));
  for (const alg of ALGS) {
    const r = results.get(alg);
    check(`${alg} verifyJwt awaited each >= 90% of verifyJwtSync (${ratio(r.get('async-node'), r.get('sync-node'))})`, r.get('async-node') >= 0.9 * r.get('sync-node'));
  }
  return lines.join('\n');
}

async function main() {
  const startedAt = new Date();
  const started = process.hrtime.bigint();
  const fixtures = [];
  for (const alg of ALGS) fixtures.push(await fixture(alg));
  const results = new Map();
  for (const fx of fixtures) {
    process.stdout.write(`measuring ${fx.alg} ...`);
    results.set(fx.alg, await measureAlg(fx));
    process.stdout.write(' done\n');
  }
  const cold = coldStart(fixtures.find((fx) => fx.alg === 'ES256'));
  const wasm = readFileSync(WASM);
  const gzipped = gzipSync(wasm, { level: 9 }).length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const machine = `${os.cpus()[0].model}, ${os.cpus().length} cores, ${os.platform()} ${os.release()}, Node ${process.version}`;
  const report = [
    `Measured ${startedAt.toISOString()} by \`make bench\` (bench/run.mjs, ${seconds.toFixed(0)} s) on ${machine}; load average before the run ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
    `Versions: jose ${version('jose')}, fast-jwt ${version('fast-jwt')}, jsonwebtoken ${version('jsonwebtoken')}.`,
    `Each figure is the median of ${ROUNDS} interleaved rounds of a fixed op count (~${ROUND_SECONDS * 1000} ms each) on one token per algorithm`,
    '(header alg/kid/typ; claims iss, aud, sub, iat, exp, scope, client_id, jti), verified with the options algorithms + issuer + audience.',
    'Keys are parsed or imported once (jose: importJWK; fast-jwt: PEM in createVerifier; jsonwebtoken: KeyObject). RSA keys are 2048-bit.',
    '',
    '## Node',
    '',
    tables(results),
    '',
    '### Targets (issue 11, One boundary)',
    '',
    targets(results),
    '',
    '### Cold start and size',
    '',
    `Cold start: a fresh \`node\` process imports the module and verifies one ES256 token (median of ${COLD_RUNS}; in-process time from before the import to after the first verify, and the whole process's wall time):`,
    '',
    '| module | import + first verify | process wall time |',
    '|---|---:|---:|',
    `| jwks-verify (pkg/node.bundle.mjs, verifyJwtSync with a JWKS object) | ${cold['jwks-verify'].inProcess.toFixed(1)} ms | ${cold['jwks-verify'].wall.toFixed(0)} ms |`,
    `| jose 6 (importJWK + jwtVerify) | ${cold.jose.inProcess.toFixed(1)} ms | ${cold.jose.wall.toFixed(0)} ms |`,
    '',
    `pkg/gen/jwks_verify_bg.wasm: ${wasm.length.toLocaleString('en-US')} bytes, ${gzipped.toLocaleString('en-US')} bytes gzipped (zlib level 9) = ${(gzipped / 1024).toFixed(1)} KiB (target: under 200 KB).`,
    '',
  ].join('\n');
  writeSection('node', report);
  console.log(`\n${report}`);
  console.log(`written to section "node" of ${fileURLToPath(RESULTS)}`);
}

function version(name) {
  return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
}

await main();
