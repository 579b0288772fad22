// RemoteJwks and discoverJwks (API.md). The cache policy (src/remote.rs) and the fetch with its
// timeout, size limit and redirect refusal (src/bindings/remote.rs) run in the core; this class
// holds the policy object, the parsed KeySet and the one fetch in flight, which every caller
// that needs a fetch shares, and moves state text between the policy and a JwksStore.

import { WasmRemoteCache, checkRemoteOptions, fetchText, tokenKid, hasCandidate, metadataUrls, jwksUriOf, checkRemoteUrl, quoteText } from '../gen/jwks_verify.js';
import { JoseError, fromCore } from './errors.js';
import { handleOf, parseJwks } from './keys.js';
import { instanceId, isReady, loadProtocol, recoverFrom, release } from './runtime.js';
import { settleWithin } from './settle.js';
import { lentToJSON, member, ownOptions } from './own.js';

const DEFAULTS = { timeoutMs: 5000, maxBytes: 1048576 };
const JWKS_ACCEPT = 'application/jwk-set+json, application/json;q=0.9';
// While another process holds the store's fetch lease, how often to read the store again.
const STORE_POLL_MS = 25;
const METADATA_ACCEPT = 'application/json';

// Remote errors carry the URL and the kids the cache knows.
const coreError = (thrown) => fromCore(thrown, (parsed) => ({ url: parsed.url }));

// The normalized URL; the core judges it (in #core, or here once the wasm is loaded). The
// text is not echoed: it may hold credentials.
function normalizedUrl(url, what) {
  try {
    return new URL(String(url)).href;
  } catch {
    throw Object.assign(new TypeError(`${what} must be an absolute http: or https: URL (it does not parse as one)`), { code: 'ERR_INVALID_URL' });
  }
}

// What the fetch takes from RemoteOptions (the core reads and validates all of them; the
// header names and values and the store's methods are checked here, by the host's rules).
export function settingsOf(options) {
  const [store, headersOption, timeoutMs, maxBytes, fetch] = ['store', 'headers', 'timeoutMs', 'maxBytes', 'fetch'].map((name) => member(options, name));
  // The core checks that `store` is an object; its interface is the host's to check.
  if (store !== undefined && store !== null && (typeof store.get !== 'function' || typeof store.set !== 'function')) {
    throw Object.assign(new TypeError('RemoteJwks option store must be a JwksStore: an object with get(url) and set(url, state, ttlMs)'), { code: 'ERR_INVALID_OPTION', option: 'store' });
  }
  let headers;
  try {
    headers = Object.fromEntries(new Headers(headersOption ?? {}));
  } catch (err) {
    throw Object.assign(new TypeError(`RemoteJwks option headers: ${err.message}`), { code: 'ERR_INVALID_OPTION', option: 'headers' });
  }
  return {
    options,
    timeoutMs: timeoutMs ?? DEFAULTS.timeoutMs,
    maxBytes: maxBytes ?? DEFAULTS.maxBytes,
    fetch: fetch ?? null,
    store: store ?? null,
    // On an object with no prototype: a toJSON a polluted Object.prototype holds is not called.
    headersJson: (accept) => JSON.stringify(Object.assign(Object.create(null), { accept }, headers)),
  };
}

// Anything a fetch threw, as the error JSON the core records.
function errorText(thrown, url) {
  if (typeof thrown === 'string' && thrown[0] === '{') return thrown;
  const quoted = coreCall(() => [quoteText(url), quoteText(thrown?.message ?? String(thrown))]);
  return JSON.stringify({ code: 'ERR_JWKS_FETCH_FAILED', message: `GET ${quoted[0]} failed: ${quoted[1]}` });
}

// A call into the core, its errors as coreError's (a trap replaces the instance).
function coreCall(call) {
  try {
    return call();
  } catch (err) {
    throw coreError(err);
  }
}

