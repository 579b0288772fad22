// The npm package as users get it: `npm pack` pkg/, install the tarball into fresh projects,
// and run the same suite (suite.mjs) in Node ESM, Node CommonJS, headless Chromium (esbuild
// bundle), workerd (esbuild bundle with the workerd condition) and Deno, each verifying tokens
// jose minted for every algorithm and fetching one JWKS from a local server. Then the package
// gates (publint, attw, `npm publish --dry-run`), the TypeScript declarations (source tree
// and installed package), the installed CLI, and the README's code blocks run as written
// (readme.mjs). Run by `make test-package` (plain `node tests/package/run.mjs`).
//
// A tool that `make setup` could not install (its binary is missing) skips its test, saying so.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as jose from 'jose';
import { readmeTests } from './readme.mjs';
import {
  ALGORITHMS, NOW, isSymmetric, generateKey, keyRing, jwksOf, mint, tamperSignature,
} from '../js/helpers.mjs';
import { freePort, startWorkerd, workerConfig } from '../js/support/servers.mjs';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const PKG = join(ROOT, 'pkg');
const ENTRIES = join(HERE, 'entries');
const require = createRequire(import.meta.url);
const bin = (name) => join(ROOT, 'node_modules/.bin', name);
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';
const CLIENT_ID = 'client-1';
const TOKEN_ENDPOINT = 'https://as.example/token';
const WEBHOOK_BODY = '{"event":"ping","id":42}';
// A worker bundled from the default workerd entry: both wasm modules.
const WORKER_MODULES = ['worker.js', 'jwks_verify_bg.wasm', 'jwks_verify_signature_bg.wasm'];

// Files the tarball must hold (and nothing outside them but package.json / README.md).
const PACKED = [
  'package.json', 'README.md', 'node.mjs', 'node.bundle.mjs', 'node.cjs', 'web.mjs', 'workerd.mjs', 'deno.mjs', 'slim-workerd.mjs', 'slim-deno.mjs', 'slim.d.ts', 'cli.mjs',
  'index.d.ts', 'index.d.cts', 'gen/jwks_verify.js', 'gen/jwks_verify_bg.wasm', 'gen/jwks_verify_node_bg.wasm',
  'esbuild.mjs', 'esbuild.d.ts', 'signature.mjs', 'signature-workerd.mjs', 'signature-deno.mjs', 'signature.d.ts', 'signature.cjs', 'signature.d.cts',
  'gen/jwks_verify_signature.js', 'gen/jwks_verify_signature_bg.wasm',
  'redis.mjs', 'redis.cjs', 'redis.d.ts', 'redis.d.cts', 'edge.mjs', 'edge.cjs', 'edge.d.ts', 'edge.d.cts',
  ...['hono', 'express', 'fastify'].flatMap((sub) => [`${sub}.mjs`, `${sub}.cjs`, `${sub}.d.ts`, `${sub}.d.cts`]),
  'LICENSE-MIT', 'LICENSE-APACHE',
  'verify-only-web.mjs', 'verify-only-workerd.mjs', 'verify-only-deno.mjs', 'verify-only-esbuild.mjs', 'verify-only-node.mjs',
  'verify-only-node.cjs', 'verify-only-core.mjs', 'verify-only.d.ts', 'verify-only.d.cts', 'verify-only/esbuild.d.ts',
  'gen/jwks_verify_verify_only.js', 'gen/jwks_verify_verify_only_bg.wasm',
];
// The packed size is reported; past this something that should not ship has crept in.
const MAX_PACKED_BYTES = 2 * 1024 * 1024;

/** The binary of a tool, or undefined when `make setup` could not install it. */
function tool(name) {
  const path = bin(name);
  return existsSync(path) ? path : undefined;
}

function skipMissing(t, what, path) {
  if (path) return false;
  t.skip(`${what} is not installed (make setup could not install it)`);
  return true;
}

async function exec(file, args, options = {}) {
  try {
    return await run(file, args, { maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (err) {
    err.message += `\nstdout: ${err.stdout}\nstderr: ${err.stderr}`;
    throw err;
  }
}

// The last line of stdout that parses as JSON (runtimes may print notices first).
function lastJson(stdout) {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line);
    } catch {
      // not the report
    }
  }
  throw new Error(`no JSON report in:\n${stdout}`);
}

let work;
let tarball;
let packedFiles;
let packed;
let fixtures;
let server;
let baseUrl;
const jwksHits = new Map();
let remoteJwks;
let expectRemote;
const projects = {};

// --- fixtures ---------------------------------------------------------------------------

async function makeFixtures() {
  const ring = await keyRing();
  const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', iat: NOW - 10, exp: NOW + 600 };
  const publicJwks = jwksOf([...ring.values()].filter((key) => !isSymmetric(key.alg)));
  const cases = [];
  for (const alg of ALGORITHMS) {
    const key = ring.get(alg);
    const token = await mint(key, claims);
    cases.push(isSymmetric(alg) ? { alg, token, keys: jwksOf([key]), algorithms: [alg] } : { alg, token, keys: publicJwks });
  }
  const es256 = cases.find((c) => c.alg === 'ES256');

  const remoteKey = await generateKey('ES256', { kid: 'remote-key' });
  remoteJwks = jwksOf([remoteKey, ring.get('RS256')]);

  const clientKey = await generateKey('ES256', { kid: 'client-key' });
  const assertionToken = await mint(clientKey, {
    iss: CLIENT_ID, sub: CLIENT_ID, aud: TOKEN_ENDPOINT, iat: NOW, exp: NOW + 60, jti: 'assertion-1',
  });
  const bodyHash = createHash('sha256').update(WEBHOOK_BODY).digest('hex');
  const webhookToken = await mint(ring.get('ES256'), { iss: ISSUER, iat: NOW, request_body_sha256: bodyHash });
  // A DPoP proof (RFC 9449), and one for another URL.
  const holder = await jose.generateKeyPair('ES256', { extractable: true });
  const holderJwk = await jose.exportJWK(holder.publicKey);
  const prove = (htu) => new jose.SignJWT({ jti: 'proof-1', htm: 'POST', htu, iat: NOW })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: holderJwk }).sign(holder.privateKey);

  return {
    now: NOW,
    issuer: ISSUER,
    audience: AUDIENCE,
    publicJwks,
    cases,
    tampered: { ...es256, token: tamperSignature(es256.token) },
    remote: { token: await mint(remoteKey, claims), kid: 'remote-key' },
    assertion: { token: assertionToken, clientId: CLIENT_ID, audience: TOKEN_ENDPOINT, keys: jwksOf([clientKey]) },
    webhook: { token: webhookToken, body: WEBHOOK_BODY, keys: publicJwks },
    dpop: {
      proof: await prove(`${TOKEN_ENDPOINT}?x=1`), otherUrl: await prove('https://as.example/other'), url: TOKEN_ENDPOINT,
      jkt: await jose.calculateJwkThumbprint(holderJwk),
    },
  };
}

