// The browser half of `make bench`: headless Chromium (Debian's, through playwright-core)
// loads pkg/web.mjs and jose's WebCrypto build from a local server and measures tokens/s of
// verifyJwt (WebCrypto backend, and Rust for reference) against jose's jwtVerify, with
// WebCrypto's signature-only rate as the ceiling. The table replaces the "chromium" section
// of bench/results.md (bench/results.mjs), the others kept.
//
// Same method as bench/run.mjs: fixed op counts of about ROUND_MS, ROUNDS interleaved
// rounds, median.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { RESULTS, writeSection } from './results.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const JOSE_CANDIDATES = ['node_modules/jose/dist/webapi/index.js', 'node_modules/jose/dist/browser/index.js'];
const ALGS = ['RS256', 'ES256', 'EdDSA', 'HS256'];

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

// The page's code: everything in the browser, results returned as JSON.
const PAGE_SCRIPT = String.raw`
import * as pkg from '/pkg/web.mjs';
import * as jose from '__JOSE__';

const ROUNDS = 7;
const ROUND_MS = 80;
const BATCH = 100;
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';

async function fixture(alg) {
  const kid = alg.toLowerCase() + '-1';
  let privateKey;
  let jwk;
  if (alg === 'HS256') {
    privateKey = await jose.generateSecret('HS256', { extractable: true });
    jwk = await jose.exportJWK(privateKey);
  } else {
    const pair = await jose.generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    privateKey = pair.privateKey;
    jwk = await jose.exportJWK(pair.publicKey);
  }
  delete jwk.ext;
  delete jwk.key_ops;
  Object.assign(jwk, { kid, alg, use: 'sig' });
  const now = Math.floor(Date.now() / 1000);
  const token = await new jose.SignJWT({ sub: 'user-123', scope: 'read:messages write:messages', client_id: 'bench-client', jti: 'b6f3a2e0-6f7e-4a7e-9c1d-1d6c8d0f2a11' })
    .setProtectedHeader({ alg, kid, typ: 'JWT' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt(now).setExpirationTime(now + 3600)
    .sign(privateKey);
  return { alg, jwk, token };
}

const b64 = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

function contenders(fx) {
  const { alg, jwk, token } = fx;
  const options = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };
  const keys = pkg.parseJwks({ keys: [jwk] }, { allowPrivate: alg === 'HS256' });
  const ours = (backend, kind) => ({ backend, kind, op: () => pkg.verifyJwt(token, keys, options) });
  let joseKey;
  const joseOp = () => jose.jwtVerify(token, joseKey, options);
  const dot = token.lastIndexOf('.');
  const data = new TextEncoder().encode(token.slice(0, dot));
  const signature = b64(token.slice(dot + 1));
  const params = { RS256: { name: 'RSASSA-PKCS1-v1_5' }, ES256: { name: 'ECDSA', hash: 'SHA-256' }, EdDSA: { name: 'Ed25519' }, HS256: { name: 'HMAC' } }[alg];
  const importParams = { RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, ES256: { name: 'ECDSA', namedCurve: 'P-256' }, EdDSA: { name: 'Ed25519' }, HS256: { name: 'HMAC', hash: 'SHA-256' } }[alg];
  let subtleKey;
  return [
    { id: 'ceiling', name: 'WebCrypto subtle.verify only, awaited each (ceiling)', kind: 'async', op: () => crypto.subtle.verify(params, subtleKey, signature, data),
      init: async () => { subtleKey = await crypto.subtle.importKey('jwk', { ...jwk, alg: undefined, use: undefined, kid: undefined }, importParams, false, ['verify']); } },
    { id: 'async-webcrypto', name: 'jwks-verify verifyJwt (webcrypto), awaited each', ...ours('webcrypto', 'async') },
    { id: 'batch-webcrypto', name: 'jwks-verify verifyJwt (webcrypto), batches of ' + BATCH, ...ours('webcrypto', 'batch') },
    { id: 'async-rust', name: 'jwks-verify verifyJwt (rust), awaited each', ...ours('rust', 'async') },
    { id: 'sync-rust', name: 'jwks-verify verifyJwtSync (rust)', backend: 'rust', kind: 'sync', op: () => pkg.verifyJwtSync(token, keys, options) },
    { id: 'jose', name: 'jose 6 jwtVerify, awaited each', kind: 'async', op: joseOp, init: async () => { joseKey = await jose.importJWK(jwk, alg); } },
    { id: 'jose-batch', name: 'jose 6 jwtVerify, batches of ' + BATCH, kind: 'batch', op: joseOp, init: async () => { joseKey = await jose.importJWK(jwk, alg); } },
  ];
}

function runner({ kind, op, backend }) {
  const use = () => { if (backend) pkg.setBackend(backend); };
  if (kind === 'sync') return async (n) => { use(); for (let i = 0; i < n; i++) op(); };
  if (kind === 'async') return async (n) => { use(); for (let i = 0; i < n; i++) await op(); };
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
  const start = performance.now();
  await run(n);
  return (performance.now() - start) / 1000;
}

async function calibrate(run, kind) {
  let n = kind === 'batch' ? BATCH : 1;
  for (;;) {
    const seconds = await timed(run, n);
    if (seconds * 1000 >= ROUND_MS / 4) {
      const wanted = Math.ceil((n * ROUND_MS) / (seconds * 1000));
      return kind === 'batch' ? Math.max(BATCH, Math.ceil(wanted / BATCH) * BATCH) : Math.max(1, wanted);
    }
    n *= 4;
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

window.runBench = async (algs) => {
  await pkg.ready();
  const out = { userAgent: navigator.userAgent, backend: pkg.getBackend(), results: {} };
  for (const alg of algs) {
    const fx = await fixture(alg);
    const entries = [];
    for (const c of contenders(fx)) {
      await c.init?.();
      if (c.backend) pkg.setBackend(c.backend);
      const first = await c.op();
      const ok = c.id === 'ceiling' ? first === true : first?.payload?.sub === 'user-123';
      if (!ok) throw new Error(c.name + ' did not verify the ' + alg + ' token');
      const run = runner(c);
      await run(c.kind === 'batch' ? BATCH : 10);
      entries.push({ c, run, n: await calibrate(run, c.kind), rates: [] });
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const e of entries) e.rates.push(e.n / (await timed(e.run, e.n)));
    }
    pkg.setBackend('auto');
    out.results[alg] = Object.fromEntries(entries.map((e) => [e.c.id, { name: e.c.name, rate: Math.round(median(e.rates)) }]));
  }
  return out;
};
window.benchReady = true;
`;

