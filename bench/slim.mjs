// Cold start in Chromium (issue 13): a fresh page (new browser context, empty cache) loads an
// esbuild bundle and verifies one ES256 and one RS256 token; the figure is
// `performance.now()` when both are verified (time since navigation start), median of
// ROUNDS interleaved runs, for jwks-verify (`jwks-verify/esbuild`: protocol module only,
// WebCrypto does the signatures), for `jwks-verify/verify-only` (the verify-only module), for the
// same verify-only page with `<link rel="preload">` of its module in the HTML (the README's
// recipe: the browser fetches the module while app.js loads, and the glue's fetch() takes the
// preloaded response) and for jose (createLocalJWKSet + jwtVerify). Every page must request each
// .wasm once (the server counts; a preload the glue did not take would be a second request), and
// the preload page's module must come from the <link> (its resource timing entry). The page's
// downloads are recorded with their gzip -9 size. Writes the "wasm-size" section of
// bench/results.md (the shipped modules' sizes now, then bench/size-breakdown.md: where the
// bytes were, measured once with twiggy) and its "cold-start-chromium" section.

import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadavg } from 'node:os';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { writeSection } from './results.mjs';
import { twoAlgorithmFixtures } from './fixtures.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench/tmp/slim');
const ROUNDS = Number(process.env.SLIM_ROUNDS ?? 7);
const DONE = '__jwks_verify_bench_done';
// A page's steps, each the time (from navigation start) its mark was set: the bundle's
// modules evaluated, the wasm module loaded (ours), the keys read, both tokens verified.
const PHASES = [['evaluated', 'app.js evaluated'], ['loaded', 'ready() resolved'], ['keys', 'keys read'], ['done', 'both verified']];
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

// Our page, importing from the package entry `entry`; `ready({ sync: false })` loads the module
// `entry` holds alone (verifyJwt uses WebCrypto).
// `mark(name)`: the time a step ended (see PHASES); `done()`: both tokens verified. The page
// says so on the console: the harness reads nothing from it before then (see main()).
const mark = (name) => `performance.mark(${JSON.stringify(name)});`;
const done = `globalThis.__done = performance.now(); console.log(${JSON.stringify(DONE)});`;
const ourApp = (entry) => `import { ready, parseJwks, verifyJwt } from ${JSON.stringify(join(ROOT, entry))};
import fixtures from './fixtures.json';
${mark('evaluated')}
await ready({ sync: false });
${mark('loaded')}
const keys = parseJwks(fixtures.jwks);
${mark('keys')}
for (const token of fixtures.tokens) await verifyJwt(token, keys);
${done}`;

const APPS = {
  'jwks-verify': ourApp('pkg/esbuild.mjs'),
  'jwks-verify/verify-only': ourApp('pkg/verify-only-esbuild.mjs'),
  'jwks-verify/verify-only+preload': ourApp('pkg/verify-only-esbuild.mjs'),
  jose: `import { createLocalJWKSet, jwtVerify } from 'jose';
import fixtures from './fixtures.json';
${mark('evaluated')}
const keys = createLocalJWKSet(fixtures.jwks);
${mark('keys')}
for (const token of fixtures.tokens) await jwtVerify(token, keys);
${done}`,
};

// The page whose HTML preloads the module its ready({ sync: false }) fetches.
const PRELOADED = { 'jwks-verify/verify-only+preload': 'jwks_verify_verify_only_bg' };

async function bundle(name, source) {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'app.mjs'), source);
  writeFileSync(join(dir, 'fixtures.json'), JSON.stringify(await FIXTURES));
  const { metafile } = await build({
    entryPoints: [join(dir, 'app.mjs')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true,
    outdir: dir, loader: { '.wasm': 'file' }, nodePaths: [join(ROOT, 'node_modules')], logLevel: 'error', metafile: true,
  });
  let head = '';
  if (PRELOADED[name]) {
    // As the README's build script finds it: the output esbuild named after the module.
    const wasm = Object.keys(metafile.outputs).map((f) => f.split('/').pop()).filter((f) => f.startsWith(`${PRELOADED[name]}-`) && f.endsWith('.wasm'));
    if (wasm.length !== 1) throw new Error(`${name}: expected one ${PRELOADED[name]} output, got ${wasm.join(', ')}`);
    head = `<link rel="preload" href="./${wasm[0]}" as="fetch" type="application/wasm" crossorigin>`;
  }
  writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8">${head}<script type="module" src="./app.js"></script>\n`);
}

