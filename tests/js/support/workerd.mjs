// Spawning a server for a test or a bench and waiting until it listens: workerd with a config
// (tests/package/run.mjs, bench/slim_workerd.mjs), or any command that ends up listening on a
// known port (the README's bundle-worker.sh, the example servers in tests/package/readme.mjs).

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
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

// Whether something accepts a connection on 127.0.0.1:port (no request is sent).
function listening(port) {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/**
 * Spawns `command args` in its own process group and resolves once 127.0.0.1:`port` accepts a
 * connection: `{ port, url, log(), stop() }` (`stop` ends the whole group: a script and the
 * server it started). Rejects with the output when the process exits first, or nothing
 * listens within `timeoutMs`; `pollMs` is how often it looks.
 */
export async function spawnListening(command, args, { port, cwd, env, pollMs = 100, timeoutMs = 30_000 }) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((done) => child.on('close', (code, signal) => done({ code: code ?? signal })));
  child.on('error', (err) => { log += `${err.message}\n`; });
  const stop = async () => {
    try {
      process.kill(-child.pid);
    } catch {
      // already gone
    }
    await exited;
  };
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const state = await Promise.race([exited, new Promise((r) => setTimeout(r, pollMs))]);
    if (state) throw new Error(`${[command, ...args].join(' ')} exited with ${state.code} before listening on ${port}:\n${log}`);
    if (await listening(port)) return { port, url: `http://127.0.0.1:${port}`, log: () => log, stop };
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`${[command, ...args].join(' ')}: nothing listens on ${port} after ${timeoutMs} ms:\n${log}`);
    }
  }
}

/**
 * `workerd serve` of the config `config(address)` returns (address: `127.0.0.1:<a free port>`,
 * for its socket), written to `file` (whose folder holds the files it embeds). Resolves once
 * workerd listens: `{ port, url, log(), stop() }`, as [spawnListening].
 */
export async function startWorkerd(config, { file, workerd = WORKERD, ...options }) {
  const port = await freePort();
  writeFileSync(file, config(`127.0.0.1:${port}`));
  return spawnListening(workerd, ['serve', file], { cwd: dirname(file), port, ...options });
}

/** A workerd config of one worker: `modules` (capnp module lines), its socket at `address`. */
export function workerConfig(address, { modules, bindings = [], internet = false }) {
  const services = internet
    ? '(name = "main", worker = .worker),\n    (name = "internet", network = (allow = ["public", "private", "local"])),'
    : '(name = "main", worker = .worker),';
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    ${services}
  ],
  sockets = [(name = "http", address = "${address}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
${modules.map((line) => `    ${line},`).join('\n')}
  ],${bindings.length ? `\n  bindings = [\n${bindings.map((line) => `    ${line},`).join('\n')}\n  ],` : ''}
  compatibilityDate = "2025-09-01",${internet ? '\n  globalOutbound = "internet",' : ''}
);
`;
}
