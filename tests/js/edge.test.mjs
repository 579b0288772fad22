// jwks-verify/edge: CacheApiJwksStore in workerd. Two workers ("a" and "b": separate
// isolates, as two edge isolates of one location) share a Cache API whose backing service
// (workerd's `cacheApiOutbound`) is tests/js/support/cache-service.mjs. What one isolate
// stores, the other reads; entries expire at their ttl even when the cache keeps them;
// named caches are apart; a failing cache rejects (RemoteJwks then fetches by itself).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyFile } from 'node:fs/promises';
import { startCacheService } from './support/cache-service.mjs';
import { startJwksServer } from './support/jwks-server.mjs';
import { createTenant } from './support/jwks-control.mjs';
import { freePort } from './support/redis-server.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKERD = join(ROOT, 'node_modules/.bin/workerd');
const WORKER = fileURLToPath(new URL('./support/edge-worker.mjs', import.meta.url));
// The default workerd entry imports both modules: the protocol one and the signature one.
const WASM_FILES = ['jwks_verify_bg.wasm', 'jwks_verify_signature_bg.wasm'];
const WASM = join(ROOT, 'pkg/gen', WASM_FILES[0]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const missing = !existsSync(WORKERD) ? 'workerd is not installed (make setup installs it)'
  : !existsSync(WASM) ? 'pkg/gen is missing: run make build first' : false;

describe('CacheApiJwksStore in workerd', { skip: missing }, () => {
  let dir;
  let cache;
  let jwksServer;
  let child;
  let exited;
  let log = '';
  const ports = {};

  before(async () => {
    const esbuild = await import('esbuild');
    dir = await mkdtemp(join(tmpdir(), 'jwks-verify-edge-'));
    // As wrangler does: a .wasm import stays an import of a compiled Wasm module.
    const wasmModules = {
      name: 'wasm-modules',
      setup(build) {
        build.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: `./${basename(args.path)}`, external: true }));
      },
    };
    await esbuild.build({
      entryPoints: [WORKER], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
      conditions: ['workerd', 'worker', 'browser'], outfile: join(dir, 'worker.js'), logLevel: 'error',
      plugins: [wasmModules],
    });
    for (const wasm of WASM_FILES) await copyFile(join(ROOT, 'pkg/gen', wasm), join(dir, wasm));
    jwksServer = await startJwksServer();
    cache = await startCacheService();
    ports.a = await freePort();
    ports.b = await freePort();
    const worker = (name) => `const ${name} :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "jwks_verify_bg.wasm", wasm = embed "jwks_verify_bg.wasm"),
    (name = "jwks_verify_signature_bg.wasm", wasm = embed "jwks_verify_signature_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
  cacheApiOutbound = "cache",
  globalOutbound = "internet",
);`;
    await writeFile(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "a", worker = .a),
    (name = "b", worker = .b),
    (name = "cache", external = (address = "127.0.0.1:${cache.port}", http = ())),
    (name = "internet", network = (allow = ["local", "private"])),
  ],
  sockets = [
    (name = "http-a", address = "127.0.0.1:${ports.a}", http = (), service = "a"),
    (name = "http-b", address = "127.0.0.1:${ports.b}", http = (), service = "b"),
  ],
);
${worker('a')}
${worker('b')}
`);
    child = spawn(WORKERD, ['serve', join(dir, 'config.capnp')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    exited = new Promise((resolve) => child.on('exit', (code) => resolve({ code })));
    // workerd prints nothing once it listens: poll (bounded), give up if it exits.
    for (let attempt = 0; ; attempt++) {
      assert.ok(attempt < 200, `workerd did not listen:\n${log}`);
      const state = await Promise.race([exited, sleep(100)]);
      if (state) throw new Error(`workerd exited with ${state.code}:\n${log}`);
      const up = await fetch(`http://127.0.0.1:${ports.a}/`, { method: 'POST', body: '{"op":"runtime"}' }).then(() => true, () => false);
      if (up) break;
    }
  });

  after(async () => {
    if (child && child.exitCode === null) {
      child.kill();
      await exited;
    }
    await cache?.close();
    await jwksServer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function call(worker, body) {
    const response = await fetch(`http://127.0.0.1:${ports[worker]}/`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    const answer = await response.json();
    return answer;
  }

  const state = (url) => JSON.stringify({ version: 1, url, jwks: '{"keys":[]}', fetchedAtMs: Date.now(), expiresAtMs: Date.now() + 60_000 });

  test('workerd has caches.default; with no options the store uses it', async () => {
    assert.deepEqual(await call('a', { op: 'runtime' }), { ok: true, value: { hasDefault: true } });
  });

  test('what isolate a stores, isolate b reads; an unknown URL is null', async () => {
    const url = 'https://issuer.example/jwks.json';
    assert.deepEqual(await call('b', { op: 'get', url }), { ok: true, value: null });
    const text = state(url);
    const puts = cache.counts.put;
    assert.deepEqual(await call('a', { op: 'set', url, state: text, ttlMs: 60_000 }), { ok: true, value: null });
    assert.equal(cache.counts.put, puts + 1, 'the put did not reach the cache service');
    assert.deepEqual(await call('b', { op: 'get', url }), { ok: true, value: text });
    assert.deepEqual(await call('b', { op: 'get', url: `${url}?other` }), { ok: true, value: null });
  });

  test('an entry read after its ttl is null and purged, even though the cache still held it', async () => {
    const url = 'https://short.example/jwks.json';
    const text = state(url);
    const ttlMs = 1500;
    await call('a', { op: 'set', url, state: text, ttlMs });
    const setBy = Date.now(); // the entry's expiry is at most setBy + ttlMs
    assert.equal((await call('b', { op: 'get', url })).value, text);
    await sleep(Math.max(0, setBy + ttlMs + 100 - Date.now()));
    // The backing cache ignores max-age here (as Deno's Cache API does): the store's own expiry holds.
    assert.ok([...cache.entries.keys()].some((k) => k.includes(encodeURIComponent(url))));
    const purges = cache.counts.purge;
    assert.deepEqual(await call('b', { op: 'get', url }), { ok: true, value: null });
    assert.equal(cache.counts.purge, purges + 1);
    // ttlMs below 1 stores nothing.
    const puts = cache.counts.put;
    await call('a', { op: 'set', url, state: text, ttlMs: 0 });
    assert.equal(cache.counts.put, puts);
  });

  test('caches opened by name are apart from caches.default and from each other', async () => {
    const url = 'https://named.example/jwks.json';
    const text = state(url);
    await call('a', { op: 'set', url, state: text, ttlMs: 60_000, options: { cacheName: 'tenant-1' } });
    assert.equal((await call('b', { op: 'get', url, options: { cacheName: 'tenant-1' } })).value, text);
    assert.equal((await call('b', { op: 'get', url, options: { cacheName: 'tenant-2' } })).value, null);
    assert.equal((await call('b', { op: 'get', url })).value, null);
    // keyBase moves the keys.
    assert.equal((await call('b', { op: 'get', url, options: { cacheName: 'tenant-1', keyBase: 'https://elsewhere.example/' } })).value, null);
  });

  test('RemoteJwks with a CacheApiJwksStore: isolate a fetches the JWKS, isolate b verifies from the cache', async () => {
    const tenant = await createTenant(jwksServer.origin);
    const token = await tenant.sign();
    const first = await call('a', { op: 'verify', url: tenant.jwksUrl, token });
    assert.equal(first.ok, true, JSON.stringify(first));
    assert.equal(first.value.fetches, 1);
    const second = await call('b', { op: 'verify', url: tenant.jwksUrl, token });
    assert.deepEqual(second, { ok: true, value: { kid: first.value.kid, fetches: 0 } });
    assert.equal(await tenant.count(), 1, 'upstream JWKS requests');
  });

  test('options are checked: unknown names and wrong types are TypeErrors naming them', async () => {
    const url = 'https://issuer.example/jwks.json';
    for (const [options, message] of [
      [{ cachename: 'x' }, /unknown option "cachename" \(did you mean "cacheName"\?\)/],
      [{ cacheName: '' }, /option cacheName must be a non-empty string/],
      [{ cacheName: 7 }, /option cacheName must be a non-empty string/],
      [{ keyBase: 'relative/' }, /option keyBase must be an absolute http\(s\) URL/],
      [{ keyBase: 'ftp://x/' }, /option keyBase must be an absolute http\(s\) URL/],
    ]) {
      const answer = await call('a', { op: 'get', url, options });
      assert.equal(answer.ok, false);
      assert.equal(answer.name, 'TypeError');
      assert.match(answer.message, message);
    }
    const bad = await call('a', { op: 'set', url, state: 12, ttlMs: 1000 });
    assert.equal(bad.name, 'TypeError');
  });

  test('a failing cache service is a miss in workerd: get answers null, set is lost; never a stale or made-up value', async () => {
    const url = 'https://failing.example/jwks.json';
    const text = state(url);
    await call('a', { op: 'set', url, state: text, ttlMs: 60_000 });
    cache.failing = true;
    try {
      assert.deepEqual(await call('b', { op: 'get', url }), { ok: true, value: null });
      assert.deepEqual(await call('a', { op: 'set', url, state: state(url), ttlMs: 60_000 }), { ok: true, value: null });
    } finally {
      cache.failing = false;
    }
    assert.equal((await call('b', { op: 'get', url })).value, text);
  });
});

const DENO = join(ROOT, 'node_modules/.bin/deno');

test('CacheApiJwksStore in Deno: caches.open("jwks-verify"), shared by two runs, expired on read', { skip: existsSync(DENO) ? false : 'deno is not installed' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jwks-verify-edge-deno-'));
  try {
    const script = join(dir, 'store.mjs');
    await writeFile(script, `import { CacheApiJwksStore } from ${JSON.stringify(join(ROOT, 'pkg/edge.mjs'))};
const [op, url, ttlMs] = Deno.args;
const store = new CacheApiJwksStore();
const value = op === 'set' ? await store.set(url, 'state of ' + url, Number(ttlMs)) : await store.get(url);
console.log(JSON.stringify({ hasDefault: 'default' in caches, value: value ?? null }));
`);
    const env = { ...process.env, DENO_DIR: join(dir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
    const deno = async (...args) => {
      const child = spawn(DENO, ['run', `--allow-read=${ROOT},${dir}`, script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise((resolve) => child.on('exit', resolve));
      clearTimeout(timer);
      assert.equal(code, 0, err);
      return JSON.parse(out.trim().split('\n').pop());
    };
    const url = 'https://issuer.example/jwks.json';
    // Each run is its own process: the Cache API on disk is what they share.
    const ttlMs = 6000;
    assert.deepEqual(await deno('set', url, String(ttlMs)), { hasDefault: false, value: null });
    const setBy = Date.now(); // the entry's expiry is at most setBy + ttlMs
    assert.deepEqual(await deno('get', url), { hasDefault: false, value: `state of ${url}` });
    assert.deepEqual(await deno('get', `${url}?other`), { hasDefault: false, value: null });
    await sleep(Math.max(0, setBy + ttlMs + 200 - Date.now()));
    assert.deepEqual(await deno('get', url), { hasDefault: false, value: null }, 'served after its ttl');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