const TYPES = { js: 'text/javascript', wasm: 'application/wasm', html: 'text/html', json: 'application/json' };

// Requests per path since the last clear (one page load at a time).
const hits = new Map();

function serve() {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      const pathname = new URL(req.url, 'http://x').pathname;
      hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
      const path = normalize(join(OUT, decodeURIComponent(pathname)));
      if (!path.startsWith(OUT + sep)) return res.writeHead(403).end();
      try {
        const body = readFileSync(path);
        res.writeHead(200, { 'content-type': TYPES[path.split('.').pop()] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const FIXTURES = twoAlgorithmFixtures();

async function main() {
  const started = Date.now();
  const loadAtStart = loadavg()[0];
  for (const [name, source] of Object.entries(APPS)) await bundle(name, source);
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const times = Object.fromEntries(Object.keys(APPS).map((n) => [n, []]));
  const steps = Object.fromEntries(Object.keys(APPS).map((n) => [n, []]));
  // When the page had the whole .wasm (its resource timing responseEnd, from navigation start).
  const wasmAt = Object.fromEntries(Object.keys(APPS).map((n) => [n, []]));
  const downloads = {};
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(APPS)) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const fetched = [];
        page.on('response', (response) => fetched.push(new URL(response.url()).pathname));
        const errors = [];
        page.on('pageerror', (err) => errors.push(err.message));
        hits.clear();
        // The page signals on the console. Playwright's own evaluation (waitForFunction,
        // evaluate) would inject its script into the page, and V8 parses it on the page's
        // main thread: ~10 ms that fell into the load of whichever page was still loading
        // (ours, waiting for its .wasm; jose had finished), so nothing is evaluated until done.
        const finished = new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${name}: not done in 30 s ${errors.join('; ')}`)), 30_000);
          page.on('console', (message) => {
            if (message.text() === DONE) resolve(clearTimeout(timer));
          });
          page.on('pageerror', (err) => reject(new Error(`${name}: ${err.message}`)));
        });
        await page.goto(`${base}/${name}/index.html`, { waitUntil: 'commit' });
        await finished;
        times[name].push(await page.evaluate(() => globalThis.__done));
        const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
        steps[name].push({ ...marks, done: times[name].at(-1) });
        const wasmEnd = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).map((e) => e.responseEnd));
        if (wasmEnd.length) wasmAt[name].push(Math.max(...wasmEnd));
        const wasmHits = [...hits].filter(([path]) => path.endsWith('.wasm'));
        if (wasmHits.some(([, count]) => count !== 1)) throw new Error(`${name}: a .wasm requested more than once: ${JSON.stringify(wasmHits)}`);
        if (PRELOADED[name]) {
          const initiators = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).map((e) => e.initiatorType));
          if (wasmHits.length !== 1 || initiators.join() !== 'link') throw new Error(`${name}: the module did not come from the preload: ${JSON.stringify({ wasmHits, initiators })}`);
        }
        downloads[name] = fetched;
        await context.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const size = (path) => {
    const body = readFileSync(join(OUT, path));
    return { raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
  };
  const lines = [
    '## Cold start in Chromium',
    '',
    `Measured ${new Date().toISOString()} by bench/slim.mjs (${Math.round((Date.now() - started) / 1000)} s, 1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end): a fresh browser context loads an esbuild bundle (minified) from a loopback server and verifies one ES256 and one RS256 token (2048-bit); the time is \`performance.now()\` when both are verified (from navigation start), median of ${ROUNDS} interleaved runs. The page says it is done on the console; the harness evaluates nothing in it before (Playwright's injected script, parsed on the page's main thread, used to fall into the load of a page still waiting for its .wasm: ~10 ms of our figure in the runs recorded before 2026-12-01 07:13 UTC). \`+preload\`: the same verify-only page with \`<link rel="preload" href="./jwks_verify_verify_only_bg-HASH.wasm" as="fetch" type="application/wasm" crossorigin>\` in its HTML (README, "Verifying only"); in every run of every page each .wasm was requested once, and the preloaded module came from the \`<link>\` (resource timing \`initiatorType\`).`,
    '',
    '| library | fresh page load to first verified tokens | ÷ jose | .wasm received | downloads (raw / gzip -9) |',
    '|---|---:|---:|---:|---|',
  ];
  for (const name of Object.keys(APPS)) {
    const files = downloads[name].filter((p) => !p.endsWith('.html')).map((p) => {
      const { raw, gzip } = size(p.slice(1));
      return `${p.split('/').pop()}: ${raw.toLocaleString('en')} / ${gzip.toLocaleString('en')}`;
    });
    const received = wasmAt[name].length ? `${median(wasmAt[name]).toFixed(1)} ms` : '';
    lines.push(`| ${name} | ${median(times[name]).toFixed(1)} ms | ${(median(times[name]) / median(times.jose)).toFixed(2)}x | ${received} | ${files.join('; ')} |`);
  }
  // The preload's effect within each round (the two pages run back to back), less noisy than
  // the difference of the medians on this shared machine.
  const paired = times['jwks-verify/verify-only'].map((t, i) => t - times['jwks-verify/verify-only+preload'][i]);
  lines.push('', `The preload's gain, median of the ${ROUNDS} per-round differences (verify-only − verify-only+preload): ${median(paired).toFixed(1)} ms; .wasm received ${median(wasmAt['jwks-verify/verify-only'].map((t, i) => t - wasmAt['jwks-verify/verify-only+preload'][i])).toFixed(1)} ms earlier. ".wasm received": the module's \`responseEnd\` (resource timing, from navigation start), median.`);
  // Where each page's time went: the median time each step ended and, in brackets, the median
  // of the step's own duration (from the step before it, within each run).
  lines.push('', 'Step by step (median ms from navigation start; in brackets the median of the step itself):', '',
    `| library | ${PHASES.map(([, label]) => label).join(' | ')} |`, `|---|${PHASES.map(() => '---:').join('|')}|`);
  for (const name of Object.keys(APPS)) {
    const cells = PHASES.map(([key], i) => {
      const runs = steps[name].filter((run) => run[key] !== undefined);
      if (runs.length === 0) return '';
      const before = (run) => PHASES.slice(0, i).map(([k]) => run[k]).filter((t) => t !== undefined).at(-1) ?? 0;
      return `${median(runs.map((run) => run[key])).toFixed(1)} (${median(runs.map((run) => run[key] - before(run))).toFixed(1)})`;
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  const sizes = [
    '## Wasm size (issue 13)',
    '',
    'The shipped modules now (pkg/gen, after wasm-bindgen and wasm-opt):',
    '',
    '| module | raw | gzip -9 |',
    '|---|---:|---:|',
  ];
  for (const name of ['jwks_verify_bg.wasm', 'jwks_verify_verify_only_bg.wasm', 'jwks_verify_signature_bg.wasm']) {
    const body = readFileSync(join(ROOT, 'pkg/gen', name));
    sizes.push(`| ${name} | ${body.length.toLocaleString('en')} | ${gzipSync(body, { level: 9 }).length.toLocaleString('en')} |`);
  }
  sizes.push('', readFileSync(join(ROOT, 'bench/size-breakdown.md'), 'utf8').trimEnd());
  for (const [name, section] of [['wasm-size', sizes], ['cold-start-chromium', lines]]) {
    console.log(`${section.join('\n')}\n`);
    writeSection(name, section.join('\n'));
  }
}

await main();
