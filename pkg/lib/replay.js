// Single use of `jti`: the ReplayStore contract and ReplayCache, the in-memory store.
//
// A ReplayStore is any object with `markUsed(jti, expiresAt)` returning (a Promise of)
// `true` the first time and `false` when the jti is already in use; `expiresAt` (seconds) is
// when the token stops being accepted, so when the store may forget it. A shared store must
// make markUsed atomic (e.g. Redis `SET key 1 NX EXAT expiresAt`). Every failure of a store
// fails closed: the token is refused.

import { JoseError, fromCore } from './errors.js';
import { settleWithin } from './settle.js';

const DEFAULT_MAX_ENTRIES = 100000;
export const DEFAULT_REPLAY_TIMEOUT_MS = 5000;

/**
 * `store.markUsed(key, expiresAt)`, bounded by `timeoutMs`: resolves to true (first use) or
 * false (already used). Throws `ERR_REPLAY_STORE_UNAVAILABLE` when the store throws, rejects,
 * returns anything but true/false, or does not settle within `timeoutMs`; a store's own
 * `ERR_REPLAY_STORE_FULL` is passed on.
 */
export async function markUsedWithin(store, key, expiresAt, timeoutMs = DEFAULT_REPLAY_TIMEOUT_MS) {
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`replayTimeoutMs must be a positive finite number of ms, got ${String(timeoutMs)}`);
  }
  const outcome = await settleWithin(() => store.markUsed(key, expiresAt), timeoutMs);
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

// Called after every other check passed, so only authenticated tokens reach the store.
async function markUsed(store, jti, expiresAt, payload, timeoutMs) {
  const fresh = await markUsedWithin(store, jti, expiresAt, timeoutMs);
  if (!fresh) {
    throw new JoseError('ERR_JWT_REPLAYED', `"jti" ${JSON.stringify(jti)} has already been used`, { claim: 'jti', reason: 'check_failed', payload });
  }
}

// A profile's last steps once the signature and claims verified: `check()` (the core's
// profile checks, returning `{jti?, replayUntil?, ...}` as JSON text), then the jti marked used
// when a store is given. A claim error carries the payload. Returns the parsed outcome.
export async function checkThenMarkUsed(verified, check, store, timeoutMs = DEFAULT_REPLAY_TIMEOUT_MS) {
  let outcome;
  try {
    outcome = JSON.parse(check());
  } catch (err) {
    throw fromCore(err, (parsed) => (parsed.claim ? { payload: verified.payload } : undefined));
  }
  if (store && outcome.replayUntil !== null) {
    await markUsed(store, outcome.jti, outcome.replayUntil, verified.payload, timeoutMs);
  }
  return outcome;
}

export function checkStore(store) {
  if (store !== undefined && typeof store?.markUsed !== 'function') {
    throw new TypeError('replay must be a ReplayStore: an object with markUsed(jti, expiresAt)');
  }
}

/**
 * In-memory ReplayStore for one process. Holds at most `maxEntries` jtis (default 100000);
 * each is kept until its `expiresAt` and never forgotten before. When it is full of live
 * entries, `markUsed` throws `ERR_REPLAY_STORE_FULL` (the token is refused: evicting a live
 * entry would let it replay), so size it for your peak rate times the longest accepted
 * lifetime. `clock` returns "now" in seconds (default: the host clock); pass the same notion
 * of now as `currentDate`.
 */
export class ReplayCache {
  #expiries = new Map(); // jti -> expiresAt
  #heap = []; // [expiresAt, jti], a min-heap with one item per live entry
  #maxEntries;
  #clock;

  constructor({ maxEntries = DEFAULT_MAX_ENTRIES, clock = () => Date.now() / 1000 } = {}) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('maxEntries must be a positive integer');
    if (typeof clock !== 'function') throw new TypeError('clock must be a function returning seconds');
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  get size() {
    return this.#expiries.size;
  }

  markUsed(jti, expiresAt) {
    if (typeof jti !== 'string' || jti === '') throw new TypeError('jti must be a non-empty string');
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) throw new TypeError('expiresAt must be a number of seconds');
    this.#forgetExpired(this.#clock());
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
