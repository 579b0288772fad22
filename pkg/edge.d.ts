// Types of jwks-verify/edge.

export interface CacheApiJwksStoreOptions {
  /**
   * The cache to use: `caches.open(cacheName)`. Default: `caches.default` where it exists
   * (Cloudflare Workers), else `caches.open("jwks-verify")`.
   */
  cacheName?: string;
  /**
   * An absolute http(s) URL prefix for the cache keys; an entry's key is
   * `keyBase + encodeURIComponent(url)`. Default `"https://jwks-verify.internal/jwks-state/"`.
   */
  keyBase?: string;
}

/**
 * A `JwksStore` (`RemoteOptions.store`) on the Cache API: isolates of one location share the
 * fetched JWKS. An entry carries its expiry and is dropped when read after it.
 */
export declare class CacheApiJwksStore {
  constructor(options?: CacheApiJwksStoreOptions);
  get(url: string): Promise<string | null>;
  set(url: string, state: string, ttlMs: number): Promise<void>;
}
