// ReplayCache as invariants over many random sequences, and markUsedWithin (a store bounded by
// a timeout, failing closed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayCache } from '../../pkg/node.mjs';
import { markUsedWithin } from '../../pkg/lib/replay.js';
import { seededInt } from './helpers.mjs';

// A model of the rules: every accepted (key, expiresAt) is live until expiresAt.
test('ReplayCache invariants over random sequences: never twice while live, never evicted early, full refuses then recovers', () => {
  for (let seed = 1; seed <= 300; seed += 1) {
    const random = seededInt(seed);
    let now = 1_000;
    const maxEntries = 1 + random(20);
    const cache = new ReplayCache({ maxEntries, clock: () => now });
    const accepted = new Map(); // key -> expiresAt of its live acceptance
    let refusedFull = 0;
    for (let step = 0; step < 400; step += 1) {
      now += random(4) === 0 ? random(30) : 0;
      const key = `k${random(30)}`;
      const expiresAt = now + random(60) + (random(10) === 0 ? 0.5 : 0);
      for (const [k, until] of accepted) if (until <= now) accepted.delete(k);
      const live = accepted.has(key);
      let result;
      try {
        result = cache.markUsed(key, expiresAt);
      } catch (err) {
        assert.equal(err.code, 'ERR_REPLAY_STORE_FULL', `seed ${seed} step ${step}`);
        assert.ok(!live, `seed ${seed} step ${step}: a live key is answered false, not "full"`);
        assert.equal(accepted.size, maxEntries, `seed ${seed} step ${step}: refused only when full of live entries`);
        refusedFull += 1;
        continue;
      }
      if (live) {
        assert.equal(result, false, `seed ${seed} step ${step}: ${key} accepted twice while live`);
      } else {
        assert.equal(result, true, `seed ${seed} step ${step}: ${key} refused though not live (evicted early? no: refused late)`);
        if (expiresAt > now) accepted.set(key, expiresAt);
      }
      assert.ok(cache.size <= maxEntries);
    }
    // Once every entry has expired, the cache accepts again.
    now += 1_000;
    assert.equal(cache.markUsed(`fresh-${seed}`, now + 10), true, `seed ${seed}: accepted again after expiry (${refusedFull} refused while full)`);
  }
});

test('ReplayCache default maxEntries is 100000: the 100001st live entry is refused', () => {
  const cache = new ReplayCache({ clock: () => 0 });
  for (let i = 0; i < 100_000; i += 1) cache.markUsed(`j${i}`, 100);
  assert.throws(() => cache.markUsed('one-more', 100), { code: 'ERR_REPLAY_STORE_FULL' });
  assert.equal(cache.markUsed('j0', 100), false, 'the first one still replays as used');
});

test('markUsedWithin passes true/false through and fails closed on every store failure', async () => {
  const answers = (value) => ({ markUsed: () => value });
  assert.equal(await markUsedWithin(answers(true), 'a b', 10, 100), true);
  assert.equal(await markUsedWithin(answers(Promise.resolve(false)), 'a b', 10, 100), false);
  const stored = [];
  await markUsedWithin({ markUsed: (key, at) => (stored.push([key, at]), true) }, 'client-1 jti-9', 1234, 100);
  assert.deepEqual(stored, [['client-1 jti-9', 1234]]);

  const failing = {
    throws: { markUsed() { throw new Error('boom'); } },
    rejects: { markUsed: async () => { throw new Error('boom'); } },
    rejectsWithText: { markUsed: () => Promise.reject('down') },
    undefined: answers(undefined),
    truthy: answers(1),
    string: answers(Promise.resolve('true')),
    null: answers(null),
    hangs: { markUsed: () => new Promise(() => {}) },
    slow: { markUsed: () => new Promise((resolve) => setTimeout(() => resolve(true), 500)) },
  };
  for (const [name, store] of Object.entries(failing)) {
    const started = Date.now();
    await assert.rejects(markUsedWithin(store, 'a b', 10, 50), { code: 'ERR_REPLAY_STORE_UNAVAILABLE' }, name);
    assert.ok(Date.now() - started < 400, `${name}: bounded by the timeout`);
  }
  const full = new ReplayCache({ maxEntries: 1, clock: () => 0 });
  full.markUsed('x', 10);
  await assert.rejects(markUsedWithin(full, 'y', 10, 50), { code: 'ERR_REPLAY_STORE_FULL' });
});

test('replayTimeoutMs is read by the core: a wrong one is a TypeError naming it', async () => {
  const { checkAssertion } = await import('../../pkg/node.mjs');
  for (const bad of [0, -1, NaN, Infinity, '5000', null, 2 ** 31]) {
    await assert.rejects(checkAssertion('a.b.c', { clientId: 'c', audience: 'a', keys: { keys: [] }, replay: new ReplayCache(), replayTimeoutMs: bad }), (err) => err instanceof TypeError && err.option === 'replayTimeoutMs', String(bad));
  }
});