/** The fixtures for one runtime: its own JWKS path, so that its fetches are counted apart. */
function fixturesFor(runtime) {
  return { ...fixtures, remote: { ...fixtures.remote, url: `${baseUrl}/jwks/${runtime}.json` } };
}

// --- local server: JWKS per runtime, and the browser bundle ----------------------------

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };

function startServer() {
  server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const headers = { 'access-control-allow-origin': '*' };
    const jwks = /^\/jwks\/([a-z-]+)\.json$/.exec(path);
    if (jwks) {
      jwksHits.set(jwks[1], (jwksHits.get(jwks[1]) ?? 0) + 1);
      res.writeHead(200, { ...headers, 'content-type': 'application/jwk-set+json', 'cache-control': 'max-age=300' });
      res.end(JSON.stringify(remoteJwks));
      return;
    }
    if (path === '/browser/fixtures.json') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(fixturesFor('chromium')));
      return;
    }
    if (path.startsWith('/browser/') && projects.browser && !path.includes('..')) {
      try {
        const body = await readFile(join(projects.browser, 'out', path.slice('/browser/'.length)));
        res.writeHead(200, { ...headers, 'content-type': MIME[extname(path)] ?? 'application/octet-stream' });
        res.end(body);
        return;
      } catch {
        // fall through to 404
      }
    }
    res.writeHead(404, headers);
    res.end('not found');
  });
  return new Promise((done) => {
    server.listen(0, '127.0.0.1', () => {
      baseUrl = `http://127.0.0.1:${server.address().port}`;
      done();
    });
  });
}

// --- projects ---------------------------------------------------------------------------

/** A fresh project in `work/<name>` with the tarball installed and the given entry files. */
async function makeProject(name, { type = 'module', files = [] } = {}) {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: `consumer-${name}`, private: true, type }, null, 2)}\n`);
  await copyFile(join(HERE, 'suite.mjs'), join(dir, 'suite.mjs'));
  for (const file of files) await copyFile(join(ENTRIES, file), join(dir, file));
  await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball], { cwd: dir });
  return dir;
}

function assertReport(report, runtime) {
  assert.ok(report && !report.fatal, `${runtime}: ${report?.fatal ?? 'no report'}`);
  const failed = report.checks.filter((c) => !c.ok);
  assert.deepEqual(failed, [], `${runtime}: failed checks`);
  // Every check ran: 2 before/at load, ready, 2 per algorithm, 5 general, assertion, webhook,
  // and the remote fetch when the package has RemoteJwks.
  // + 10: suite.mjs optionChecks (7 entry points + 2 general checks) and the createVerifier check.
  // + 1: authenticateRequest / challengeResponse / verifyAccessToken.
  // + 1: verifyDpopProof.
  const expected = 3 + 2 * ALGORITHMS.length + 5 + 2 + 10 + 1 + 1 + (expectRemote ? 1 : 0);
  assert.equal(report.checks.length, expected, `${runtime}: ${report.checks.length} checks ran, expected ${expected}`);
  if (expectRemote) {
    assert.equal(report.remote, 'ran', `${runtime}: RemoteJwks step ${report.remote}`);
    assert.equal(jwksHits.get(runtime), 1, `${runtime}: the JWKS was fetched ${jwksHits.get(runtime) ?? 0} times, expected once`);
  }
}

// --- setup / teardown -------------------------------------------------------------------

before(async () => {
  for (const file of ['gen/jwks_verify.js', 'gen/jwks_verify_bg.wasm', 'gen/jwks_verify_node_bg.wasm', 'node.cjs', 'node.bundle.mjs', 'index.d.cts',
    'gen/jwks_verify_verify_only.js', 'gen/jwks_verify_verify_only_bg.wasm', 'verify-only-core.mjs', 'verify-only.d.cts']) {
    assert.ok(existsSync(join(PKG, file)), `pkg/${file} is missing: run make build first`);
  }
  expectRemote = typeof (await import(join(PKG, 'node.mjs'))).RemoteJwks === 'function';
  work = await mkdtemp(join(tmpdir(), 'jwks-verify-package-'));
  const [{ stdout }] = await Promise.all([
    exec('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], { cwd: PKG }),
    startServer(),
  ]);
  [packed] = JSON.parse(stdout);
  tarball = join(work, packed.filename);
  packedFiles = packed.files.map((f) => f.path).sort();
  fixtures = await makeFixtures();
  // Fresh projects, installed in parallel.
  const made = await Promise.all([
    makeProject('node-esm', { files: ['node-esm.mjs'] }),
    makeProject('node-cjs', { type: 'commonjs', files: ['node-cjs.cjs'] }),
    makeProject('browser', { files: ['browser.mjs'] }),
    makeProject('workerd', { files: ['worker.mjs'] }),
    makeProject('deno', { files: ['deno.mjs'] }),
    makeProject('types', { files: ['usage-cjs.cts'] }),
  ]);
  [projects.esm, projects.cjs, projects.browser, projects.workerd, projects.deno, projects.types] = made;
});

after(async () => {
  server?.close();
  if (work && !process.env.KEEP_PACKAGE_TEST_DIR) await rm(work, { recursive: true, force: true });
});

// --- the tarball ------------------------------------------------------------------------

test('npm pack: the tarball holds the runtime entries, the types, the CLI, lib/ and the wasm', () => {
  for (const file of PACKED) assert.ok(packedFiles.includes(file), `${file} is not in the tarball`);
  const lib = packedFiles.filter((f) => f.startsWith('lib/'));
  assert.ok(lib.includes('lib/api.js') && lib.every((f) => f.endsWith('.js')), `lib/: ${lib.join(', ')}`);
  const extra = packedFiles.filter((f) => !PACKED.includes(f) && !f.startsWith('lib/'));
  assert.deepEqual(extra, [], 'files in the tarball that no entry needs');
});

test('npm pack: no test, source-map, Rust or dotfile in the tarball; the licences are the repository\'s; size reported', async (t) => {
  const unwanted = packedFiles.filter((f) => /(^|\/)(tests?|__tests__|spec)(\/|$)|\.test\.|\.map$|\.rs$|(^|\/)\./.test(f));
  assert.deepEqual(unwanted, []);
  for (const file of ['LICENSE-MIT', 'LICENSE-APACHE']) {
    assert.equal(await readFile(join(PKG, file), 'utf8'), await readFile(join(ROOT, file), 'utf8'), `pkg/${file} is stale: run make build`);
  }
  t.diagnostic(`tarball ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${packed.entryCount} files`);
  assert.ok(packed.size < MAX_PACKED_BYTES, `the tarball is ${packed.size} bytes`);
});

test('npm publish --dry-run is clean: exit 0, no warning, the same files as npm pack', async (t) => {
  // A dry run still wants a login; a placeholder token in a throw-away npmrc satisfies that
  // check (nothing is sent). Any `npm warn` (e.g. "auto-corrected some errors in your
  // package.json", which once meant the `bin` entry would be dropped) fails the test.
  const npmrc = join(work, 'publish-dry-run.npmrc');
  await writeFile(npmrc, '//registry.npmjs.org/:_authToken=dry-run-placeholder\n');
  const { stdout, stderr } = await exec('npm', ['publish', '--dry-run', '--json', '--ignore-scripts', '--userconfig', npmrc],
    { cwd: PKG, env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false' } });
  const warnings = stderr.split('\n').filter((line) => /\bwarn/i.test(line));
  assert.deepEqual(warnings, [], 'npm publish --dry-run warned');
  const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
  const published = (report.files ?? report['jwks-verify']?.files ?? []).map((f) => f.path).sort();
  assert.deepEqual(published, packedFiles);
  t.diagnostic(`npm publish --dry-run: ${published.length} files, ${report.size ?? report['jwks-verify']?.size} bytes`);
});

test('index.d.cts is the same declarations as index.d.ts', async () => {
  const [esm, cjs] = await Promise.all([readFile(join(PKG, 'index.d.ts'), 'utf8'), readFile(join(PKG, 'index.d.cts'), 'utf8')]);
  assert.equal(cjs, esm, 'pkg/index.d.cts is stale: run make build');
});

test('lib/ has no static node: import (it is loaded in browsers)', async () => {
  const lib = packedFiles.filter((f) => f.startsWith('lib/') || f === 'web.mjs' || /^(slim-)?(workerd|deno)\.mjs$/.test(f) || /^verify-only-(web|workerd|deno|esbuild|core)\.mjs$/.test(f));
  for (const file of lib) {
    const text = await readFile(join(PKG, file), 'utf8');
    assert.doesNotMatch(text, /^\s*(?:import|export)\b[^;]*?['"]node:/m, `${file} imports a node: module`);
  }
});

test('publint passes on the tarball (strict)', async (t) => {
  if (skipMissing(t, 'publint', tool('publint'))) return;
  const { publint } = await import('publint');
  const { formatMessage } = await import('publint/utils');
  const bytes = await readFile(tarball);
  const tarballBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball: tarballBuffer }, strict: true, level: 'suggestion' });
  assert.deepEqual(messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false })}`), []);
});

