// Connected Redis clients of every kind jwks-verify/redis supports: node-redis 5 (`redis`),
// node-redis 4 (`redis-v4`, an npm alias) and ioredis. `failFast` makes a client reject
// commands while disconnected instead of queueing them until it reconnects (the setting
// the README recommends for replay checks).

import { createClient as createClient5 } from 'redis';
import { createClient as createClient4 } from 'redis-v4';
import Redis from 'ioredis';

export const CLIENT_KINDS = ['node-redis-5', 'node-redis-4', 'ioredis'];

const retryDelay = (attempt) => Math.min(50 * attempt, 300);

export async function connectClient(kind, port, { failFast = true } = {}) {
  if (kind === 'ioredis') {
    const client = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      enableOfflineQueue: !failFast,
      maxRetriesPerRequest: failFast ? 0 : 20,
      retryStrategy: retryDelay,
      connectTimeout: 1000,
    });
    client.on('error', () => {});
    await client.connect();
    return { client, close: async () => client.disconnect() };
  }
  const createClient = kind === 'node-redis-4' ? createClient4 : createClient5;
  const client = createClient({
    url: `redis://127.0.0.1:${port}`,
    disableOfflineQueue: failFast,
    socket: { reconnectStrategy: retryDelay, connectTimeout: 1000 },
  });
  client.on('error', () => {});
  await client.connect();
  return {
    client,
    close: async () => {
      try {
        await (client.destroy ? client.destroy() : client.disconnect());
      } catch {
        // already closed
      }
    },
  };
}
