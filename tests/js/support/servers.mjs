// Spawning a server for a test or a bench and waiting until it listens: workerd with a config
// (tests/package/run.mjs, bench/slim_workerd.mjs), or any command that ends up listening on a
// known port (the README's bundle-worker.sh and example servers, tests/package/readme.mjs).

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKERD = fileURLToPath(new URL('../../../node_modules/.bin/workerd', import.meta.url));

/** A TCP port free on 127.0.0.1 now. */
export function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

// Whether something accepts a connection on 127.0.0.1:port (no request is sent), within 1 s.
function listening(port) {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    const end = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => end(false));
    socket.once('connect', () => end(true));
    socket.once('error', () => end(false));
  });
}

/**
 * Spawns `command args` in its own process group and resolves once 127.0.0.1:`port` accepts a
 * connection: `{ port, url, log(), stop(), spawnedAt }` (`stop` ends the whole group: a script
 * and the server it started; `spawnedAt`: `performance.now()` at the spawn). Rejects with the
 * output when the process exits (or cannot start) first, or nothing listens within
 * `timeoutMs`; `pollMs` is how often it looks.
 */
export async function spawnListening(command, args, { port, cwd, env, pollMs = 100, timeoutMs = 30_000 }) {
  const spawnedAt = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((done) => {
    child.on('close', (code, signal) => done({ code: code ?? signal }));
    child.on('error', (err) => done({ code: err.code }));
  });
  const stop = async () => {
    try {
      process.kill(-child.pid);
    } catch {
      // already gone
    }
    await exited;
  };
  const deadline = spawnedAt + timeoutMs;
  for (;;) {
    const state = await Promise.race([exited, new Promise((r) => setTimeout(r, pollMs))]);
    if (state) throw new Error(`${[command, ...args].join(' ')} exited with ${state.code} before listening on ${port}:\n${log}`);
    if (await listening(port)) return { port, url: `http://127.0.0.1:${port}`, log: () => log, stop, spawnedAt };
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`${[command, ...args].join(' ')}: nothing listens on ${port} after ${timeoutMs} ms:\n${log}`);
    }
  }
}

/**
 * `workerd serve` of the config `config(address)` returns (address: `127.0.0.1:<a free port>`,
 * for its socket), written to `file` (whose folder holds the files it embeds). Resolves once
 * workerd listens: `{ port, url, log(), stop(), spawnedAt }`, as `spawnListening`.
 */
export async function startWorkerd(config, { file, workerd = WORKERD, ...options }) {
  const port = await freePort();
  writeFileSync(file, config(`127.0.0.1:${port}`));
  return spawnListening(workerd, ['serve', file], { cwd: dirname(file), port, ...options });
}

/**
 * The config of one worker listening at `address`: `modules` are file names next to the config
 * (`.wasm`: a compiled Wasm module; else an ES module, the first one the entry), `bindings`
 * text bindings by name; `internet`: it may fetch (loopback included).
 */
export function workerConfig(address, { modules, bindings = {}, internet = false }) {
  const services = ['(name = "main", worker = .worker)'];
  if (internet) services.push('(name = "internet", network = (allow = ["public", "private", "local"]))');
  const module = (name) => `(name = ${JSON.stringify(name)}, ${name.endsWith('.wasm') ? 'wasm' : 'esModule'} = embed ${JSON.stringify(name)})`;
  const worker = [`  modules = [${list(modules.map(module))}],`];
  const texts = Object.entries(bindings).map(([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`);
  if (texts.length) worker.push(`  bindings = [${list(texts)}],`);
  worker.push('  compatibilityDate = "2025-09-01",');
  if (internet) worker.push('  globalOutbound = "internet",');
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [${list(services)}],
  sockets = [(name = "http", address = "${address}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
${worker.join('\n')}
);
`;
}

const list = (items) => `\n${items.map((item) => `    ${item},`).join('\n')}\n  `;

/** Resolves once an in-process `http.Server` listens (at once when it already does). */
export function whenListening(server) {
  return new Promise((resolve, reject) => {
    if (server.listening) resolve();
    server.once('listening', resolve);
    server.once('error', reject);
  });
}

/** Closes an in-process `http.Server`, its open connections included. */
export function closeServer(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
