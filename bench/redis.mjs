// `make bench`: checkAssertion throughput with a shared RedisReplayStore (node-redis 5 and
// ioredis, against a local redis-server started here) compared to the in-memory ReplayCache
// and to no replay check, in one Node process. Two ways of calling: one check at a time
// (each waits for its Redis round trip) and 64 in flight (the client pipelines them).
// Prints a table and writes it as the "replay-stores" section of bench/results.md.
//
// Method: every check needs a fresh jti, so ES256 assertions are minted up front; ROUNDS
// rounds run interleaved over the contenders (A, B, C, ..., A, B, ...), the figure is the
// median round. Skips, saying so, when redis-server is not installed.

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import * as jose from 'jose';
import { checkAssertion, ReplayCache } from '../pkg/node.mjs';
import { RedisReplayStore } from '../pkg/redis.mjs';
import { connectClient } from '../tests/js/support/redis-clients.mjs';
import { redisServerBinary, startRedis } from '../tests/js/support/redis-server.mjs';
import { writeSection } from './results.mjs';

const ROUNDS = 5;
const PER_ROUND = 500;
const IN_FLIGHT = 64;
const CLIENT = 'bench-client';
const AUDIENCE = 'https://as.example/token';
const SECTION = '## Replay stores (checkAssertion, Node)';

async function mintAll(privateKey, count) {
  const now = Math.floor(Date.now() / 1000);
  const tokens = [];
  for (let i = 0; i < count; i++) {
    tokens.push(await new jose.SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(CLIENT).setSubject(CLIENT).setAudience(AUDIENCE)
      .setIssuedAt(now).setExpirationTime(now + 300)
      .sign(privateKey));
  }
  return tokens;
}

async function runSequential(tokens, options) {
  for (const token of tokens) await checkAssertion(token, options);
}

async function runConcurrent(tokens, options) {
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) await checkAssertion(tokens[next++], options);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  if (!redisServerBinary()) {
    console.log('skip: bench/redis.mjs needs redis-server (make setup installs it)');
    return;
  }
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256');
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  const base = { clientId: CLIENT, audience: AUDIENCE, keys: { keys: [jwk] } };

  const redis = await startRedis();
  const clients = [];
  try {
    const store = async (kind) => {
      const conn = await connectClient(kind, redis.port, { failFast: true });
      clients.push(conn);
      return new RedisReplayStore(conn.client, { prefix: `bench:${kind}:` });
    };
    const contenders = [
      ['no replay check', undefined],
      ['ReplayCache (in memory)', new ReplayCache({ maxEntries: 1_000_000 })],
      ['RedisReplayStore, node-redis 5', await store('node-redis-5')],
      ['RedisReplayStore, ioredis', await store('ioredis')],
    ];
    const modes = [['one at a time', runSequential], [`${IN_FLIGHT} in flight`, runConcurrent]];
    const perRound = contenders.length * modes.length;
    console.log(`minting ${fmt(PER_ROUND * perRound * (ROUNDS + 1))} ES256 assertions...`);
    const pool = await mintAll(privateKey, PER_ROUND * perRound * (ROUNDS + 1));
    const take = () => pool.splice(0, PER_ROUND);

    const rates = new Map();
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name, replay] of contenders) {
        for (const [mode, run] of modes) {
          const tokens = take();
          const started = performance.now();
          await run(tokens, { ...base, replay });
          const seconds = (performance.now() - started) / 1000;
          if (round === 0) continue; // warm-up
          const key = `${name}\u0000${mode}`;
          rates.set(key, [...(rates.get(key) ?? []), tokens.length / seconds]);
        }
      }
    }

    const header = `| replay store | ${modes.map(([m]) => `${m}, checks/s`).join(' | ')} |`;
    const rows = contenders.map(([name]) => `| ${name} | ${modes.map(([m]) => fmt(median(rates.get(`${name}\u0000${m}`)))).join(' | ')} |`);
    const section = [
      SECTION,
      '',
      `${new Date().toISOString()}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, redis-server on 127.0.0.1 (persistence off); ES256 client assertions, median of ${ROUNDS} rounds of ${fmt(PER_ROUND)}.`,
      '',
      header,
      `|---|${modes.map(() => '---:').join('|')}|`,
      ...rows,
      '',
    ].join('\n');
    console.log(`\n${section}`);
    writeSection('replay-stores', section);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await redis.stop();
  }
}

await main();