test('@arethetypeswrong/cli passes on the tarball (every resolution mode)', async (t) => {
  const attw = tool('attw');
  if (skipMissing(t, '@arethetypeswrong/cli', attw)) return;
  const { stdout } = await exec(attw, [tarball, '--format', 'json', '--no-definitely-typed'], { cwd: work });
  const result = JSON.parse(stdout);
  assert.deepEqual(result.analysis.problems ?? [], [], 'attw problems');
  const kinds = Object.values(result.analysis.entrypoints['.'].resolutions).map((r) => r.resolution?.fileName);
  assert.ok(kinds.some((f) => f?.endsWith('index.d.cts')) && kinds.some((f) => f?.endsWith('index.d.ts')),
    `types resolved: ${kinds.join(', ')}`);
});

// --- runtimes ---------------------------------------------------------------------------

test('Node ESM: import resolves node.bundle.mjs (node.mjs and lib/ as one file); every algorithm, RemoteJwks', async () => {
  const fixturesPath = join(projects.esm, 'fixtures.json');
  await writeFile(fixturesPath, JSON.stringify(fixturesFor('node-esm')));
  const { stdout } = await exec(process.execPath, ['node-esm.mjs', fixturesPath], { cwd: projects.esm });
  const report = lastJson(stdout);
  assert.match(report.entry, /\/node_modules\/jwks-verify\/node\.bundle\.mjs$/);
  assert.equal(report.backend.sync, 'node');
  assertReport(report, 'node-esm');
});

test('Node CommonJS: require resolves node.cjs and works synchronously; every algorithm, RemoteJwks', async () => {
  const fixturesPath = join(projects.cjs, 'fixtures.json');
  await writeFile(fixturesPath, JSON.stringify(fixturesFor('node-cjs')));
  const { stdout } = await exec(process.execPath, ['node-cjs.cjs', fixturesPath], { cwd: projects.cjs });
  const report = lastJson(stdout);
  assert.match(report.entry, /\/node_modules\/jwks-verify\/node\.cjs$/);
  assert.equal(report.backend.sync, 'node');
  assertReport(report, 'node-cjs');
});

