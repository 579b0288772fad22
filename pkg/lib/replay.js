// Single use of `jti`: the ReplayStore contract and ReplayCache, the in-memory store.
//
// A ReplayStore is any object with `markUsed(jti, expiresAt)` returning (a Promise of)
// `true` the first time and `false` when the jti is already in use; `expiresAt` (seconds) is
// when the token stops being accepted, so when the store may forget it. A shared store must
// make markUsed atomic (e.g. Redis `SET key 1 NX EXAT expiresAt`). Every failure of a store
// fails closed: the token is refused.

import { replayCacheOptions, quoteText } from '../gen/jwks_verify.js';
import { JoseError, core } from './errors.js';
import { assertReady, isReady } from './runtime.js';
import { settleWithin } from './settle.js';
import { ownOptions } from './own.js';

// While the library calls a store's markUsed: the now (seconds) of the check whose key it marks,
// the clock that key's expiresAt is counted in (the core's `checkedAt`). A ReplayCache without a
// `clock` of its own runs on it: on the host clock, a key stored by a check at a currentDate in
// the past had already expired, was forgotten by the next call, and the token was accepted again.
// Handed to the store the library calls, through a ReplayCache method under a registry symbol
// (a ReplayCache of another copy of the package, as Node's ESM and CommonJS entries load one
// each, has it too), set only while that store's markUsed runs: a markUsed the store makes
// itself on another cache (a wrapper's, say) is the caller's own and runs on the host clock.
const CHECKED_AT = Symbol.for('jwks-verify.ReplayCache.checkedAt');

/**
 * `store.markUsed(key, expiresAt)`, bounded by `timeoutMs`: resolves to true (first use) or
 * false (already used). Throws `ERR_REPLAY_STORE_UNAVAILABLE` when the store throws, rejects,
 * returns anything but true/false, or does not settle within `timeoutMs`; a store's own
 * `ERR_REPLAY_STORE_FULL` is passed on.
 */
export async function markUsedWithin(store, key, expiresAt, timeoutMs, checkedAt) {
  const outcome = await settleWithin(() => {
    const handOver = typeof store[CHECKED_AT] === 'function';
    try {
      if (handOver) store[CHECKED_AT](checkedAt);
      return store.markUsed(key, expiresAt);
    } finally {
      if (handOver) store[CHECKED_AT](undefined);
    }
  }, timeoutMs);
  if (!outcome.ok) {
    const { error } = outcome;
    if (error instanceof JoseError && error.code === 'ERR_REPLAY_STORE_FULL') throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new JoseError('ERR_REPLAY_STORE_UNAVAILABLE', `the replay store failed, so the token is refused: ${why}`);
  }
  if (outcome.value !== true && outcome.value !== false) {
    const got = outcome.value === null ? 'null' : typeof outcome.value;
    throw new JoseError('ERR_REPLAY_STORE_UNAVAILABLE', `the replay store's markUsed returned ${got}, not true or false, so the token is refused`);
  }
  return outcome.value;
}

/**
 * The single-use check of a verified token, after every other check passed: the core gives
 * the scoped key and the first instant the token is refused (`replay`) and the timeout;
 * a key in use → ERR_JWT_REPLAYED.
 */
export async function markUsedOnce(store, replay, timeoutMs, payload) {
  if (typeof store?.markUsed !== 'function') throw Object.assign(new TypeError('replay must be a ReplayStore: an object with markUsed(key, expiresAt)'), { code: 'ERR_INVALID_OPTION', option: 'replay' });
  if (!(await markUsedWithin(store, replay.key, replay.expiresAt, timeoutMs, replay.checkedAt))) {
    // The verified jti (a scope, such as a client id, may itself hold a space), quoted by the
    // core's rule for attacker-controlled text.
    const jti = typeof payload?.jti === 'string' ? payload.jti : replay.key.slice(replay.key.indexOf(' ') + 1);
    throw new JoseError('ERR_JWT_REPLAYED', `"jti" ${core(() => quoteText(jti))} has already been used`, { claim: 'jti', reason: 'check_failed', payload });
  }
}

/**
 * In-memory ReplayStore for one process. Holds at most `maxEntries` jtis (default 100000);
 * each is kept until its `expiresAt` and never forgotten before. When it is full of live
 * entries, `markUsed` throws `ERR_REPLAY_STORE_FULL` (the token is refused: evicting a live
 * entry would let it replay), so size it for your peak rate times the longest accepted
 * lifetime. `clock` returns "now" in seconds. Without one, the cache runs on the now of the
 * check whose jti the library marks (its `currentDate`, else the host clock), and on the host
 * clock when you call `markUsed` yourself.
 */
export class ReplayCache {
  #expiries = new Map(); // jti -> expiresAt
  #heap = []; // [expiresAt, jti], a min-heap with one item per live entry
  #maxEntries;
  #clock;
  #checkedAt; // the now of the library's check whose key is being marked (CHECKED_AT)

  // The options are read by the core: at once where the wasm module is loaded, else (a
  // browser before `ready()`) on first use.
  #options;

  constructor(options) {
    this.#options = options;
    if (isReady()) this.#settings();
  }

  #settings() {
    if (this.#maxEntries === undefined) {
      // In a browser before `ready()` the core cannot read the options yet (API.md "Loading").
      assertReady('ReplayCache.markUsed');
      // Read once (own.js ownOptions), the core's reading and the clock the same: the clock
      // was read again, inherited members included (a polluted Object.prototype.clock far in
      // the future forgot every jti at once: each replay was a first use), and a getter could
      // answer a clock the core never checked.
      const read = ownOptions(this.#options, 'ReplayCache');
      this.#maxEntries = core(() => replayCacheOptions(read));
      this.#clock = read?.clock;
      this.#options = undefined;
    }
  }

  [CHECKED_AT](now) {
    this.#checkedAt = typeof now === 'number' ? now : undefined;
  }

  get size() {
    return this.#expiries.size;
  }

  markUsed(jti, expiresAt) {
    this.#settings();
    if (typeof jti !== 'string' || jti === '') throw Object.assign(new TypeError('ReplayCache.markUsed: jti must be a non-empty string'), { code: 'ERR_INVALID_OPTION', option: 'jti' });
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) throw Object.assign(new TypeError('ReplayCache.markUsed: expiresAt must be a finite number of seconds'), { code: 'ERR_INVALID_OPTION', option: 'expiresAt' });
    const now = this.#clock ? this.#clock() : this.#checkedAt ?? Date.now() / 1000;
    if (typeof now !== 'number' || !Number.isFinite(now)) throw Object.assign(new TypeError(`ReplayCache: clock() must return a finite number of seconds; it returned ${typeof now === 'number' ? now : typeof now}`), { code: 'ERR_INVALID_OPTION', option: 'clock' });
    this.#forgetExpired(now);
    if (this.#expiries.has(jti)) return false;
    if (this.#expiries.size >= this.#maxEntries) {
      const [soonest] = this.#heap[0];
      throw new JoseError(
        'ERR_REPLAY_STORE_FULL',
        `ReplayCache is full: ${this.#maxEntries} jtis in use (maxEntries), the first expires at ${soonest}; the token is refused`,
      );
    }
    this.#expiries.set(jti, expiresAt);
    this.#push([expiresAt, jti]);
    return true;
  }

  #forgetExpired(now) {
    const heap = this.#heap;
    while (heap.length && heap[0][0] <= now) {
      const [expiresAt, jti] = this.#pop();
      if (this.#expiries.get(jti) === expiresAt) this.#expiries.delete(jti);
    }
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
