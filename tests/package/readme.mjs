// The README's code blocks (examples/readme/, shown verbatim: tests/js/readme.test.mjs) run
// as written against the packed tarball: install.sh installs it into an empty project, and
// every other example runs there in Node ESM, CommonJS, TypeScript strict, Deno, Chromium and
// workerd. Registered by run.mjs (`readmeTests(ctx)`), which owns the tarball.
//
// The examples name https://issuer.example and the like. A preload module (`--import` in
// Node, `--preload` in Deno: the one flag added to a README command) answers fetches to
// *.example hosts from a table this test writes; nothing else is faked, and no request
// leaves 127.0.0.1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateKey, jwksOf, mint } from '../js/helpers.mjs';
import { spawnListening } from '../js/support/servers.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
const ISSUER = 'https://issuer.example';
const EXAMPLES = 'examples/readme';
// Fixed by examples/readme/config.capnp (the README's workerd config).
const WORKERD_PORT = 8787;
const WORKERD_JWKS_PORT = 8788;

async function exec(file, args, options = {}) {
  try {
    return await run(file, args, { maxBuffer: 16 * 1024 * 1024, timeout: 240_000, ...options });
  } catch (err) {
    err.message += `\nstdout: ${err.stdout}\nstderr: ${err.stderr}`;
    throw err;
  }
}

/** A preload that answers fetch() for *.example hosts from `routes`; other URLs go through. */
function fakeNetwork(routes) {
  return `// Written by tests/package/readme.mjs: the README's example hosts, served from memory.
const routes = ${JSON.stringify(routes)};
const realFetch = globalThis.fetch;
globalThis.fetch = async function fetch(input, init) {
  const url = new URL(typeof input === 'string' ? input : input.url ?? String(input));
  if (!url.hostname.endsWith('.example')) return realFetch(input, init);
  const route = routes[url.href];
  if (!route) return new Response('not found', { status: 404 });
  return new Response(JSON.stringify(route), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'max-age=300' } });
};
`;
}