test('Chromium: an esbuild bundle (browser condition) verifies every algorithm; RemoteJwks', async (t) => {
  if (skipMissing(t, 'Chromium', existsSync(CHROMIUM) ? CHROMIUM : undefined)) return;
  if (skipMissing(t, 'esbuild', tool('esbuild'))) return;
  const esbuild = await import('esbuild');
  const { chromium } = require('playwright-core');
  const out = join(projects.browser, 'out');
  const { metafile } = await esbuild.build({
    entryPoints: [join(projects.browser, 'browser.mjs')], absWorkingDir: projects.browser, bundle: true,
    format: 'esm', platform: 'browser', target: 'es2022', outfile: join(out, 'bundle.js'), metafile: true, logLevel: 'error',
  });
  const inputs = Object.keys(metafile.inputs);
  assert.ok(inputs.includes('node_modules/jwks-verify/web.mjs'), `bundled: ${inputs.join(', ')}`);
  assert.ok(!inputs.some((f) => /jwks-verify\/(node|workerd|deno)\./.test(f)), `bundled: ${inputs.join(', ')}`);
  // web.mjs fetches gen/jwks_verify_bg.wasm next to the bundle (and, for verifyJwtSync after
  // ready({ sync: true }), gen/jwks_verify_signature_bg.wasm): the copy step of this recipe.
  await mkdir(join(out, 'gen'), { recursive: true });
  for (const wasm of ['jwks_verify_bg.wasm', 'jwks_verify_signature_bg.wasm']) {
    await copyFile(join(projects.browser, 'node_modules/jwks-verify/gen', wasm), join(out, 'gen', wasm));
  }
  await writeFile(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><title>jwks-verify</title><script type="module" src="./bundle.js"></script>\n');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    await page.goto(`${baseUrl}/browser/index.html`);
    await page.waitForFunction(() => globalThis.__report !== undefined, null, { timeout: 60_000 }).catch((err) => {
      throw new Error(`${err.message}\n${problems.join('\n')}`);
    });
    const report = await page.evaluate(() => globalThis.__report);
    assert.equal(report.backend?.async, 'webcrypto');
    assertReport(report, 'chromium');
  } finally {
    await browser.close();
  }
});

test('workerd: a worker bundled with the workerd condition imports the .wasm as a module; every algorithm, RemoteJwks, exportState/fromState across requests', async (t) => {
  const workerd = tool('workerd');
  if (skipMissing(t, 'workerd', workerd)) return;
  if (skipMissing(t, 'esbuild', tool('esbuild'))) return;
  const esbuild = await import('esbuild');
  const dir = projects.workerd;
  const wasmImports = [];
  // As wrangler does: a .wasm import stays an import of a compiled Wasm module.
  const wasmModules = {
    name: 'wasm-modules',
    setup(build) {
      build.onResolve({ filter: /\.wasm$/ }, (args) => {
        wasmImports.push(args.importer);
        return { path: `./${basename(args.path)}`, external: true };
      });
    },
  };
  const { metafile } = await esbuild.build({
    entryPoints: [join(dir, 'worker.mjs')], absWorkingDir: dir, bundle: true, format: 'esm', platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], target: 'es2022',
    outfile: join(dir, 'out/worker.js'), metafile: true, plugins: [wasmModules], logLevel: 'error',
  });
  assert.ok(Object.keys(metafile.inputs).includes('node_modules/jwks-verify/workerd.mjs'), Object.keys(metafile.inputs).join(', '));
  // The default entry (workerd.mjs) brings both modules: slim-workerd.mjs the protocol one,
  // signature-workerd.mjs the pure-Rust signatures, so verifyJwtSync works with no extra import.
  assert.deepEqual(wasmImports.map((f) => basename(f)).sort(), ['signature-workerd.mjs', 'slim-workerd.mjs'], `wasm imported by ${wasmImports.join(', ')}`);
  for (const wasm of ['jwks_verify_bg.wasm', 'jwks_verify_signature_bg.wasm']) {
    await copyFile(join(dir, 'node_modules/jwks-verify/gen', wasm), join(dir, 'out', wasm));
  }

  const worker = await startWorkerd((address) => workerConfig(address, { modules: WORKER_MODULES, internet: true }), { file: join(dir, 'out/config.capnp'), workerd });
  const post = async (body) => (await fetch(`${worker.url}/`, { method: 'POST', body: JSON.stringify(body) })).json();
  try {
    const report = await post(fixturesFor('workerd'));
    assert.equal(report.backend?.async, 'webcrypto', `${JSON.stringify(report.backend ?? report)}\n${worker.log()}`);
    assertReport(report, 'workerd');
    if (expectRemote) {
      // The next request (as if in another isolate) starts from the exported cache: it
      // verifies, and the JWKS server still counts one fetch (assertReport checks that).
      assert.ok(report.remoteState, 'exportState() returned nothing in workerd');
      const first = fixturesFor('workerd');
      const second = await post({ ...first, remote: { ...first.remote, state: report.remoteState } });
      assertReport(second, 'workerd');
      assert.ok(second.checks.some((c) => c.name.startsWith('RemoteJwks.fromState') && c.ok), JSON.stringify(second.checks));
    }
  } finally {
    await worker.stop();
  }
});

