// A real redis-server for the tests (Debian package redis-server, installed by make setup):
// on a free loopback port, persistence off, in a temporary directory; stopped (or killed and
// started again on the same port) by the test. Every wait is bounded.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './servers.mjs';

const START_TIMEOUT_MS = 10_000;

/** The redis-server binary, or undefined when it is not installed. */
export function redisServerBinary() {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export { freePort };

// One PING over a raw socket: true when the server answers +PONG.
function ping(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let answer = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      answer += data;
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

/** Starts redis-server; returns { port, url, stop(), kill(), start() }. */
export async function startRedis() {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server is not installed (make setup installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'jwks-verify-redis-'));
  const port = await freePort();
  let child = null;
  let exited = null;
  let log = '';

  async function start() {
    if (child) throw new Error('redis-server is already running');
    log = '';
    child = spawn(binary, [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', dir, '--protected-mode', 'yes', '--loglevel', 'warning',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (await ping(port)) return;
      const state = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 50))]);
      if (state) {
        child = null;
        throw new Error(`redis-server exited (${JSON.stringify(state)}):\n${log}`);
      }
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING within ${START_TIMEOUT_MS} ms:\n${log}`);
    }
  }

  async function halt(signal) {
    if (!child) return;
    const running = child;
    child = null;
    running.kill(signal);
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    /** Abrupt death (SIGKILL): clients see the connection drop. */
    kill: () => halt('SIGKILL'),
    async stop() {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
