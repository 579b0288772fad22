// Types of jwks-verify/redis.

/**
 * What the stores need of a Redis client: a connected node-redis 4/5 client (`createClient()`;
 * commands go through `sendCommand`; in `legacyMode` pass `client.v4`) or an ioredis 5 client
 * (`new Redis()`; through `call`). node-redis cluster clients are refused.
 */
export type RedisClientLike =
  | { call(...args: any[]): unknown }
  | { sendCommand(args: any[], ...rest: any[]): unknown };

export interface RedisStoreOptions {
  /**
   * Prepended to every Redis key. Default `"jwks-verify:jti:"` (RedisReplayStore) and
   * `"jwks-verify:jwks:"` (RedisJwksStore).
   */
  prefix?: string;
}

/**
 * A `ReplayStore` shared through Redis: `markUsed(key, expiresAt)` is one atomic
 * `SET <prefix><key> 1 NX PXAT <expiresAt * 1000, rounded up>`; `true` for the first caller
 * while the key lives. Rejects when the client fails, and (a `TypeError` naming `expiresAt`)
 * when `expiresAt` is already past by this host's clock, which Redis would not keep (the replay
 * check then fails closed with `ERR_REPLAY_STORE_UNAVAILABLE`).
 */
export declare class RedisReplayStore {
  constructor(client: RedisClientLike, options?: RedisStoreOptions);
  markUsed(key: string, expiresAt: number): Promise<boolean>;
}

/**
 * A `JwksStore` (`RemoteOptions.store`) shared through Redis: `get` is `GET <prefix><url>`,
 * `set` is `SET <prefix><url> <state> PX <ttlMs>`. A failing client rejects; RemoteJwks then
 * fetches by itself.
 */
export declare class RedisJwksStore {
  constructor(client: RedisClientLike, options?: RedisStoreOptions);
  get(url: string): Promise<string | null>;
  set(url: string, state: string, ttlMs: number): Promise<void>;
}
