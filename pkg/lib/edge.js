// An edge JwksStore (jwks-verify/edge): the Cache API, as Cloudflare Workers (`caches.default`
// or `caches.open(name)`), Deno and browsers have it. Isolates of one location share it, so a
// short-lived isolate starts from the JWKS another one fetched instead of fetching again.
//
// The entry's expiry travels in a header and is checked on read: not every Cache API honours
// `Cache-Control` (Deno's keeps entries until deleted), and a stale entry must never be served
// as fresh. RemoteJwks validates the text it reads back as `fromState` does.

import { readOptions, nonEmptyString, checkUrl, checkState, checkTtl } from './store-options.js';
import { ownMember } from './own.js';

const OWNER = 'CacheApiJwksStore';
const OPTIONS = { cacheName: nonEmptyString, keyBase: absoluteHttpUrl };
const DEFAULT_KEY_BASE = 'https://jwks-verify.internal/jwks-state/';
const EXPIRES = 'x-jwks-verify-expires';

function absoluteHttpUrl(value) {
  if (typeof value !== 'string') return 'must be a string';
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return null;
  } catch {
    // reported below
  }
  return 'must be an absolute http(s) URL';
}

/**
 * `new CacheApiJwksStore({ cacheName?, keyBase? })`: with `cacheName`, the cache
 * `caches.open(cacheName)`; without it, `caches.default` where it exists (Cloudflare), else
 * `caches.open("jwks-verify")`. Entries are keyed `keyBase + encodeURIComponent(url)`.
 */
export class CacheApiJwksStore {
  #cacheName;
  #keyBase;
  #cache = null;

  constructor(options) {
    const read = readOptions(OWNER, options, OPTIONS);
    if (typeof globalThis.caches?.open !== 'function') {
      throw new TypeError(`${OWNER}: this runtime has no Cache API (globalThis.caches)`);
    }
    this.#cacheName = read.cacheName;
    this.#keyBase = read.keyBase ?? DEFAULT_KEY_BASE;
  }

  #open() {
    if (!this.#cache) {
      const { caches } = globalThis;
      // caches.default of the runtime's CacheStorage only (Cloudflare's), never one a polluted
      // Object.prototype lends (a cache of its own, serving its JWKS state).
      const fallback = ownMember(caches, 'default');
      this.#cache = this.#cacheName === undefined && fallback
        ? Promise.resolve(fallback)
        : caches.open(this.#cacheName ?? 'jwks-verify');
      this.#cache.catch(() => {
        this.#cache = null;
      });
    }
    return this.#cache;
  }

  #key(url) {
    return this.#keyBase + encodeURIComponent(url);
  }

  async get(url) {
    checkUrl(url);
    const cache = await this.#open();
    const key = this.#key(url);
    const response = await cache.match(key);
    if (!response) return null;
    const expires = Number(response.headers.get(EXPIRES));
    if (!Number.isFinite(expires) || expires <= Date.now()) {
      await response.body?.cancel();
      await cache.delete(key);
      return null;
    }
    return response.text();
  }

  async set(url, state, ttlMs) {
    checkUrl(url);
    checkState(state);
    checkTtl(ttlMs);
    if (ttlMs < 1) return;
    const cache = await this.#open();
    const ttl = Math.ceil(ttlMs);
    await cache.put(this.#key(url), new Response(state, {
      headers: {
        'content-type': 'application/json',
        'cache-control': `max-age=${Math.ceil(ttl / 1000)}`,
        [EXPIRES]: String(Date.now() + ttl),
      },
    }));
  }
}
