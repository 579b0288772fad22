// Single use of `jti`: the ReplayStore contract and ReplayCache, the in-memory store.
//
// A ReplayStore is any object with `markUsed(jti, expiresAt)` returning (a Promise of)
// `true` the first time and `false` when the jti is already in use; `expiresAt` (seconds) is
// when the token stops being accepted, so when the store may forget it. A shared store must
// make markUsed atomic (e.g. Redis `SET key 1 NX EXAT expiresAt`).

import { JoseError, fromCore } from './errors.js';

const DEFAULT_MAX_ENTRIES = 10000;

// How long a shared store may take to answer before the check fails closed.
const STORE_TIMEOUT_MS = 5000;

// The store's answer, bounded: a store that throws, rejects, answers something other than
// true/false or does not answer in time makes the check fail closed.
async function markUsedWithin(store, key, expiresAt, timeoutMs) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs);
  });
  let answer;
  try {
    answer = await Promise.race([Promise.resolve().then(() => store.markUsed(key, expiresAt)).then((fresh) => ({ fresh })), timeout]);
  } catch (err) {
    if (err instanceof JoseError) throw err;
    throw new JoseError('ERR_REPLAY_STORE_UNAVAILABLE', `the replay store failed: ${err?.message ?? String(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  if (answer.timedOut) throw new JoseError('ERR_REPLAY_STORE_UNAVAILABLE', `the replay store did not answer within ${timeoutMs} ms`);
  if (typeof answer.fresh !== 'boolean') {
    throw new JoseError('ERR_REPLAY_STORE_UNAVAILABLE', 'ReplayStore.markUsed must return true or false (or a Promise of it)');
  }
  return answer.fresh;
}

// Called after every other check passed, so only authenticated tokens reach the store.
async function markUsed(store, jti, expiresAt, payload) {
  const fresh = await markUsedWithin(store, jti, expiresAt, STORE_TIMEOUT_MS);
  if (!fresh) {
    throw new JoseError('ERR_JWT_REPLAYED', `"jti" ${JSON.stringify(jti)} has already been used`, { claim: 'jti', reason: 'check_failed', payload });
  }
}

// A profile's last steps once the signature and claims verified: `check()` (the core's
// profile checks, returning `{jti?, replayUntil?, ...}` as JSON text), then the jti marked used
// when a store is given. A claim error carries the payload. Returns the parsed outcome.
export async function checkThenMarkUsed(verified, check, store) {
  let outcome;
  try {
    outcome = JSON.parse(check());
  } catch (err) {
    throw fromCore(err, (parsed) => (parsed.claim ? { payload: verified.payload } : undefined));
  }
  if (store && outcome.replayUntil !== null) {
    await markUsed(store, outcome.jti, outcome.replayUntil, verified.payload);
  }
  return outcome;
}

export function checkStore(store) {
  if (store !== undefined && typeof store?.markUsed !== 'function') {
    throw new TypeError('replay must be a ReplayStore: an object with markUsed(jti, expiresAt)');
  }
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
