// Single use of `jti`: the ReplayStore contract and ReplayCache, the in-memory store.
//
// A ReplayStore is any object with `markUsed(jti, expiresAt)` returning (a Promise of)
// `true` the first time and `false` when the jti is already in use; `expiresAt` (seconds) is
// when the token stops being accepted, so when the store may forget it. A shared store must
// make markUsed atomic (e.g. Redis `SET key 1 NX EXAT expiresAt`).

import { replayCacheOptions } from '../gen/jwks_verify.js';
import { JoseError, core } from './errors.js';
import { isReady } from './runtime.js';

function unavailable(why) {
  return new JoseError('ERR_REPLAY_STORE_UNAVAILABLE', `the replay store ${why}; the token is refused (fail closed)`);
}

/**
 * The single-use check of a verified token: `store.markUsed(replay.key, replay.expiresAt)`
 * (the key and instant come from the core), bounded by `timeoutMs`. `false` → ERR_JWT_REPLAYED;
 * a store that throws, rejects, answers anything but a boolean or does not settle in time →
 * ERR_REPLAY_STORE_UNAVAILABLE.
 */
export async function markUsedWithin(store, replay, timeoutMs, payload) {
  if (typeof store?.markUsed !== 'function') throw new TypeError('replay must be a ReplayStore: an object with markUsed(key, expiresAt)');
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(unavailable(`did not answer within ${timeoutMs} ms (replayTimeoutMs)`)), timeoutMs);
  });
  let fresh;
  try {
    fresh = await Promise.race([Promise.resolve().then(() => store.markUsed(replay.key, replay.expiresAt)), deadline]);
  } catch (err) {
    throw err instanceof JoseError ? err : unavailable(`failed (${err?.message ?? String(err)})`);
  } finally {
    clearTimeout(timer);
  }
  if (fresh === false) {
    throw new JoseError('ERR_JWT_REPLAYED', `"jti" ${JSON.stringify(replay.key.slice(replay.key.indexOf(' ') + 1)).slice(0, 66)} has already been used`, { claim: 'jti', reason: 'check_failed', payload });
  }
  if (fresh !== true) throw unavailable('answered neither true nor false');
}

/**
 * In-memory ReplayStore for one process. Holds at most `maxEntries` jtis (default 10000);
 * each is forgotten at its `expiresAt`. When full, expired entries go first, then the oldest,
 * so size it for your peak rate times the longest accepted lifetime. `clock` returns "now"
 * in seconds (default: the host clock); pass the same notion of now as `currentDate`.
 */
export class ReplayCache {
  #expiries = new Map(); // jti -> expiresAt, in insertion order
  #heap = []; // [expiresAt, jti], a min-heap; entries whose jti was evicted are skipped
  #maxEntries;
  #clock;

  // The options are read by the core: at once where the wasm module is loaded, else (a
  // browser before `ready()`) on first use.
  #options;

  constructor(options) {
    this.#options = options;
    if (isReady()) this.#settings();
  }

  #settings() {
    if (this.#maxEntries === undefined) {
      this.#maxEntries = core(() => replayCacheOptions(this.#options));
      this.#clock = this.#options?.clock ?? (() => Date.now() / 1000);
      this.#options = undefined;
    }
  }

  get size() {
    return this.#expiries.size;
  }

  markUsed(jti, expiresAt) {
    this.#settings();
    if (typeof jti !== 'string' || jti === '') throw new TypeError('jti must be a non-empty string');
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) throw new TypeError('expiresAt must be a number of seconds');
    this.#forgetExpired(this.#clock());
    if (this.#expiries.has(jti)) return false;
    if (this.#expiries.size >= this.#maxEntries) this.#expiries.delete(this.#expiries.keys().next().value);
    this.#expiries.set(jti, expiresAt);
    this.#push([expiresAt, jti]);
    if (this.#heap.length > 2 * this.#maxEntries) this.#rebuild();
    return true;
  }

  #forgetExpired(now) {
    const heap = this.#heap;
    while (heap.length && heap[0][0] <= now) {
      const [expiresAt, jti] = this.#pop();
      if (this.#expiries.get(jti) === expiresAt) this.#expiries.delete(jti);
    }
  }

  // Entries dropped as "oldest" leave their heap item behind; rebuild before it piles up.
  #rebuild() {
    this.#heap = [];
    for (const [jti, expiresAt] of this.#expiries) this.#push([expiresAt, jti]);
  }

  #push(item) {
    const heap = this.#heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent][0] <= heap[i][0]) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  #pop() {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && heap[left][0] < heap[smallest][0]) smallest = left;
        if (right < heap.length && heap[right][0] < heap[smallest][0]) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
        i = smallest;
      }
    }
    return top;
  }
}
