// Type test of pkg/redis.d.ts and pkg/edge.d.ts (tsc --noEmit --strict): the stores are
// ReplayStore / JwksStore shaped and take clients shaped as node-redis and ioredis declare
// them (their own .d.ts files need @types/node, so these are their method signatures).

import { RedisJwksStore, RedisReplayStore } from 'jwks-verify/redis';
import type { RedisClientLike, RedisStoreOptions } from 'jwks-verify/redis';
import { CacheApiJwksStore } from 'jwks-verify/edge';
import { RemoteJwks, ReplayCache, checkAssertion } from 'jwks-verify';
import type { JwksStore, RemoteOptions, ReplayStore } from 'jwks-verify';

// node-redis 4/5: RedisClientType['sendCommand']
declare const nodeRedis: {
  sendCommand<T = unknown>(args: ReadonlyArray<string | Uint8Array>, options?: { asap?: boolean }): Promise<T>;
  set(key: string, value: string): Promise<string | null>;
};
// ioredis: Redis['call'] (overloaded)
declare const ioredis: {
  call(command: string, args: (string | number)[], callback?: (err: Error | null, res: unknown) => void): Promise<unknown>;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
};

const options: RedisStoreOptions = { prefix: 'app:' };
const replayStores: ReplayStore[] = [new RedisReplayStore(nodeRedis), new RedisReplayStore(ioredis, options), new ReplayCache()];
const client: RedisClientLike = ioredis;
const jwksStore: JwksStore = new RedisJwksStore(client, { prefix: 'jwks:' });
const edgeStore: JwksStore = new CacheApiJwksStore({ cacheName: 'jwks', keyBase: 'https://cache.example/' });
const remoteOptions: RemoteOptions = { store: new RedisJwksStore(nodeRedis) };
new RemoteJwks('https://issuer.example/jwks.json', remoteOptions);
new RemoteJwks('https://issuer.example/jwks.json', { store: edgeStore });

export async function use(assertion: string): Promise<boolean> {
  const fresh: boolean = await new RedisReplayStore(nodeRedis).markUsed('client-1 jti', 1_900_000_000);
  const state: string | null = await jwksStore.get('https://issuer.example/jwks.json');
  await edgeStore.set('https://issuer.example/jwks.json', state ?? '', 60_000);
  await checkAssertion(assertion, { clientId: 'c', audience: 'a', keys: { keys: [] }, replay: replayStores[0] });
  return fresh;
}

// @ts-expect-error an unknown option name
new RedisReplayStore(nodeRedis, { prefx: 'x' });
// @ts-expect-error prefix is a string
new RedisJwksStore(ioredis, { prefix: 1 });
// @ts-expect-error not a Redis client
new RedisReplayStore({ get() {} });
// @ts-expect-error an unknown option name
new CacheApiJwksStore({ cache: 'x' });