function joseBrowserBuild() {
  const found = JOSE_CANDIDATES.find((path) => existsSync(new URL(`../${path}`, import.meta.url)));
  if (!found) throw new Error(`no jose browser build at ${JOSE_CANDIDATES.join(' or ')}`);
  return `/${found}`;
}

function serve() {
  const pageScript = PAGE_SCRIPT.replace('__JOSE__', joseBrowserBuild());
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    if (path === '/' || path === '/bench.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><meta charset="utf-8"><title>jwks-verify bench</title><script type="module" src="/bench-page.mjs"></script>');
      return;
    }
    if (path === '/bench-page.mjs') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(pageScript);
      return;
    }
    const file = normalize(ROOT + path);
    if (!file.startsWith(ROOT) || file.includes(`${sep}..${sep}`)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const fmt = (n) => (n === undefined ? 'n/a' : n.toLocaleString('en-US'));
const ratio = (a, b) => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`);

function report(run, startedAt, seconds) {
  const ids = Object.keys(run.results[ALGS[0]]);
  const header = `| contender | ${ALGS.join(' | ')} |\n|---|${ALGS.map(() => '---:').join('|')}|`;
  const rate = (alg, id) => run.results[alg][id]?.rate;
  const rows = ids.map((id) => `| ${run.results[ALGS[0]][id].name} | ${ALGS.map((alg) => fmt(rate(alg, id))).join(' | ')} |`);
  const ratios = ids.filter((id) => id !== 'jose').map((id) => `| ${run.results[ALGS[0]][id].name} | ${ALGS.map((alg) => ratio(rate(alg, id), rate(alg, 'jose'))).join(' | ')} |`);
  const targets = ALGS.map((alg) => {
    const met = rate(alg, 'async-webcrypto') >= rate(alg, 'jose');
    return `- ${met ? 'met' : '**missed**'}: ${alg} verifyJwt >= jose awaited each (${ratio(rate(alg, 'async-webcrypto'), rate(alg, 'jose'))})`;
  });
  return [
    '## Chromium',
    '',
    `Measured ${startedAt.toISOString()} by bench/browser.mjs (${seconds.toFixed(0)} s): ${run.userAgent}; default backends ${JSON.stringify({ sync: run.backend.sync, async: run.backend.async })}.`,
    'pkg/web.mjs and jose\'s WebCrypto build served from 127.0.0.1; keys made and tokens signed in the page by jose; same claims, options and method as the Node run.',
    '',
    '### Tokens per second (median of rounds)',
    '',
    header,
    ...rows,
    '',
    '### Ratio to jose (awaited each)',
    '',
    header,
    ...ratios,
    '',
    '### Target (issue 3): in Chromium at least as fast as jose',
    '',
    ...targets,
    '',
  ].join('\n');
}

async function main() {
  const startedAt = new Date();
  const started = performance.now();
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err));
    await page.goto(`http://127.0.0.1:${server.address().port}/bench.html`);
    await page.waitForFunction(() => window.benchReady === true || window.benchFailed, null, { timeout: 30_000 }).catch((err) => {
      throw new Error(`the bench page did not load: ${errors.map(String).join('; ') || err.message}`);
    });
    const run = await page.evaluate((algs) => window.runBench(algs), ALGS);
    const section = report(run, startedAt, (performance.now() - started) / 1000);
    writeSection('chromium', section);
    console.log(section);
    console.log(`written to section "chromium" of ${fileURLToPath(RESULTS)}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
