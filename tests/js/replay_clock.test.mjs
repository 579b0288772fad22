// A ReplayCache without a `clock` keeps the keys the library marks by the clock of the check that
// marked them (its currentDate, else the host clock): over many check dates, from years in the
// past to the future, a token accepted once by checkAssertion, verifyWebhook or verifyDpopProof
// is refused as replayed by every later check at that date. On the host clock alone, a key
// stored by a check in the past had already expired and was accepted again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayCache } from '../../pkg/node.mjs';
import { outcome } from './helpers.mjs';
import { replayProfiles } from './support/replay-profiles.mjs';

const hostNow = () => Math.floor(Date.now() / 1000);

// The tests are made per profile, so the profiles exist before them.
const { profiles: PROFILES } = await replayProfiles();

// Check dates relative to the host clock: far past, recent past, around now, future.
function checkDates() {
  const offsets = [-10 * 365 * 86400, -400 * 86400, -86400, -3601, -601, -301, -31, -1, 0, 1, 29, 299, 3600, 86400];
  for (let i = 0; i < 6; i++) offsets.push(-Math.floor(Math.random() * 5 * 365 * 86400));
  return offsets.map((offset, i) => {
    const seconds = hostNow() + offset;
    // Both forms of currentDate.
    return i % 2 ? seconds : new Date(seconds * 1000);
  });
}
const secondsOf = (date) => (typeof date === 'number' ? date : Math.floor(date.getTime() / 1000));

// Each profile: a fresh token issued at `at`, and its check with `replay` at that date.
const checkAt = async (make, at, replay) => {
  const check = await make(secondsOf(at));
  return () => check(replay, at);
};

for (const [name, make] of Object.entries(PROFILES)) {
  test(`${name}: a default ReplayCache keeps each key for later checks at the same date, whatever the host clock says`, async () => {
    const replay = new ReplayCache();
    let cases = 0;
    for (const at of checkDates()) {
      const check = await checkAt(make, at, replay);
      assert.equal((await outcome(check)).ok, true, `first use at ${secondsOf(at) - hostNow()} s`);
      for (let again = 0; again < 2; again++) {
        const replayed = await outcome(check);
        assert.equal(replayed.code, 'ERR_JWT_REPLAYED', `replay ${again + 1} at ${secondsOf(at) - hostNow()} s: ${JSON.stringify(replayed)}`);
      }
      cases++;
    }
    assert.equal(cases, 20);
  });

  test(`${name}: a ReplayCache's own clock still decides, and stores still get (key, expiresAt) only`, async () => {
    const at = hostNow() - 86400;
    // A clock a year ahead: every key the check stores is already past it, so the cache keeps none.
    const ahead = new ReplayCache({ clock: () => hostNow() + 365 * 86400 });
    const check = await checkAt(make, at, ahead);
    assert.equal((await outcome(check)).ok, true);
    assert.equal((await outcome(check)).ok, true, 'the clock option wins over the check\'s date');
    // A store of the caller's own sees two arguments, as the ReplayStore contract says.
    const calls = [];
    const store = { markUsed: (...args) => (calls.push(args), true) };
    await (await checkAt(make, at, store))();
    assert.equal(calls.length, 1);
    assert.equal(calls[0].length, 2);
    assert.ok(calls[0][1] > at, `expiresAt ${calls[0][1]} is counted in the check's clock (${at})`);
  });
}

test('markUsed called directly still counts on the host clock', () => {
  const cache = new ReplayCache();
  const past = hostNow() - 100;
  assert.equal(cache.markUsed('s j', past), true);
  assert.equal(cache.markUsed('s j', past), true, 'already expired by the host clock: not kept');
  assert.equal(cache.markUsed('s k', hostNow() + 60), true);
  assert.equal(cache.markUsed('s k', hostNow() + 60), false);
});
