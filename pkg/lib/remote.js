// RemoteJwks and discoverJwks (API.md). The cache policy (src/remote.rs) and the fetch with its
// timeout, size limit and redirect refusal (src/bindings/remote.rs) run in the core; this class
// holds the policy object, the parsed KeySet and the one fetch in flight, which every caller
// that needs a fetch shares.

import { WasmRemoteCache, checkRemoteOptions, fetchText, tokenKid, metadataUrls, jwksUriOf, quoteText } from '../gen/jwks_verify.js';
import { JoseError, fromCore } from './errors.js';
import { parseJwks } from './keys.js';
import { instanceId, isReady, ready } from './runtime.js';

const DEFAULTS = { timeoutMs: 5000, maxBytes: 1048576 };
const JWKS_ACCEPT = 'application/jwk-set+json, application/json;q=0.9';
const METADATA_ACCEPT = 'application/json';

// Remote errors carry the URL and the kids the cache knows.
const coreError = (thrown) => fromCore(thrown, (parsed) => ({ url: parsed.url }));

function checkUrl(url, what) {
  let parsed;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new TypeError(`${what} must be an absolute http(s) URL, got ${JSON.stringify(String(url))}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError(`${what} must be an http(s) URL, got ${parsed.protocol} in ${parsed.href}`);
  }
  return parsed.href;
}

// What the fetch takes from RemoteOptions (the core reads and validates all of them).
function settingsOf(options) {
  let headers;
  try {
    headers = Object.fromEntries(new Headers(options?.headers ?? {}));
  } catch (err) {
    throw Object.assign(new TypeError(`RemoteJwks option headers: ${err.message}`), { code: 'ERR_INVALID_OPTION', option: 'headers' });
  }
  return {
    options,
    timeoutMs: options?.timeoutMs ?? DEFAULTS.timeoutMs,
    maxBytes: options?.maxBytes ?? DEFAULTS.maxBytes,
    fetch: options?.fetch ?? null,
    headersJson: (accept) => JSON.stringify({ accept, ...headers }),
  };
}

// Anything a fetch threw, as the error JSON the core records.
function errorText(thrown, url) {
  if (typeof thrown === 'string' && thrown[0] === '{') return thrown;
  return JSON.stringify({ code: 'ERR_JWKS_FETCH_FAILED', message: `GET ${quoteText(url)} failed: ${quoteText(thrown?.message ?? String(thrown))}` });
}

function stateText(state) {
  if (state === undefined || state === null) return 'null';
  if (typeof state === 'string') return state;
  return JSON.stringify(state);
}

export class RemoteJwks {
  #url;
  #settings;
  #cache = null;
  #pendingState;
  #inFlight = null;
  #keySet = null;
  #generation = -1;
  #instance = -1;

  constructor(url, options) {
    this.#url = checkUrl(url, 'RemoteJwks url');
    this.#settings = settingsOf(options);
    if (isReady()) this.#core();
  }

  /** A RemoteJwks that starts from `exportState()` output (null or undefined: empty). */
  static fromState(url, state, options) {
    const remote = new RemoteJwks(url, options);
    remote.#cache?.free();
    remote.#cache = null;
    remote.#pendingState = stateText(state);
    if (isReady()) remote.#core();
    return remote;
  }

  get url() {
    return this.#url;
  }

  // The policy object, made once the wasm module is there.
  #core() {
    if (this.#cache && this.#instance !== instanceId()) {
      // A trap replaced the wasm instance (runtime.js): this cache died with the old one.
      // Start empty (the next use refetches) rather than fail for the life of the process.
      this.#cache = null;
      this.#keySet = null;
      this.#generation = -1;
    }
    if (!this.#cache) {
      try {
        this.#cache = this.#pendingState === undefined
          ? new WasmRemoteCache(this.#url, this.#settings.options)
          : WasmRemoteCache.fromState(this.#url, this.#settings.options, this.#pendingState);
      } catch (err) {
        throw coreError(err);
      }
      this.#pendingState = undefined;
      this.#instance = instanceId();
    }
    return this.#cache;
  }

  /** The current key set, fetched when missing or expired. */
  async keySet() {
    await ready();
    return this.#resolve(undefined);
  }

  /** The key set to verify `token` with: refetched once for an unknown `kid` unless cooling down. */
  async keySetFor(token, maxTokenLength = 16384) {
    await ready();
    let kid;
    try {
      kid = tokenKid(token, maxTokenLength);
    } catch (err) {
      throw coreError(err);
    }
    return this.#resolve(kid);
  }

  /** Fetches now (or joins the fetch in flight); rejects when that fetch fails. */
  async refresh() {
    await ready();
    this.#core();
    await (this.#inFlight ?? this.#fetch());
    return this.#currentKeySet();
  }

  stats() {
    if (!this.#cache && !isReady()) return { fetches: 0, lastFetchAt: null, lastError: null, kids: [] };
    const stats = JSON.parse(this.#core().stats());
    const error = stats.lastError;
    return {
      fetches: stats.fetches,
      lastFetchAt: stats.lastFetchAt ?? null,
      lastError: error ? new JoseError(error.code, error.message, { url: this.#url }) : null,
      kids: stats.kids,
    };
  }

  /** A JSON-safe snapshot of the cache for `RemoteJwks.fromState` in another isolate. */
  exportState() {
    if (!this.#cache && !isReady()) return JSON.parse(this.#pendingState ?? 'null');
    return JSON.parse(this.#core().exportState());
  }

  async #resolve(kid) {
    const cache = this.#core();
    let waited = false;
    for (;;) {
      let action;
      try {
        action = cache.decide(Date.now(), kid, waited);
      } catch (err) {
        throw coreError(err);
      }
      if (action === 'serve') return this.#currentKeySet();
      // A failed fetch is recorded in the policy; the next decide() reports it or serves stale.
      await (action === 'fetch' ? this.#fetch() : this.#inFlight ?? Promise.resolve()).catch(() => {});
      waited = true;
    }
  }

  #fetch() {
    const cache = this.#core();
    const { fetch, headersJson, timeoutMs, maxBytes } = this.#settings;
    cache.startFetch(Date.now());
    const run = async () => {
      let result;
      try {
        result = await fetchText(this.#url, fetch, headersJson(JWKS_ACCEPT), timeoutMs, maxBytes);
      } catch (thrown) {
        throw coreError(cache.fetchFailed(Date.now(), errorText(thrown, this.#url)));
      }
      try {
        cache.fetchSucceeded(Date.now(), result.body, result.cacheControl ?? undefined, result.age ?? undefined);
      } catch (thrown) {
        throw coreError(thrown);
      }
    };
    const pending = run();
    this.#inFlight = pending;
    pending.then(
      () => this.#settle(pending),
      () => this.#settle(pending),
    );
    return pending;
  }

  #settle(pending) {
    if (this.#inFlight === pending) this.#inFlight = null;
  }

  #currentKeySet() {
    const cache = this.#core();
    const generation = cache.generation();
    if (generation !== this.#generation) {
      this.#keySet = parseJwks(cache.jwksText());
      this.#generation = generation;
    }
    return this.#keySet;
  }
}

/**
 * The RemoteJwks of `issuer`, found through its metadata: OpenID Connect Discovery
 * (`{issuer}/.well-known/openid-configuration`), then RFC 8414
 * (`/.well-known/oauth-authorization-server`). The document's `issuer` must equal `issuer`.
 */
export async function discoverJwks(issuer, options) {
  await ready();
  if (typeof issuer !== 'string') throw new TypeError('issuer must be a string');
  try {
    checkRemoteOptions(options, 'discoverJwks');
  } catch (err) {
    throw coreError(err);
  }
  const { fetch, headersJson, timeoutMs, maxBytes } = settingsOf(options);
  let urls;
  try {
    urls = JSON.parse(metadataUrls(issuer));
  } catch (err) {
    throw coreError(err);
  }
  const failures = [];
  for (const url of urls) {
    try {
      const { body } = await fetchText(url, fetch, headersJson(METADATA_ACCEPT), timeoutMs, maxBytes);
      return new RemoteJwks(jwksUriOf(issuer, url, body), options);
    } catch (thrown) {
      failures.push(coreError(thrown));
    }
  }
  const invalid = failures.find((err) => err.code === 'ERR_JWKS_INVALID');
  const code = (invalid ?? failures[0]).code ?? 'ERR_JWKS_FETCH_FAILED';
  const reasons = failures.map((err) => err.message).join('; ');
  throw new JoseError(code, `metadata discovery for issuer ${issuer} failed: ${reasons}`, { url: urls[0] });
}