test('workerd: a Hono app with jwks-verify/hono (the adapter loads workerd.mjs): RFC 6750 answers, Bearer and DPoP on WebCrypto', async (t) => {
  const workerd = tool('workerd');
  if (skipMissing(t, 'workerd', workerd)) return;
  if (skipMissing(t, 'esbuild', tool('esbuild'))) return;
  const esbuild = await import('esbuild');
  const jose = await import('jose');
  const dir = projects.workerd;
  await copyFile(join(ENTRIES, 'hono-worker.mjs'), join(dir, 'hono-worker.mjs'));
  if (!existsSync(join(dir, 'node_modules/hono'))) await symlink(join(ROOT, 'node_modules/hono'), join(dir, 'node_modules/hono'));
  const { metafile } = await esbuild.build({
    entryPoints: [join(dir, 'hono-worker.mjs')], absWorkingDir: dir, bundle: true, format: 'esm', platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], target: 'es2022',
    outfile: join(dir, 'out-hono/worker.js'), metafile: true, logLevel: 'error',
    plugins: [{ name: 'wasm-modules', setup: (build) => build.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: `./${basename(args.path)}`, external: true })) }],
  });
  const inputs = Object.keys(metafile.inputs);
  assert.ok(inputs.includes('node_modules/jwks-verify/workerd.mjs') && inputs.includes('node_modules/jwks-verify/lib/hono.js'), inputs.join(', '));
  assert.ok(!inputs.some((f) => /jwks-verify\/(node|web|deno)\./.test(f)), inputs.join(', '));
  // The default workerd entry brings both modules (protocol and signature).
  for (const wasm of ['jwks_verify_bg.wasm', 'jwks_verify_signature_bg.wasm']) {
    await copyFile(join(dir, 'node_modules/jwks-verify/gen', wasm), join(dir, 'out-hono', wasm));
  }

  const issuer = 'https://as.example';
  const issuerKey = await generateKey('ES256', { kid: 'as-1' });
  const now = () => Math.floor(Date.now() / 1000);
  const token = (claims = {}) => mint(issuerKey, {
    iss: issuer, aud: 'my-api', sub: 'alice', client_id: 'app-1', iat: now() - 5, exp: now() + 300, jti: crypto.randomUUID(),
    scope: 'orders:read', ...claims,
  }, { header: { typ: 'at+jwt' } });
  const jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwksOf([issuerKey])));
  });
  await new Promise((done) => jwksServer.listen(0, '127.0.0.1', done));
  const worker = await startWorkerd((address) => workerConfig(address, {
    modules: WORKER_MODULES, internet: true, bindings: { JWKS_URL: `http://127.0.0.1:${jwksServer.address().port}/jwks.json`, ISSUER: issuer },
  }), { file: join(dir, 'out-hono/config.capnp'), workerd });
  const url = `${worker.url}/orders`;
  try {
    const none = await fetch(url);
    assert.equal(none.status, 401, `${await none.clone().text()}\n${worker.log()}`);
    assert.doesNotMatch(none.headers.get('www-authenticate'), /error=/);
    const narrow = await fetch(url, { headers: { authorization: `Bearer ${await token({ scope: 'orders:write' })}` } });
    assert.equal(narrow.status, 403);
    assert.match(narrow.headers.get('www-authenticate'), /scope="orders:read"/);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${await token()}` } });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.deepEqual(await ok.json(), { sub: 'alice', scheme: 'Bearer', jkt: null });

    const holder = await jose.generateKeyPair('ES256');
    const jwk = await jose.exportJWK(holder.publicKey);
    const jkt = await jose.calculateJwkThumbprint(jwk);
    const bound = await token({ cnf: { jkt } });
    const proof = await new jose.SignJWT({ htm: 'GET', htu: url, iat: now(), jti: crypto.randomUUID(), ath: createHash('sha256').update(bound).digest('base64url') })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).sign(holder.privateKey);
    const dpop = await fetch(url, { headers: { authorization: `DPoP ${bound}`, dpop: proof } });
    assert.equal(dpop.status, 200, await dpop.clone().text());
    assert.deepEqual(await dpop.json(), { sub: 'alice', scheme: 'DPoP', jkt });
    const replayed = await fetch(url, { headers: { authorization: `DPoP ${bound}`, dpop: proof } });
    assert.equal(replayed.status, 401);
    assert.equal((await replayed.json()).error, 'invalid_dpop_proof');
    const asBearer = await fetch(url, { headers: { authorization: `Bearer ${bound}` } });
    assert.equal(asBearer.status, 401);
    assert.equal((await asBearer.json()).error, 'invalid_token');
  } finally {
    await worker.stop();
    jwksServer.close();
  }
});

test('workerd: jwks-verify/slim uploads the protocol module alone; async verification works, verifyJwtSync of ES256 is ERR_FALLBACK_NOT_LOADED, HS256 verifies', async (t) => {
  const workerd = tool('workerd');
  if (skipMissing(t, 'workerd', workerd)) return;
  if (skipMissing(t, 'esbuild', tool('esbuild'))) return;
  const esbuild = await import('esbuild');
  const dir = projects.workerd;
  await mkdir(join(dir, 'out-slim'), { recursive: true });
  await writeFile(join(dir, 'slim-worker.mjs'), `import { ready, verifyJwt, verifyJwtSync } from 'jwks-verify/slim';
const codeOf = (fn) => { try { return fn().payload.sub; } catch (err) { return err.code; } };
export default {
  async fetch(request) {
    const { es, hs } = await request.json();
    let strict;
    try { await ready({ sync: true }); strict = 'loaded'; } catch (err) { strict = err.code; }
    await ready();
    return Response.json({
      async: (await verifyJwt(es.token, es.keys)).payload.sub,
      syncEs: codeOf(() => verifyJwtSync(es.token, es.keys)),
      syncHs: codeOf(() => verifyJwtSync(hs.token, hs.keys, { algorithms: ['HS256'] })),
      strict,
    });
  },
};
`);
  const wasmImports = [];
  await esbuild.build({
    entryPoints: [join(dir, 'slim-worker.mjs')], absWorkingDir: dir, bundle: true, format: 'esm', platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], target: 'es2022',
    outfile: join(dir, 'out-slim/worker.js'), logLevel: 'error',
    plugins: [{ name: 'wasm-modules', setup: (build) => build.onResolve({ filter: /\.wasm$/ }, (args) => {
      wasmImports.push(basename(args.path));
      return { path: `./${basename(args.path)}`, external: true };
    }) }],
  });
  assert.deepEqual(wasmImports, ['jwks_verify_bg.wasm'], 'jwks-verify/slim imports the protocol module only');
  await copyFile(join(dir, 'node_modules/jwks-verify/gen/jwks_verify_bg.wasm'), join(dir, 'out-slim/jwks_verify_bg.wasm'));
  const es = await generateKey('ES256');
  const hs = await generateKey('HS256');
  const body = JSON.stringify({
    es: { token: await mint(es, { sub: 'alice' }), keys: jwksOf([es]) },
    hs: { token: await mint(hs, { sub: 'alice' }), keys: jwksOf([hs]) },
  });
  const worker = await startWorkerd((address) => workerConfig(address, { modules: ['worker.js', 'jwks_verify_bg.wasm'] }), { file: join(dir, 'out-slim/config.capnp'), workerd });
  try {
    const answer = await fetch(`${worker.url}/`, { method: 'POST', body });
    assert.equal(answer.status, 200, `${await answer.clone().text()}\n${worker.log()}`);
    assert.deepEqual(await answer.json(), { async: 'alice', syncEs: 'ERR_FALLBACK_NOT_LOADED', syncHs: 'alice', strict: 'ERR_FALLBACK_NOT_LOADED' });
  } finally {
    await worker.stop();
  }
});

test('Deno: the deno condition loads deno.mjs; every algorithm, RemoteJwks', async (t) => {
  const deno = tool('deno');
  if (skipMissing(t, 'deno', deno)) return;
  const dir = projects.deno;
  const fixturesPath = join(dir, 'fixtures.json');
  await writeFile(fixturesPath, JSON.stringify(fixturesFor('deno')));
  const env = { ...process.env, DENO_DIR: join(work, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  const { stdout } = await exec(deno, ['run', '--allow-read', `--allow-net=127.0.0.1:${new URL(baseUrl).port}`, 'deno.mjs', fixturesPath],
    { cwd: dir, env });
  const report = lastJson(stdout);
  assert.match(report.entry, /\/node_modules\/jwks-verify\/deno\.mjs$/);
  assert.equal(report.backend.async, 'webcrypto');
  assertReport(report, 'deno');
});

// --- jwks-verify/verify-only -------------------------------------------------------------

const VERIFY_ONLY_NAMES = ['JoseError', 'KeySet', 'Verifier', 'createVerifier', 'decodeJwt', 'isJoseError', 'parseJwks', 'ready', 'verifyJwt', 'verifyJwtSync'];
// What every runtime's run of entries/verify-only.mjs reports, but for the sync checks of
// RSA/ECDSA (which need the signature module: `sync`) and the loading ones (`extra`).
const verifyOnlyReport = (sync, extra = {}) => ({
  names: VERIFY_ONLY_NAMES, parsed: ['EC:true'], es: 'alice', rs: 'alice', verifier: 'alice', hsSync: 'alice', decoded: 'alice',
  tampered: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', wrongOption: 'ERR_INVALID_OPTION', isJoseError: true, esSync: sync, rsSync: sync, ...extra,
});

async function verifyOnlyInput() {
  const [es, rs, hs] = await Promise.all([generateKey('ES256'), generateKey('RS256'), generateKey('HS256')]);
  const pair = async (key) => ({ token: await mint(key, { sub: 'alice' }), keys: jwksOf([key]) });
  return { es: await pair(es), rs: await pair(rs), hs: await pair(hs) };
}

test('Node: jwks-verify/verify-only resolves verify-only-node.mjs / .cjs (the full Node entry\'s functions); exactly its exports, ES256/RS256/HS256', async () => {
  const dir = projects.esm;
  await copyFile(join(ENTRIES, 'verify-only.mjs'), join(dir, 'verify-only.mjs'));
  await writeFile(join(dir, 'verify-only-input.json'), JSON.stringify(await verifyOnlyInput()));
  const script = `
    import { readFileSync } from 'node:fs';
    import { createRequire } from 'node:module';
    import * as jv from 'jwks-verify/verify-only';
    import { runVerifyOnly } from './verify-only.mjs';
    const require = createRequire(process.cwd() + '/');
    const input = JSON.parse(readFileSync('verify-only-input.json', 'utf8'));
    const esm = await runVerifyOnly(jv, input, { loadSignature: true });
    const cjs = await runVerifyOnly(require('jwks-verify/verify-only'), input, { loadSignature: true });
    const full = await import('jwks-verify');
    console.log(JSON.stringify({ esm, cjs, sameAsMain: jv.verifyJwt === full.verifyJwt,
      resolved: [import.meta.resolve('jwks-verify/verify-only'), require.resolve('jwks-verify/verify-only')] }));`;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
  const report = lastJson(stdout);
  assert.match(report.resolved[0], /node_modules\/jwks-verify\/verify-only-node\.mjs$/);
  assert.match(report.resolved[1], /node_modules\/jwks-verify\/verify-only-node\.cjs$/);
  assert.equal(report.sameAsMain, true, 'Node: the main entry\'s verifyJwt');
  assert.deepEqual(report.esm, verifyOnlyReport('alice', { syncBeforeReady: 'alice', ready: 'loaded' }));
  assert.deepEqual(report.cjs, verifyOnlyReport('alice', { syncBeforeReady: 'alice', ready: 'loaded' }));
});

test('Chromium: jwks-verify/verify-only/esbuild bundles with no copy step; the page downloads the verify-only module alone until ready() fetches the signature module', async (t) => {
  if (skipMissing(t, 'Chromium', existsSync(CHROMIUM) ? CHROMIUM : undefined)) return;
  if (skipMissing(t, 'esbuild', tool('esbuild'))) return;
  const esbuild = await import('esbuild');
  const { chromium } = require('playwright-core');
  const dir = projects.browser;
  const out = join(dir, 'out', 'verify-only');
  await copyFile(join(ENTRIES, 'verify-only.mjs'), join(dir, 'verify-only.mjs'));
  await writeFile(join(dir, 'verify-only-input.json'), JSON.stringify(await verifyOnlyInput()));
  await writeFile(join(dir, 'verify-only-app.mjs'), `import * as jv from 'jwks-verify/verify-only/esbuild';
import { runVerifyOnly } from './verify-only.mjs';
import input from './verify-only-input.json';
const wasm = () => performance.getEntriesByType('resource').map((e) => e.name.split('/').pop()).filter((n) => n.endsWith('.wasm'));
const report = await runVerifyOnly(jv, input, { loadSignature: false });
report.wasmBeforeReady = wasm();
await jv.ready();
report.esSync = jv.verifyJwtSync(input.es.token, input.es.keys).payload.sub;
report.wasmAfterReady = wasm();
globalThis.__report = report;
`);
  // The plain subpath with the browser condition resolves verify-only-web.mjs (Vite's case:
  // its new URL('./gen/…wasm', import.meta.url) needs no step there); esbuild users take /esbuild.
  const plain = await esbuild.build({
    stdin: { contents: "export * from 'jwks-verify/verify-only';", resolveDir: dir }, absWorkingDir: dir, bundle: true, format: 'esm', platform: 'browser',
    write: false, metafile: true, logLevel: 'error',
  });
  const plainInputs = Object.keys(plain.metafile.inputs);
  assert.ok(plainInputs.includes('node_modules/jwks-verify/verify-only-web.mjs'), plainInputs.join(', '));
  assert.ok(!plainInputs.some((f) => /gen\/jwks_verify\.js$|\/lib\/(remote|assertion|webhook|dpop|resource)\.js$/.test(f)), plainInputs.join(', '));
  const { metafile } = await esbuild.build({
    entryPoints: [join(dir, 'verify-only-app.mjs')], absWorkingDir: dir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    outdir: out, loader: { '.wasm': 'file' }, metafile: true, logLevel: 'error',
  });
  const emitted = Object.keys(metafile.outputs).map((f) => basename(f)).filter((f) => f.endsWith('.wasm')).sort();
  assert.deepEqual(emitted.map((f) => f.replace(/-[A-Z0-9]+\.wasm$/, '')), ['jwks_verify_signature_bg', 'jwks_verify_verify_only_bg'], emitted.join(', '));
  await writeFile(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./verify-only-app.js"></script>\n');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    await page.goto(`${baseUrl}/browser/verify-only/index.html`);
    await page.waitForFunction(() => globalThis.__report !== undefined, null, { timeout: 60_000 }).catch((err) => {
      throw new Error(`${err.message}\n${problems.join('\n')}`);
    });
    const report = await page.evaluate(() => globalThis.__report);
    const strip = (list) => list.map((f) => f.replace(/-[A-Z0-9]+\.wasm$/, ''));
    assert.deepEqual(strip(report.wasmBeforeReady), ['jwks_verify_verify_only_bg']);
    assert.deepEqual(strip(report.wasmAfterReady), ['jwks_verify_verify_only_bg', 'jwks_verify_signature_bg']);
    delete report.wasmBeforeReady;
    delete report.wasmAfterReady;
    assert.deepEqual(report, verifyOnlyReport('ERR_FALLBACK_NOT_LOADED', { syncBeforeReady: 'ERR_NOT_READY', esSync: 'alice' }));
  } finally {
    await browser.close();
  }
});

test('workerd: jwks-verify/verify-only uploads the verify-only module alone; with import \'jwks-verify/signature\' verifyJwtSync of ES256/RS256 works too', async (t) => {
  const workerd = tool('workerd');
  if (skipMissing(t, 'workerd', workerd)) return;
  if (skipMissing(t, 'esbuild', tool('esbuild'))) return;
  const esbuild = await import('esbuild');
  const dir = projects.workerd;
  await copyFile(join(ENTRIES, 'verify-only.mjs'), join(dir, 'verify-only.mjs'));
  const input = JSON.stringify(await verifyOnlyInput());
  for (const [name, signature] of [['verify-only', false], ['verify-only-signature', true]]) {
    await mkdir(join(dir, `out-${name}`), { recursive: true });
    await writeFile(join(dir, `${name}-worker.mjs`), `import * as jv from 'jwks-verify/verify-only';
${signature ? "import 'jwks-verify/signature';\n" : ''}import { runVerifyOnly } from './verify-only.mjs';
export default {
  async fetch(request) {
    return Response.json(await runVerifyOnly(jv, await request.json(), { loadSignature: true }));
  },
};
`);
    const wasmImports = [];
    const { metafile } = await esbuild.build({
      entryPoints: [join(dir, `${name}-worker.mjs`)], absWorkingDir: dir, bundle: true, format: 'esm', platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], target: 'es2022',
      outfile: join(dir, `out-${name}/worker.js`), metafile: true, logLevel: 'error',
      plugins: [{ name: 'wasm-modules', setup: (build) => build.onResolve({ filter: /\.wasm$/ }, (args) => {
        wasmImports.push(basename(args.path));
        return { path: `./${basename(args.path)}`, external: true };
      }) }],
    });
    assert.ok(Object.keys(metafile.inputs).includes('node_modules/jwks-verify/verify-only-workerd.mjs'), Object.keys(metafile.inputs).join(', '));
    const modules = signature ? ['jwks_verify_verify_only_bg.wasm', 'jwks_verify_signature_bg.wasm'] : ['jwks_verify_verify_only_bg.wasm'];
    assert.deepEqual([...wasmImports].sort(), [...modules].sort()); // esbuild resolves in parallel
    for (const wasm of modules) await copyFile(join(dir, 'node_modules/jwks-verify/gen', wasm), join(dir, `out-${name}`, wasm));
    const worker = await startWorkerd((address) => workerConfig(address, { modules: ['worker.js', ...modules] }), { file: join(dir, `out-${name}/config.capnp`), workerd });
    try {
      const answer = await fetch(`${worker.url}/`, { method: 'POST', body: input });
      assert.equal(answer.status, 200, `${await answer.clone().text()}\n${worker.log()}`);
      const expected = signature
        ? verifyOnlyReport('alice', { syncBeforeReady: 'alice', ready: 'loaded' })
        : verifyOnlyReport('ERR_FALLBACK_NOT_LOADED', { syncBeforeReady: 'alice', ready: 'ERR_FALLBACK_NOT_LOADED' });
      assert.deepEqual(await answer.json(), expected, name);
    } finally {
      await worker.stop();
    }
  }
});

test('Deno: jwks-verify/verify-only resolves verify-only-deno.mjs; with import \'jwks-verify/signature\' verifyJwtSync of ES256/RS256 works too', async (t) => {
  const deno = tool('deno');
  if (skipMissing(t, 'deno', deno)) return;
  const dir = projects.deno;
  await copyFile(join(ENTRIES, 'verify-only.mjs'), join(dir, 'verify-only.mjs'));
  await writeFile(join(dir, 'verify-only-input.json'), JSON.stringify(await verifyOnlyInput()));
  const env = { ...process.env, DENO_DIR: join(work, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  for (const signature of [false, true]) {
    const file = `verify-only-${signature ? 'signature' : 'plain'}.mjs`;
    await writeFile(join(dir, file), `import * as jv from 'jwks-verify/verify-only';
${signature ? "import 'jwks-verify/signature';\n" : ''}import { runVerifyOnly } from './verify-only.mjs';
const report = await runVerifyOnly(jv, JSON.parse(Deno.readTextFileSync('verify-only-input.json')), { loadSignature: true });
report.entry = import.meta.resolve('jwks-verify/verify-only');
console.log(JSON.stringify(report));
`);
    const { stdout } = await exec(deno, ['run', '--allow-read=.', file], { cwd: dir, env });
    const report = lastJson(stdout);
    assert.match(report.entry, /\/node_modules\/jwks-verify\/verify-only-deno\.mjs$/);
    delete report.entry;
    const expected = signature
      ? verifyOnlyReport('alice', { syncBeforeReady: 'alice', ready: 'loaded' })
      : verifyOnlyReport('ERR_FALLBACK_NOT_LOADED', { syncBeforeReady: 'alice', ready: 'ERR_FALLBACK_NOT_LOADED' });
    assert.deepEqual(report, expected, file);
  }
});

// --- TypeScript -------------------------------------------------------------------------

test('tsc --strict: tests/types/usage.ts against pkg/index.d.ts', async (t) => {
  const tsc = tool('tsc');
  if (skipMissing(t, 'typescript', tsc)) return;
  await exec(tsc, ['-p', join(ROOT, 'tests/types/tsconfig.json')], { cwd: ROOT });
});

test('tsc --strict: the installed package resolves its types for import (index.d.ts) and require (index.d.cts)', async (t) => {
  const tsc = tool('tsc');
  if (skipMissing(t, 'typescript', tsc)) return;
  const dir = projects.types;
  await copyFile(join(ROOT, 'tests/types/usage.ts'), join(dir, 'usage.ts'));
  const tsconfig = {
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom'], module: 'nodenext', moduleResolution: 'nodenext',
      types: [], traceResolution: true,
    },
    files: ['usage.ts', 'usage-cjs.cts'],
  };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const { stdout } = await exec(tsc, ['-p', 'tsconfig.json'], { cwd: dir });
  assert.match(stdout, /jwks-verify\/index\.d\.ts/, 'import did not resolve index.d.ts');
  assert.match(stdout, /jwks-verify\/index\.d\.cts/, 'require did not resolve index.d.cts');
});

test('subpaths: jwks-verify/redis and jwks-verify/edge load for import and require', async () => {
  const script = `
    const redis = await import('jwks-verify/redis');
    const edge = await import('jwks-verify/edge');
    const { createRequire } = await import('node:module');
    const require = createRequire(process.cwd() + '/');
    const redisCjs = require('jwks-verify/redis');
    const edgeCjs = require('jwks-verify/edge');
    const replay = new redis.RedisReplayStore({ call: async () => 'OK' });
    console.log(JSON.stringify({
      esm: [typeof redis.RedisReplayStore, typeof redis.RedisJwksStore, typeof edge.CacheApiJwksStore],
      cjs: [typeof redisCjs.RedisReplayStore, typeof redisCjs.RedisJwksStore, typeof edgeCjs.CacheApiJwksStore],
      resolved: [import.meta.resolve('jwks-verify/redis'), require.resolve('jwks-verify/redis')],
      marked: await replay.markUsed('client jti', 2e9),
    }));`;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: projects.esm });
  const report = lastJson(stdout);
  assert.deepEqual(report.esm, ['function', 'function', 'function']);
  assert.deepEqual(report.cjs, ['function', 'function', 'function']);
  assert.match(report.resolved[0], /node_modules\/jwks-verify\/redis\.mjs$/);
  assert.match(report.resolved[1], /node_modules\/jwks-verify\/redis\.cjs$/);
  assert.equal(report.marked, true);
});

test('subpaths: jwks-verify/hono, /express and /fastify load for import and require, on the package\'s own main entry', async () => {
  const script = `
    const { createRequire } = await import('node:module');
    const require = createRequire(process.cwd() + '/');
    const report = {};
    for (const sub of ['hono', 'express', 'fastify']) {
      const esm = await import('jwks-verify/' + sub);
      const cjs = require('jwks-verify/' + sub);
      report[sub] = [typeof esm.bearerAuth, typeof cjs.bearerAuth, typeof esm.bearerAuth({ keys: { keys: [] } }),
        import.meta.resolve('jwks-verify/' + sub), require.resolve('jwks-verify/' + sub)];
    }
    // The CommonJS twins require the package's CommonJS entry (one instance per module system).
    report.cjsMain = Object.keys(require.cache).filter((f) => f.includes('jwks-verify')).map((f) => f.split('/').pop()).sort();
    console.log(JSON.stringify(report));`;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: projects.esm });
  const report = lastJson(stdout);
  for (const sub of ['hono', 'express', 'fastify']) {
    assert.deepEqual(report[sub].slice(0, 3), ['function', 'function', 'function'], sub);
    assert.match(report[sub][3], new RegExp(`node_modules/jwks-verify/${sub}\\.mjs$`));
    assert.match(report[sub][4], new RegExp(`node_modules/jwks-verify/${sub}\\.cjs$`));
  }
  assert.deepEqual(report.cjsMain, ['express.cjs', 'fastify.cjs', 'hono.cjs', 'node.cjs']);
});

// --- the CLI from the installed bin -----------------------------------------------------

test('CLI: node_modules/.bin/jwks-verify verifies with a file and with a URL', async () => {
  const dir = projects.esm;
  const cli = join(dir, 'node_modules/.bin/jwks-verify');
  const es256 = fixtures.cases.find((c) => c.alg === 'ES256');
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(fixtures.publicJwks));
  const common = ['--now', String(NOW), '--iss', ISSUER, '--aud', AUDIENCE, '--json'];
  const fromFile = JSON.parse((await exec(cli, ['verify', es256.token, '--jwks', 'jwks.json', ...common], { cwd: dir })).stdout);
  assert.equal(fromFile.valid, true);
  assert.equal(fromFile.key.kid, 'es256-key');
  const fromUrl = JSON.parse((await exec(cli, ['verify', fixtures.remote.token, '--jwks', `${baseUrl}/jwks/cli.json`, ...common], { cwd: dir })).stdout);
  assert.equal(fromUrl.valid, true);
  assert.equal(fromUrl.key.kid, 'remote-key');
  assert.equal(jwksHits.get('cli'), 1);
  const failure = await exec(cli, ['verify', fixtures.tampered.token, '--jwks', 'jwks.json', ...common], { cwd: dir }).then(
    () => assert.fail('a tampered token verified'), (err) => err);
  assert.equal(failure.code, 1);
  assert.equal(JSON.parse(failure.stdout).error.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
});

// --- the README's code blocks, run as written ---------------------------------------------

readmeTests({ root: ROOT, work: () => work, freePort });
