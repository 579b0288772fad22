// Bounds a call into caller-supplied code (a JwksStore, a ReplayStore) by `ms`. The result
// never rejects and always settles: `{ ok: true, value }`, or `{ ok: false, error }` when the
// call threw, rejected or did not settle in time.

export function settleWithin(call, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: new Error(`it did not settle within ${ms} ms`) }), ms);
    const done = (outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    let pending;
    try {
      pending = Promise.resolve(call());
    } catch (error) {
      done({ ok: false, error });
      return;
    }
    pending.then((value) => done({ ok: true, value }), (error) => done({ ok: false, error }));
  });
}
