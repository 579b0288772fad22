// One of the racing processes of tests/js/redis.test.mjs: `node redis-racer.mjs <client kind>
// <redis port>`. Connects, prints {"ready":true}, then answers each stdin line
// {id, jobs: [...]} with {id, results: [...]}, running the jobs of a line concurrently: a
// checkAssertion or verifyWebhook with a RedisReplayStore, or a verifyJwt against a
// RemoteJwks (one per URL in this process) sharing its cache through a RedisJwksStore. Exits when stdin closes (or after
// a minute of silence, so that a lost parent never leaves it behind).

import { createInterface } from 'node:readline';
import { checkAssertion, verifyJwt, verifyWebhook, RemoteJwks } from '../../../pkg/node.mjs';
import { RedisJwksStore, RedisReplayStore } from '../../../pkg/redis.mjs';
import { connectClient } from './redis-clients.mjs';

const [kind, port] = process.argv.slice(2);
const { client, close } = await connectClient(kind, Number(port));
const replay = new RedisReplayStore(client, { prefix: 'race:' });
const store = new RedisJwksStore(client, { prefix: 'race:jwks:' });
const remotes = new Map();
const remoteFor = (url, options) => {
  if (!remotes.has(url)) remotes.set(url, new RemoteJwks(url, { ...options, store }));
  return remotes.get(url);
};

let watchdog;
const arm = () => {
  clearTimeout(watchdog);
  watchdog = setTimeout(() => process.exit(3), 60_000);
};
arm();

async function run(job) {
  try {
    if (job.kind === 'assertion') {
      await checkAssertion(job.token, { ...job.options, replay });
    } else if (job.kind === 'webhook') {
      await verifyWebhook({ authorization: job.authorization, body: job.body }, job.keys, { ...job.options, replay });
    } else if (job.kind === 'verify') {
      const { key } = await verifyJwt(job.token, remoteFor(job.url, job.remoteOptions), job.options);
      return { ok: true, kid: key.kid };
    } else if (job.kind === 'stats') {
      return { ok: true, fetches: remotes.get(job.url)?.stats().fetches ?? 0 };
    } else {
      throw new Error(`unknown job ${job.kind}`);
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, code: err?.code ?? err?.name, message: String(err?.message ?? err) };
  }
}

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
send({ ready: true, pid: process.pid });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  arm();
  const { id, jobs } = JSON.parse(line);
  send({ id, results: await Promise.all(jobs.map(run)) });
}
clearTimeout(watchdog);
await close();