function stateText(state) {
  if (state === undefined || state === null) return 'null';
  if (typeof state === 'string') return state;
  // A polluted prototype's toJSON would be serialized instead of the state (its keys): refused
  // as malformed.
  if (lentToJSON()) return '';
  try {
    // A state that is no JSON (a BigInt, a cycle; undefined for a function or a Symbol) is
    // refused by the core as malformed.
    return JSON.stringify(state) ?? '';
  } catch {
    return '';
  }
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
    this.#url = normalizedUrl(url, 'RemoteJwks url');
    this.#settings = settingsOf(ownOptions(options, 'RemoteJwks'));
    if (isReady()) this.#core();
  }

  /** A RemoteJwks that starts from `exportState()` output (null or undefined: empty). */
  static fromState(url, state, options) {
    const remote = new RemoteJwks(url, options);
    release(remote.#cache, remote.#instance);
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
        checkRemoteUrl('RemoteJwks url', this.#url);
        this.#cache = this.#pendingState === undefined
          ? new WasmRemoteCache(this.#url, this.#settings.options)
          : WasmRemoteCache.fromState(this.#url, this.#settings.options, this.#pendingState, Date.now());
        if (this.#settings.store !== null) this.#cache.setShared(true);
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
    await loadProtocol();
    return this.#resolve(undefined);
  }

  /** The key set to verify `token` with: refetched once for an unknown `kid` unless cooling down. */
  async keySetFor(token, maxTokenLength = 16384) {
    await loadProtocol();
    let kid;
    try {
      kid = tokenKid(token, maxTokenLength);
    } catch (err) {
      throw coreError(err);
    }
    const keySet = await this.#resolve(kid);
    // A set with no key for the token (a kid-less token whose alg no key fits, a known kid
    // whose key changed type) gets the unknown-kid refetch too, as jose's reload on any "no
    // matching key"; with a store, once per cooldown across the processes sharing it.
    // Through coreError, as every call into the core: a trap replaces the instance.
    let action;
    try {
      if (hasCandidate(handleOf(keySet), token, maxTokenLength)) return keySet;
      action = this.#core().decideWithoutCandidate(Date.now(), false);
    } catch (err) {
      throw coreError(err);
    }
    if (action === 'serve') return keySet;
    await (action === 'fetch' ? this.#fetch(kid, true, true) : this.#inFlight ?? Promise.resolve()).catch(() => {});
    const refetched = await this.#resolve(kid);
    // Still no key for it: the core throws the refetch's error when that refetch failed.
    try {
      if (!hasCandidate(handleOf(refetched), token, maxTokenLength)) this.#core().decideWithoutCandidate(Date.now(), true);
    } catch (err) {
      throw coreError(err);
    }
    return refetched;
  }

  /** Fetches now (or joins the fetch in flight); rejects when that fetch fails. */
  async refresh() {
    await loadProtocol();
    this.#core();
    await (this.#inFlight ?? this.#fetch(undefined, false));
    return this.#currentKeySet();
  }

  stats() {
    if (!this.#cache && !isReady()) return { fetches: 0, lastFetchAt: null, lastError: null, kids: [] };
    const stats = JSON.parse(coreCall(() => this.#core().stats()));
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
    return JSON.parse(coreCall(() => this.#core().exportState()));
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
      const next = { fetch: () => this.#fetch(kid, true), consult: () => this.#consult(kid) }[action];
      await (next ? next() : this.#inFlight ?? Promise.resolve()).catch(() => {});
      waited = true;
    }
  }

  // The one fetch in flight: the shared store first (when `viaStore`), then upstream, then the
  // resulting state back to the store.
  #fetch(kid, viaStore, withoutCandidate = false) {
    const cache = this.#core();
    try {
      cache.startFetch(Date.now());
    } catch (err) {
      throw coreError(err);
    }
    const pending = this.#run(cache, kid, viaStore && this.#settings.store !== null, withoutCandidate);
    this.#inFlight = pending;
    // Its callers swallow its failure (the policy recorded it): a trap in it (a call into the
    // core outside coreError: startFetch, requestHeaders, exportState) still replaces the instance.
    pending.then(
      () => this.#settle(pending),
      (err) => {
        recoverFrom(err);
        this.#settle(pending);
      },
    );
    return pending;
  }

  // A miss held back by the cooldown: another process may have fetched what is missing.
  #consult(kid) {
    const cache = this.#core();
    coreCall(() => cache.startConsult(Date.now()));
    const pending = this.#readStore(cache, kid).finally(() => cache.cancelFetch());
    this.#inFlight = pending;
    pending.then(() => this.#settle(pending), (err) => {
      recoverFrom(err);
      this.#settle(pending);
    });
    return pending;
  }

  async #run(cache, kid, viaStore, withoutCandidate) {
    const { fetch, headersJson, timeoutMs, maxBytes } = this.#settings;
    let storeWorks = this.#settings.store !== null;
    if (viaStore) {
      // Another process fetching (the policy says "wait") is waited for, up to timeoutMs.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const verdict = await this.#readStore(cache, kid, withoutCandidate);
        if (verdict === 'skip') return;
        if (verdict === 'unavailable') storeWorks = false;
        if (verdict !== 'wait' || Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(STORE_POLL_MS, deadline - Date.now())));
      }
      if (storeWorks) await this.#writeStore(cache); // marks the fetch in flight for the others
    }
    let failure = null;
    let result;
    try {
      result = await fetchText(this.#url, fetch, cache.requestHeaders(headersJson(JWKS_ACCEPT)), timeoutMs, maxBytes);
    } catch (thrown) {
      // A trap (in requestHeaders or the fetch's own wasm) is no fetch failure to record on
      // the dead instance: it replaces the instance.
      if (typeof WebAssembly !== 'undefined' && thrown instanceof WebAssembly.RuntimeError) throw coreError(thrown);
      failure = coreError(cache.fetchFailed(Date.now(), errorText(thrown, this.#url)));
    }
    if (!failure) {
      try {
        cache.fetchSucceeded(Date.now(), result);
      } catch (thrown) {
        failure = coreError(thrown);
      }
    }
    // A store that just failed is not waited for again (the write is still tried).
    const written = this.#writeStore(cache);
    if (storeWorks) await written;
    else written.catch(recoverFrom); // not waited for; a trap in it still replaces the instance
    if (failure) throw failure;
  }

  // The policy's verdict on the store's state: "skip" (the fetch is not needed), "fetch" or
  // "wait"; "unavailable" when the store failed or timed out. A store that fails or holds a
  // malformed state is ignored: the fetch goes on, as without a store.
  async #readStore(cache, kid, withoutCandidate = false) {
    const { store, timeoutMs } = this.#settings;
    const read = await settleWithin(() => store.get(this.#url), timeoutMs);
    if (!read.ok) return 'unavailable';
    if (typeof read.value !== 'string') return 'fetch';
    try {
      return withoutCandidate ? cache.adoptStateWithoutCandidate(Date.now(), read.value) : cache.adoptState(Date.now(), read.value, kid);
    } catch (err) {
      // A trap is not a malformed state: the instance is replaced (coreError) and this fetch,
      // on the dead instance's cache, ends; the next call starts on a fresh one.
      if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError) throw coreError(err);
      return 'fetch';
    }
  }

  // Writes the state after a fetch, bounded by timeoutMs; a failing store is ignored.
  async #writeStore(cache) {
    const { store, timeoutMs } = this.#settings;
    // Not while a polluted prototype's toJSON would be written instead (to every process).
    if (store === null || lentToJSON()) return;
    // Both calls into the core out of the store's callback: settleWithin would take a trap
    // for a failing store and swallow it.
    const text = JSON.stringify(JSON.parse(cache.exportState()));
    const ttlMs = cache.storeTtlMs(Date.now());
    await settleWithin(() => store.set(this.#url, text, ttlMs), timeoutMs);
  }

  #settle(pending) {
    if (this.#inFlight === pending) this.#inFlight = null;
  }

  #currentKeySet() {
    const cache = this.#core();
    const generation = coreCall(() => cache.generation());
    if (generation !== this.#generation) {
      this.#keySet = parseJwks(coreCall(() => cache.jwksText()), { maxKeys: this.#settings.options?.maxKeys });
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
  await loadProtocol();
  if (typeof issuer !== 'string') throw Object.assign(new TypeError('discoverJwks issuer must be a string: an absolute http: or https: URL'), { code: 'ERR_INVALID_URL' });
  try {
    checkRemoteUrl('discoverJwks issuer', normalizedUrl(issuer, 'discoverJwks issuer'));
  } catch (err) {
    throw coreError(err);
  }
  const read = ownOptions(options, 'discoverJwks');
  try {
    checkRemoteOptions(read, 'discoverJwks');
  } catch (err) {
    throw coreError(err);
  }
  const { fetch, headersJson, timeoutMs, maxBytes } = settingsOf(read);
  let urls;
  try {
    urls = JSON.parse(metadataUrls(issuer));
  } catch (err) {
    throw coreError(err);
  }
  const failures = [];
  // `timeoutMs` bounds the whole discovery: the RFC 8414 request gets what the OpenID one left,
  // so an issuer that does not answer costs timeoutMs once, not once per metadata URL. The
  // first request always gets all of it (with timeoutMs 1 a clock tick could leave none, and
  // then no failure to report), and none more than it (a clock set back, or Date.now faked).
  const started = Date.now();
  for (const url of urls) {
    const remainingMs = failures.length === 0 ? timeoutMs : Math.min(timeoutMs, timeoutMs - (Date.now() - started));
    if (!(remainingMs > 0)) break;
    try {
      const { body } = await fetchText(url, fetch, headersJson(METADATA_ACCEPT), remainingMs, maxBytes);
      return new RemoteJwks(jwksUriOf(issuer, url, body), read);
    } catch (thrown) {
      const failure = coreError(thrown);
      failures.push(failure);
      // A timeout is the deadline passed, even when Date.now() does not show it yet (Node's
      // timers run on the event loop's cached clock): nothing is left for another request.
      if (failure.code === 'ERR_JWKS_TIMEOUT') break;
    }
  }
  const invalid = failures.find((err) => err.code === 'ERR_JWKS_INVALID');
  const code = (invalid ?? failures[0]).code ?? 'ERR_JWKS_FETCH_FAILED';
  const reasons = failures.map((err) => err.message).join('; ');
  throw new JoseError(code, `metadata discovery for issuer ${coreCall(() => quoteText(issuer))} failed: ${reasons}`, { url: urls[0] });
}