export function readmeTests(ctx) {
  let dir;
  let env;
  let keys;
  let installError;
  const now = () => Math.floor(Date.now() / 1000);
  const token = (claims = {}, key = keys.issuer) => mint(key, {
    iss: ISSUER, aud: 'my-api', sub: 'alice', iat: now() - 5, exp: now() + 600, ...claims,
  });
  const example = (name) => join(ctx.root, EXAMPLES, name);
  const node = (args, options = {}) => exec(process.execPath, ['--import', './fake-network.mjs', ...args], { cwd: dir, env, ...options });
  const needsInstall = () => {
    if (installError) throw new Error(`install.sh failed: ${installError.message}`);
    assert.ok(dir, 'install.sh did not run');
  };

  test('README install.sh: make pack, then npm install of the tarball into an empty project', async () => {
    dir = join(ctx.work(), 'readme');
    await mkdir(join(dir, 'path/to'), { recursive: true });
    await symlink(ctx.root, join(dir, 'path/to/jwks-verify'));
    // An ESM project, as the README's TypeScript example says (.cjs files stay CommonJS).
    await writeFile(join(dir, 'package.json'), '{\n  "name": "my-app",\n  "private": true,\n  "type": "module"\n}\n');
    env = { ...process.env, NPM_CONFIG_AUDIT: 'false', NPM_CONFIG_FUND: 'false', NPM_CONFIG_UPDATE_NOTIFIER: 'false' };
    try {
      const { stdout } = await exec('bash', ['-euo', 'pipefail', example('install.sh')], { cwd: dir, env });
      assert.match(stdout, /dist\/jwks-verify-0\.1\.0\.tgz: \d+ bytes/);
    } catch (err) {
      installError = err;
      throw err;
    }
    const installed = JSON.parse(await readFile(join(dir, 'node_modules/jwks-verify/package.json'), 'utf8'));
    assert.equal(installed.name, 'jwks-verify');
    assert.match(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).dependencies['jwks-verify'], /^file:path\/to\/jwks-verify\/dist\/jwks-verify-0\.1\.0\.tgz$/);
    for (const file of ['LICENSE-MIT', 'LICENSE-APACHE', 'gen/jwks_verify_bg.wasm']) {
      assert.ok(existsSync(join(dir, 'node_modules/jwks-verify', file)), `${file} is not installed`);
    }

    keys = {
      issuer: await generateKey('ES256', { kid: 'issuer-2025' }),
      agent: await generateKey('ES256', { kid: 'agent-2025' }),
      billing: await generateKey('ES256', { kid: 'billing-1' }),
    };
    const issuerJwks = jwksOf([keys.issuer]);
    await writeFile(join(dir, 'fake-network.mjs'), fakeNetwork({
      [`${ISSUER}/.well-known/jwks.json`]: issuerJwks,
      [`${ISSUER}/.well-known/openid-configuration`]: { issuer: ISSUER, jwks_uri: `${ISSUER}/.well-known/jwks.json` },
      'https://agent.example/.well-known/jwks.json': jwksOf([keys.agent]),
      'https://billing.example/jwks.json': jwksOf([keys.billing]),
    }));
    await writeFile(join(dir, 'jwks.json'), JSON.stringify(issuerJwks));
    for (const name of ['quick-start.mjs', 'quick-start.cjs', 'quick-start.ts', 'parse-jwks.mjs', 'remote-jwks.mjs',
      'assertion.mjs', 'webhook-receiver.ts', 'webhook-sender.mjs', 'deno.mjs', 'browser.mjs', 'worker.mjs', 'config.capnp',
      'access-token.mjs', 'authenticate-request.mjs']) {
      await copyFile(example(name), join(dir, name));
    }
    // The sender uses jose (not a dependency of jwks-verify); the types need @types/node.
    await mkdir(join(dir, 'node_modules/@types'), { recursive: true });
    await symlink(join(ctx.root, 'node_modules/jose'), join(dir, 'node_modules/jose'));
    await symlink(join(ctx.root, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'));
  });

  test('README quick-start.mjs (Node ESM) verifies with RemoteJwks and refuses an expired token', async () => {
    needsInstall();
    const { stdout } = await node(['quick-start.mjs', await token()]);
    assert.equal(stdout, 'alice\n');
    const expired = await node(['quick-start.mjs', await token({ exp: now() - 60 })]).then(() => null, (err) => err);
    assert.ok(expired, 'an expired token verified');
    assert.match(expired.stderr, /ERR_JWT_EXPIRED/);
  });

  test('README quick-start.cjs (Node CommonJS) verifies with jwks.json', async () => {
    needsInstall();
    const { stdout } = await exec(process.execPath, ['quick-start.cjs', await token()], { cwd: dir, env });
    assert.equal(stdout, 'alice\n');
  });

  test('README TypeScript examples compile under strict (quick start, webhook receiver) and run', async (t) => {
    needsInstall();
    const tsc = join(ctx.root, 'node_modules/.bin/tsc');
    if (!existsSync(tsc)) return t.skip('typescript is not installed');
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, target: 'es2022', lib: ['es2022'], module: 'nodenext', moduleResolution: 'nodenext',
        types: ['node'], skipLibCheck: false,
      },
      files: ['quick-start.ts', 'webhook-receiver.ts'],
    }, null, 2));
    await exec(tsc, ['-p', 'tsconfig.json'], { cwd: dir });
    const esbuild = require('esbuild');
    for (const name of ['quick-start', 'webhook-receiver']) {
      const { code } = await esbuild.transform(await readFile(join(dir, `${name}.ts`), 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022' });
      await writeFile(join(dir, `${name}.ts.mjs`), code);
    }
    assert.equal((await node(['quick-start.ts.mjs', await token()])).stdout, 'alice\n');
    const expired = await node(['quick-start.ts.mjs', await token({ exp: now() - 60 })]);
    assert.equal(expired.stdout, 'undefined\n');
    assert.equal(expired.stderr, 'ERR_JWT_EXPIRED exp check_failed\n');
  });

  test('README options-error.mjs and create-verifier.mjs print what their comments say', async () => {
    needsInstall();
    for (const name of ['options-error.mjs', 'create-verifier.mjs']) await copyFile(example(name), join(dir, name));
    const options = await exec(process.execPath, ['options-error.mjs'], { cwd: dir, env });
    assert.match(options.stdout, /^TypeError audiance .*did you mean audience\?/);
    const verifier = await exec(process.execPath, ['create-verifier.mjs'], { cwd: dir, env });
    assert.equal(verifier.stdout, 'ERR_JWS_INVALID\n');
  });

  test('README parse-jwks.mjs lists keys and diagnostics', async () => {
    needsInstall();
    const { stdout } = await exec(process.execPath, ['parse-jwks.mjs'], { cwd: dir, env });
    assert.match(stdout, /^0 issuer-2025 EC ES256 [\w-]{43} true$/m);
  });

  test('README remote-jwks.mjs: discoverJwks follows jwks_uri, one fetch', async () => {
    needsInstall();
    const { stdout } = await node(['remote-jwks.mjs', await token()]);
    assert.match(stdout, /^https:\/\/issuer\.example\/\.well-known\/jwks\.json \{/);
    assert.match(stdout, /fetches: 1/);
    assert.match(stdout, /kids: \[ 'issuer-2025' \]/);
  });

  test('README many-issuers.mjs and key-resolver.mjs: the iss picks the keys; an untrusted iss is refused', async () => {
    needsInstall();
    for (const name of ['many-issuers.mjs', 'key-resolver.mjs']) await copyFile(example(name), join(dir, name));
    assert.equal((await node(['many-issuers.mjs', await token()])).stdout, `${ISSUER} alice\n`);
    const untrusted = await node(['many-issuers.mjs', await token({ iss: `${ISSUER}/` })]);
    assert.equal(untrusted.stdout, 'ERR_JWT_CLAIM_VALIDATION_FAILED iss check_failed\n');
    assert.equal((await node(['key-resolver.mjs', await token({ tenant: 'acme' })])).stdout, 'acme alice\n');
    const unknown = await node(['key-resolver.mjs', await token({ tenant: 'other' })]).then(() => null, (err) => err);
    assert.match(unknown?.stderr ?? 'it verified', /ERR_JWKS_NO_MATCHING_KEY/);
  });

  test('README assertion.mjs: authenticateClient accepts a private_key_jwt once, then refuses the replay', async () => {
    needsInstall();
    const assertion = await mint(keys.billing, {
      iss: 'billing-service', sub: 'billing-service', aud: 'https://as.example/oauth/token', iat: now(), exp: now() + 60, jti: randomUUID(),
    });
    await writeFile(join(dir, 'drive-assertion.mjs'), `import { authenticateClient } from './assertion.mjs';
const params = new URLSearchParams({ client_id: 'billing-service', client_assertion: process.argv[2],
  client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' });
const first = await authenticateClient(params);
const again = await authenticateClient(params).then(() => 'accepted twice', (err) => err.code);
const unknown = await authenticateClient(new URLSearchParams({ ...Object.fromEntries(params), client_id: '__proto__' })).catch((err) => err.message);
console.log(JSON.stringify({ clientId: first.clientId, jti: first.jti, again, unknown }));
`);
    const { stdout } = await node(['drive-assertion.mjs', assertion]);
    const result = JSON.parse(stdout);
    assert.equal(result.clientId, 'billing-service');
    assert.equal(result.again, 'ERR_JWT_REPLAYED');
    assert.equal(result.unknown, 'invalid_client');
  });

  test('README dpop.mjs: a jose-made proof is accepted once with its jkt, then refused as a replay', async () => {
    needsInstall();
    await copyFile(example('dpop.mjs'), join(dir, 'dpop.mjs'));
    const { stdout } = await node(['dpop.mjs']);
    assert.equal(stdout, 'true\nERR_JWT_REPLAYED\n');
  });

  test('README webhook receiver (TypeScript) and sender (jose): 204 for a signed body, 401 for a changed one', async () => {
    needsInstall();
    assert.ok(existsSync(join(dir, 'webhook-receiver.ts.mjs')), 'the TypeScript test did not transpile the receiver');
    await writeFile(join(dir, 'agent-private-key.json'), JSON.stringify(await (await import('jose')).exportJWK(keys.agent.signingKey)));
    const port = await ctx.freePort();
    const receiver = await spawnListening(process.execPath, ['--import', './fake-network.mjs', 'webhook-receiver.ts.mjs'], {
      port, cwd: dir, env: { ...env, PORT: String(port) },
    });
    const log = () => receiver.log();
    try {
      const url = `${receiver.url}/`;
      const sent = await exec(process.execPath, ['webhook-sender.mjs', url], { cwd: dir, env });
      assert.equal(sent.stdout, '204\n', log());
      const body = '{"event":"task.completed","id":43}';
      const { SignJWT } = await import('jose');
      const signed = await new SignJWT({ request_body_sha256: createHash('sha256').update(body).digest('hex') })
        .setProtectedHeader({ alg: 'ES256', kid: 'agent-2025' }).setIssuer('https://agent.example').setIssuedAt().setJti(randomUUID())
        .sign(keys.agent.signingKey);
      const changed = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${signed}` }, body: body.replace('43', '44') });
      assert.equal(changed.status, 401);
      const ok = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${signed}` }, body });
      assert.equal(ok.status, 204);
      const replayed = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${signed}` }, body });
      assert.equal(replayed.status, 401);
      assert.match(log(), /accepted: \{"event":"task\.completed","id":42\}/);
      assert.match(log(), /refused: ERR_WEBHOOK_BODY_MISMATCH/);
      assert.match(log(), /refused: ERR_JWT_REPLAYED/);
    } finally {
      await receiver.stop();
    }
  });

  test('README access-token.mjs and authenticate-request.mjs: an at+jwt accepted; 401, 403 and 400 answered with challenges', async () => {
    needsInstall();
    const accessToken = (claims = {}) => mint(keys.issuer, {
      iss: ISSUER, aud: 'my-api', sub: 'alice', client_id: 'app-1', iat: now() - 5, exp: now() + 600, jti: randomUUID(), scope: 'read', ...claims,
    }, { header: { typ: 'at+jwt' } });
    assert.equal((await node(['access-token.mjs', await accessToken()])).stdout, 'app-1 alice read\n');
    const port = await ctx.freePort();
    const server = await spawnListening(process.execPath, ['--import', './fake-network.mjs', 'authenticate-request.mjs'], {
      port, cwd: dir, env: { ...env, PORT: String(port) },
    });
    try {
      const url = `${server.url}/`;
      const ok = await fetch(url, { headers: { authorization: `Bearer ${await accessToken()}` } });
      assert.equal(await ok.text(), 'hello alice (Bearer)\n', server.log());
      const none = await fetch(url);
      assert.equal(none.status, 401);
      assert.match(none.headers.get('www-authenticate'), /^Bearer realm="my-api", DPoP realm="my-api", algs="[A-Z0-9 a-z]+"$/);
      const scope = await fetch(url, { headers: { authorization: `Bearer ${await accessToken({ scope: 'write' })}` } });
      assert.equal(scope.status, 403);
      assert.deepEqual(await scope.json(), { error: 'insufficient_scope', error_description: 'The access token lacks a required scope' });
      assert.equal((await fetch(url, { headers: { authorization: 'Bearer a b' } })).status, 400);
    } finally {
      await server.stop();
    }
  });

  test('README cli.sh: lint, decode and verify (file and URL) all exit 0', async () => {
    needsInstall();
    const { stdout } = await exec('bash', ['-euo', 'pipefail', example('cli.sh')], {
      cwd: dir, env: { ...env, TOKEN: await token(), NODE_OPTIONS: `--import=${join(dir, 'fake-network.mjs')}` },
    });
    assert.match(stdout, /"valid": ?true/);
    assert.match(stdout, /issuer-2025/);
  });

  test('README deno.mjs and deno.sh: Deno imports the installed package', async (t) => {
    needsInstall();
    const deno = join(ctx.root, 'node_modules/.bin/deno');
    if (!existsSync(deno)) return t.skip('deno is not installed');
    const command = (await readFile(example('deno.sh'), 'utf8')).replace(/^deno run /, 'deno run --preload=./fake-network.mjs ');
    const { stdout } = await exec('bash', ['-euo', 'pipefail', '-c', command], {
      cwd: dir,
      env: { ...env, TOKEN: await token(), PATH: `${join(ctx.root, 'node_modules/.bin')}:${process.env.PATH}`,
        DENO_DIR: join(ctx.work(), 'deno-dir-readme'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    assert.equal(stdout.trim().split('\n').at(-1), 'alice');
  });

  test('README browser.mjs: an esbuild bundle in Chromium verifies (async and sync)', async (t) => {
    needsInstall();
    if (!existsSync(CHROMIUM)) return t.skip('Chromium is not installed');
    const esbuild = require('esbuild');
    const out = join(dir, 'www');
    await esbuild.build({
      entryPoints: [join(dir, 'browser.mjs')], absWorkingDir: dir, bundle: true, format: 'esm', platform: 'browser',
      target: 'es2022', outfile: join(out, 'app.js'), logLevel: 'error',
    });
    await mkdir(join(out, 'gen'), { recursive: true });
    // The README's copy step for the default entry: both modules (ready({ sync: true }) fetches the second).
    for (const wasm of ['jwks_verify_bg.wasm', 'jwks_verify_signature_bg.wasm']) {
      await copyFile(join(dir, 'node_modules/jwks-verify/gen', wasm), join(out, 'gen', wasm));
    }
    const jwks = await readFile(join(dir, 'jwks.json'));
    const files = {
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>app</title><body>…<script type="module" src="/app.js"></script>'],
      '/app.js': ['text/javascript', await readFile(join(out, 'app.js'))],
      '/gen/jwks_verify_bg.wasm': ['application/wasm', await readFile(join(out, 'gen/jwks_verify_bg.wasm'))],
      '/gen/jwks_verify_signature_bg.wasm': ['application/wasm', await readFile(join(out, 'gen/jwks_verify_signature_bg.wasm'))],
      '/.well-known/jwks.json': ['application/json', jwks],
    };
    const server = createServer((req, res) => {
      const file = files[new URL(req.url, 'http://x').pathname];
      res.writeHead(file ? 200 : 404, { 'content-type': file?.[0] ?? 'text/plain' });
      res.end(file?.[1] ?? 'not found');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const { chromium } = require('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const idToken = await token();
      await page.addInitScript((value) => sessionStorage.setItem('id_token', value), idToken);
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      await page.waitForFunction(() => document.body.textContent !== '…', null, { timeout: 30_000 });
      assert.equal(await page.textContent('body'), 'alice true');
    } finally {
      await browser.close();
      server.close();
    }
  });

  // Serves `root` (index.html for '/') and the project's jwks.json to a fresh Chromium page with
  // an id_token; resolves to what the page shows and how often each .wasm was requested.
  async function loadPreloadingPage(root) {
    const hits = new Map();
    const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
    const server = createServer(async (req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const file = path === '/.well-known/jwks.json' ? join(dir, 'jwks.json') : join(root, path === '/' ? 'index.html' : path);
      if (!file.startsWith(dir)) return res.writeHead(403).end();
      const body = await readFile(file).catch(() => null);
      res.writeHead(body ? 200 : 404, { 'content-type': types[file.slice(file.lastIndexOf('.'))] ?? 'application/json' });
      res.end(body ?? 'not found');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const { chromium } = require('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.addInitScript((value) => sessionStorage.setItem('id_token', value), await token());
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      await page.waitForFunction(() => document.body?.textContent, null, { timeout: 30_000 }).catch((err) => {
        throw new Error(`${err.message} ${errors.join('; ')}`);
      });
      const initiators = await page.evaluate(() => performance.getEntriesByType('resource')
        .filter((e) => e.name.endsWith('.wasm')).map((e) => [new URL(e.name).pathname, e.initiatorType]));
      const wasm = [...hits].filter(([path]) => path.endsWith('.wasm'));
      return { text: await page.textContent('body'), wasm, initiators, html: await readFile(join(root, 'index.html'), 'utf8') };
    } finally {
      await browser.close();
      server.close();
    }
  }

  // The page requests the verify-only module once, through the <link>: a preload the glue's
  // fetch() did not take would be a second request (and Chromium's "preloaded but not used").
  function assertPreloadUsed({ text, wasm, initiators, html }) {
    assert.equal(text, 'alice');
    assert.equal(wasm.length, 1, JSON.stringify(wasm));
    const [[path, count]] = wasm;
    assert.match(path, /\/jwks_verify_verify_only_bg-[\w-]+\.wasm$/);
    assert.equal(count, 1, `${path} requested ${count} times`);
    assert.deepEqual(initiators, [[path, 'link']]);
    assert.match(html, /<link rel="preload" href="[^"]*jwks_verify_verify_only_bg-[\w-]+\.wasm" as="fetch" type="application\/wasm" crossorigin/);
  }

  test('README build-preload.mjs (esbuild) and vite.config.js (vite build): the page takes the verify-only module from its <link rel="preload">, one request', async (t) => {
    needsInstall();
    if (!existsSync(CHROMIUM)) return t.skip('Chromium is not installed');
    for (const module of ['esbuild', 'vite']) {
      if (!existsSync(join(ctx.root, 'node_modules', module))) return t.skip(`${module} is not installed`);
      if (!existsSync(join(dir, 'node_modules', module))) await symlink(join(ctx.root, 'node_modules', module), join(dir, 'node_modules', module));
    }
    const esbuildDir = join(dir, 'preload-esbuild');
    await mkdir(esbuildDir, { recursive: true });
    await copyFile(example('verify-only-page.mjs'), join(esbuildDir, 'app.mjs'));
    await copyFile(example('build-preload.mjs'), join(esbuildDir, 'build-preload.mjs'));
    await exec(process.execPath, ['build-preload.mjs'], { cwd: esbuildDir, env });
    assertPreloadUsed(await loadPreloadingPage(join(esbuildDir, 'out')));

    // Vite: the same page importing the plain subpath (Vite resolves its new URL(…wasm) itself).
    const viteDir = join(dir, 'preload-vite');
    await mkdir(viteDir, { recursive: true });
    const page = await readFile(example('verify-only-page.mjs'), 'utf8');
    assert.match(page, /'jwks-verify\/verify-only\/esbuild'/);
    await writeFile(join(viteDir, 'main.js'), page.replace("'jwks-verify/verify-only/esbuild'", "'jwks-verify/verify-only'"));
    await writeFile(join(viteDir, 'index.html'), '<!doctype html>\n<meta charset="utf-8">\n<script type="module" src="/main.js"></script>\n');
    await copyFile(example('vite.config.js'), join(viteDir, 'vite.config.js'));
    await exec(process.execPath, [join(dir, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: viteDir, env });
    assertPreloadUsed(await loadPreloadingPage(join(viteDir, 'dist')));
  });

  // bundle-worker.sh runs `npx esbuild` and `npx workerd`; npx finds the project's own
  // binaries (here: links to the repository's dev dependencies). False: skipped, not installed.
  async function linkWorkerdTools(t) {
    const bins = ['esbuild', 'workerd'];
    const missing = bins.find((bin) => !existsSync(join(ctx.root, 'node_modules/.bin', bin)));
    if (missing) {
      t.skip(`${missing} is not installed`);
      return false;
    }
    await mkdir(join(dir, 'node_modules/.bin'), { recursive: true });
    for (const bin of bins) {
      if (!existsSync(join(dir, 'node_modules/.bin', bin))) await symlink(join(ctx.root, 'node_modules/.bin', bin), join(dir, 'node_modules/.bin', bin));
    }
    return true;
  }

  // The project's jwks.json on the port examples/readme/config.capnp names.
  async function serveJwks() {
    const server = createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(await readFile(join(dir, 'jwks.json')));
    });
    await new Promise((done, fail) => {
      server.once('error', (err) => fail(new Error(`port ${WORKERD_JWKS_PORT} (fixed by config.capnp) is busy: ${err.message}`)));
      server.listen(WORKERD_JWKS_PORT, '127.0.0.1', done);
    });
    return server;
  }

  test('README workerd: bundle-worker.sh as written, config.capnp with gen/jwks_verify_bg.wasm and a local JWKS', async (t) => {
    needsInstall();
    if (!(await linkWorkerdTools(t))) return;
    const jwksServer = await serveJwks();
    let worker;
    try {
      // bundle-worker.sh bundles, then runs workerd: once it listens, the bundle is written.
      worker = await spawnListening('bash', ['-euo', 'pipefail', example('bundle-worker.sh')], { port: WORKERD_PORT, cwd: dir, env });
      const bundle = await readFile(join(dir, 'out/worker.js'), 'utf8');
      assert.match(bundle, /from "\.\/gen\/jwks_verify_bg\.wasm"/, 'the bundle imports the wasm under another name');
      const response = await fetch(`${worker.url}/`, { headers: { authorization: `Bearer ${await token()}` } });
      assert.equal(response.status, 200, await response.clone().text());
      assert.equal((await response.json()).sub, 'alice');
      const refused = await fetch(`http://127.0.0.1:${WORKERD_PORT}/`, { headers: { authorization: 'Bearer x.y.z' } });
      assert.equal(refused.status, 401);
      assert.match((await refused.json()).error, /^ERR_JW[ST]_INVALID$/);
    } finally {
      await worker?.stop();
      jwksServer.close();
    }
  });

  // --- Protecting an API: examples/readme/api-*.mjs, each a server answering RFC 6750 -------

  const accessToken = (claims = {}, key = keys.issuer) => mint(key, {
    iss: ISSUER, aud: 'my-api', sub: 'alice', client_id: 'app-1', iat: now() - 5, exp: now() + 600, jti: randomUUID(),
    scope: 'orders:read', ...claims,
  }, { header: { typ: 'at+jwt' }, kid: 'issuer-2025' });

  async function assertProtects(url, log) {
    const none = await fetch(url);
    assert.equal(none.status, 401, log());
    assert.doesNotMatch(none.headers.get('www-authenticate'), /error=/);
    const narrow = await fetch(url, { headers: { authorization: `Bearer ${await accessToken({ scope: 'orders:write' })}` } });
    assert.equal(narrow.status, 403);
    assert.match(narrow.headers.get('www-authenticate'), /error="insufficient_scope"/);
    const forged = await fetch(url, { headers: { authorization: `Bearer ${await accessToken({}, keys.agent)}` } });
    assert.equal(forged.status, 401);
    assert.equal((await forged.json()).error, 'invalid_token');
    const ok = await fetch(url, { headers: { authorization: `Bearer ${await accessToken()}` } });
    assert.equal(ok.status, 200, log());
    return ok.json();
  }

  const FRAMEWORK_EXAMPLES = { 'api-hono.mjs': ['hono', '@hono/node-server'], 'api-express.mjs': ['express'], 'api-fastify.mjs': ['fastify'] };
  for (const [name, modules] of Object.entries(FRAMEWORK_EXAMPLES)) {
    test(`README ${name}: 401 without a token, 403 without the scope, 401 for a bad token, 200 with req/c/request auth`, async () => {
      needsInstall();
      await copyFile(example(name), join(dir, name));
      await mkdir(join(dir, 'node_modules/@hono'), { recursive: true });
      for (const module of modules) {
        if (!existsSync(join(dir, 'node_modules', module))) await symlink(join(ctx.root, 'node_modules', module), join(dir, 'node_modules', module));
      }
      const port = await ctx.freePort();
      const server = await spawnListening(process.execPath, ['--import', './fake-network.mjs', name], { port, cwd: dir, env: { ...env, PORT: String(port) } });
      try {
        assert.deepEqual(await assertProtects(`http://127.0.0.1:${port}/orders`, server.log), { user: 'alice' });
      } finally {
        await server.stop();
      }
    });
  }

  test('README api-worker.mjs in workerd (bundle-worker.sh with it as the entry): Bearer and DPoP on WebCrypto', async (t) => {
    needsInstall();
    if (!(await linkWorkerdTools(t))) return;
    await copyFile(example('api-worker.mjs'), join(dir, 'api-worker.mjs'));
    await rm(join(dir, 'out/worker.js'), { force: true });
    const script = (await readFile(example('bundle-worker.sh'), 'utf8')).replace('npx esbuild worker.mjs ', 'npx esbuild api-worker.mjs ');
    assert.match(script, /esbuild api-worker\.mjs /);
    const jwksServer = await serveJwks();
    let server;
    try {
      server = await spawnListening('bash', ['-euo', 'pipefail', '-c', script], { port: WORKERD_PORT, cwd: dir, env });
      const url = `http://127.0.0.1:${WORKERD_PORT}/orders`;
      assert.deepEqual(await assertProtects(url, server.log), { user: 'alice', scheme: 'Bearer' });
      // A DPoP-bound token with its proof: the worker's request.url is the htu.
      const jose = await import('jose');
      const pair = await jose.generateKeyPair('ES256');
      const jwk = await jose.exportJWK(pair.publicKey);
      const bound = await accessToken({ cnf: { jkt: await jose.calculateJwkThumbprint(jwk) } });
      const proof = await new jose.SignJWT({ htm: 'GET', htu: url, iat: now(), jti: randomUUID(), ath: createHash('sha256').update(bound).digest('base64url') })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).sign(pair.privateKey);
      const dpop = await fetch(`${url}?page=2`, { headers: { authorization: `DPoP ${bound}`, dpop: proof } });
      assert.equal(dpop.status, 200, await dpop.clone().text());
      assert.deepEqual(await dpop.json(), { user: 'alice', scheme: 'DPoP' });
      const asBearer = await fetch(url, { headers: { authorization: `Bearer ${bound}` } });
      assert.equal(asBearer.status, 401);
      assert.equal((await asBearer.json()).error, 'invalid_token');
    } finally {
      await server?.stop();
      jwksServer.close();
    }
  });
}
