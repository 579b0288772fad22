// The checks every runtime runs on the installed package (Node ESM and CommonJS, Chromium,
// workerd, Deno). Runtime-neutral: no Node APIs. The harness (run.mjs) mints the tokens with
// jose and asserts on the report; this file only records what happened.

export const API_NAMES = [
  'JoseError', 'KeySet', 'parseJwks', 'verifyJwt', 'verifyJwtSync', 'decodeJwt', 'ready', 'setBackend',
  'getBackend', 'checkAssertion', 'verifyWebhook', 'ReplayCache', 'RemoteJwks', 'discoverJwks', 'explainSelection',
  'createVerifier', 'explainClaims', 'explainAssertion', 'isJoseError', 'TrustedIssuers', 'verifyDpopProof', 'explainDpop',
  'verifyAccessToken', 'authenticateRequest', 'challengeResponse',
];

// Values no option takes: each must be a TypeError naming the option, never "not set".
const WRONG_VALUES = () => [
  ['null', null], ['a function', () => true], ['a Symbol', Symbol('x')], ['NaN', NaN], ['Infinity', Infinity],
  ['an invalid Date', new Date('invalid')], ['an overflowing duration', `${'9'.repeat(400)} years`],
];

async function expectTypeError(fn, option) {
  let thrown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown !== undefined, `expected a TypeError naming ${option}, but it succeeded`);
  expect(thrown instanceof TypeError, `expected a TypeError naming ${option}, got ${describe(thrown)}`);
  expect(thrown.message.includes(option), `the TypeError does not name ${option}: ${thrown.message}`);
}

/** Every entry point refuses wrong-typed and unknown options (API.md: validated, never dropped). */
async function optionChecks(jv, fixtures, first, check) {
  const token = first.token;
  const keys = first.keys;
  const entries = {
    verifyJwt: (o) => jv.verifyJwt(token, keys, o),
    verifyJwtSync: (o) => jv.verifyJwtSync(token, keys, o),
    createVerifier: (o) => jv.createVerifier(keys, o),
    explainClaims: (o) => jv.explainClaims(token, o),
    checkAssertion: (o) => jv.checkAssertion(token, { clientId: 'c', audience: 'a', keys, ...o }),
    explainAssertion: (o) => jv.explainAssertion(token, { clientId: 'c', audience: 'a', keys, ...o }),
    verifyWebhook: (o) => jv.verifyWebhook({ authorization: `Bearer ${token}`, body: '' }, keys, o),
  };
  const optionFor = { verifyJwt: 'issuer', verifyJwtSync: 'audience', createVerifier: 'maxTokenAge', explainClaims: 'currentDate', checkAssertion: 'maxLifetime', explainAssertion: 'clockTolerance', verifyWebhook: 'maxAge' };
  for (const [entry, call] of Object.entries(entries)) {
    const option = optionFor[entry];
    await check(`${entry}: wrong-typed ${option} and an unknown name are TypeErrors`, async () => {
      for (const [, value] of WRONG_VALUES()) {
        if (typeof value === 'string' && !/maxTokenAge|maxLifetime|maxAge/.test(option)) continue;
        await expectTypeError(() => call({ [option]: value }), option);
      }
      await expectTypeError(() => call({ audiance: fixtures.audience }), 'audience');
      await expectTypeError(() => call({ currentDate: new Date('invalid') }), 'currentDate');
    });
  }
  await check('parseJwks, ReplayCache, explainSelection, RemoteJwks, discoverJwks: wrong options are TypeErrors', async () => {
    for (const [, value] of WRONG_VALUES()) {
      await expectTypeError(() => jv.parseJwks(fixtures.publicJwks, { allowPrivate: value }), 'allowPrivate');
      await expectTypeError(() => new jv.ReplayCache({ maxEntries: value }), 'maxEntries');
      await expectTypeError(() => jv.explainSelection(keys, token, { maxCandidates: value }), 'maxCandidates');
      await expectTypeError(() => new jv.RemoteJwks('https://issuer.example/jwks', { cooldownMs: value }), 'cooldownMs');
      await expectTypeError(() => jv.discoverJwks('https://issuer.example', { timeoutMs: value }), 'timeoutMs');
    }
    await expectTypeError(() => new jv.RemoteJwks('https://issuer.example/jwks', { timeoutMs: 2 ** 31 }), 'timeoutMs');
    await expectTypeError(() => jv.parseJwks(fixtures.publicJwks, { allowPrivat: true }), 'allowPrivate');
  });
  await check('undefined options are "not set"', async () => {
    const { payload } = await jv.verifyJwt(token, keys, { issuer: fixtures.issuer, audience: undefined, subject: undefined, currentDate: fixtures.now });
    expect(payload.sub === 'alice', JSON.stringify(payload));
  });
}

function describe(err) {
  return `${err?.code ?? err?.name ?? 'Error'}: ${err?.message ?? String(err)}`;
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function expectFailure(fn, code) {
  let thrown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown !== undefined, `expected ${code}, but it succeeded`);
  expect(thrown.code === code, `expected ${code}, got ${describe(thrown)}`);
  return thrown;
}

/**
 * `fixtures`: { now, issuer, audience, publicJwks, cases: [{ alg, token, keys, algorithms? }],
 * tampered, remote?: { url, token, kid }, assertion?, webhook?, dpop? }.
 * `syncBeforeReady`: the entry instantiates the wasm at load, so verifyJwtSync works before
 * anything awaits ready(); false (the web entry): it must throw until ready() resolves.
 */
export async function runSuite(jv, fixtures, { syncBeforeReady }) {
  const checks = [];
  const record = (name, ok, detail) => checks.push(ok ? { name, ok } : { name, ok, error: detail });
  const check = async (name, fn) => {
    try {
      await fn();
      record(name, true);
    } catch (err) {
      record(name, false, describe(err));
    }
  };
  const first = fixtures.cases.find((c) => c.alg === 'ES256') ?? fixtures.cases[0];
  const optionsFor = (c) => ({
    currentDate: fixtures.now, issuer: fixtures.issuer, audience: fixtures.audience,
    ...(c.algorithms && { algorithms: c.algorithms }),
  });

  // Before the first await: is the module usable synchronously?
  try {
    const result = jv.verifyJwtSync(first.token, first.keys, optionsFor(first));
    record('verifyJwtSync before ready()', syncBeforeReady && result.payload.sub === 'alice',
      syncBeforeReady ? `unexpected payload ${JSON.stringify(result.payload)}` : 'the web entry verified before ready()');
  } catch (err) {
    record('verifyJwtSync before ready()', !syncBeforeReady && /ready\(\)/.test(err.message), describe(err));
  }

  const missing = API_NAMES.filter((name) => typeof jv[name] !== 'function');
  record('every API export is there', missing.length === 0, `missing: ${missing.join(', ')}`);

  await check('ready({ sync: true })', () => jv.ready({ sync: true }));

  for (const c of fixtures.cases) {
    await check(`verifyJwt ${c.alg}`, async () => {
      const { payload, header, key } = await jv.verifyJwt(c.token, c.keys, optionsFor(c));
      expect(payload.sub === 'alice' && header.alg === c.alg, `wrong result ${JSON.stringify({ header, payload })}`);
      expect(key.kid === `${c.alg.toLowerCase()}-key`, `verified with key ${JSON.stringify(key)}`);
    });
    await check(`verifyJwtSync ${c.alg}`, () => {
      const { payload } = jv.verifyJwtSync(c.token, c.keys, optionsFor(c));
      expect(payload.sub === 'alice', `wrong payload ${JSON.stringify(payload)}`);
    });
  }

  await check('tampered signature fails with a JoseError', async () => {
    const err = await expectFailure(() => jv.verifyJwt(fixtures.tampered.token, fixtures.publicJwks, optionsFor(fixtures.tampered)),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    expect(err instanceof jv.JoseError && err instanceof Error && err.name === 'JoseError', 'not a JoseError');
    // isJoseError judges by shape: a copy of the error made by another module copy passes too.
    const copy = Object.assign(new Error(err.message), { name: 'JoseError', code: err.code });
    expect(jv.isJoseError(err) && jv.isJoseError(copy), 'isJoseError refused a JoseError');
    expect(!jv.isJoseError(new Error('x')) && !jv.isJoseError({ name: 'JoseError' }) && !jv.isJoseError(null), 'isJoseError accepted a non-JoseError');
  });
  await check('expired token fails with claim exp', async () => {
    const err = await expectFailure(() => jv.verifyJwt(first.token, first.keys, { ...optionsFor(first), currentDate: fixtures.now + 86400 }),
      'ERR_JWT_EXPIRED');
    expect(err.claim === 'exp', `claim ${err.claim}`);
  });
  await check('parseJwks lists every key with its thumbprint', () => {
    const set = jv.parseJwks(fixtures.publicJwks);
    expect(set.keys.length === fixtures.publicJwks.keys.length, `${set.keys.length} keys`);
    expect(set.keys.every((k) => k.usable && /^[A-Za-z0-9_-]{43}$/.test(k.thumbprint)), JSON.stringify(set.keys));
    expect(Array.isArray(set.diagnostics), 'no diagnostics array');
  });
  await check('decodeJwt', () => {
    const decoded = jv.decodeJwt(first.token);
    expect(decoded.header.alg === first.alg && decoded.payload.sub === 'alice', JSON.stringify(decoded));
  });
  await check('explainSelection', () => {
    const selection = jv.explainSelection(fixtures.publicJwks, first.token);
    expect(selection.candidates.length === 1, JSON.stringify(selection));
  });

  await optionChecks(jv, fixtures, first, check);
  await check('createVerifier verifies with options read once', async () => {
    const verifier = jv.createVerifier(first.keys, optionsFor(first));
    expect((await verifier.verify(first.token)).payload.sub === 'alice', 'verify');
    expect(verifier.verifySync(first.token).payload.sub === 'alice', 'verifySync');
  });

  await check('authenticateRequest and challengeResponse (Fetch Request), verifyAccessToken', async () => {
    const options = { ...optionsFor(first), keys: first.keys, profile: 'jwt', realm: 'suite' };
    const url = 'https://api.example/resource';
    const ok = await jv.authenticateRequest(new Request(url, { headers: { authorization: `Bearer ${first.token}` } }), options);
    expect(ok.ok === true && ok.scheme === 'Bearer' && ok.payload.sub === 'alice', JSON.stringify(ok));
    const none = await jv.authenticateRequest(new Request(url), options);
    expect(none.ok === false && none.status === 401 && none.error === undefined, JSON.stringify(none));
    const expired = await jv.authenticateRequest(new Request(url, { headers: { authorization: `Bearer ${first.token}` } }), { ...options, currentDate: fixtures.now + 86400 });
    const response = jv.challengeResponse(expired);
    expect(response.status === 401 && /^Bearer realm="suite", error="invalid_token"/.test(response.headers.get('www-authenticate')), response.headers.get('www-authenticate'));
    expect((await response.json()).error_description === 'The access token has expired', 'error_description');
    // The fixtures are plain JWTs: RFC 9068 refuses them on typ.
    const err = await expectFailure(() => jv.verifyAccessToken(first.token, first.keys, optionsFor(first)), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(err.claim === 'typ', `claim ${err.claim}`);
  });

  if (fixtures.assertion) {
    const a = fixtures.assertion;
    await check('checkAssertion with a ReplayCache', async () => {
      const replay = new jv.ReplayCache({ maxEntries: 10, clock: () => fixtures.now });
      const options = { clientId: a.clientId, audience: a.audience, keys: a.keys, currentDate: fixtures.now, replay };
      const result = await jv.checkAssertion(a.token, options);
      expect(result.clientId === a.clientId && result.federated === false, JSON.stringify(result));
      await expectFailure(() => jv.checkAssertion(a.token, options), 'ERR_JWT_REPLAYED');
    });
  }
  if (fixtures.webhook) {
    const w = fixtures.webhook;
    await check('verifyWebhook binds the body', async () => {
      const options = { currentDate: fixtures.now };
      const result = await jv.verifyWebhook({ authorization: `Bearer ${w.token}`, body: w.body }, w.keys, options);
      expect(result.payload.request_body_sha256 !== undefined, JSON.stringify(result.payload));
      await expectFailure(() => jv.verifyWebhook({ authorization: `Bearer ${w.token}`, body: `${w.body} ` }, w.keys, options),
        'ERR_WEBHOOK_BODY_MISMATCH');
    });
  }

  if (fixtures.dpop) {
    const d = fixtures.dpop;
    await check('verifyDpopProof: the jkt, htu compared without the query, the jti single use', async () => {
      const replay = new jv.ReplayCache({ clock: () => fixtures.now });
      const options = { method: 'POST', url: d.url, currentDate: fixtures.now, replay };
      const result = await jv.verifyDpopProof(d.proof, options);
      expect(result.jkt === d.jkt && result.header.typ === 'dpop+jwt', JSON.stringify(result));
      await expectFailure(() => jv.verifyDpopProof(d.proof, options), 'ERR_JWT_REPLAYED');
      const err = await expectFailure(() => jv.verifyDpopProof(d.otherUrl, { ...options, replay: undefined }), 'ERR_DPOP_INVALID');
      expect(err.claim === 'htu' && err.reason === 'check_failed', describe(err));
    });
  }

  let remote = 'skipped: no RemoteJwks export';
  let remoteState;
  if (typeof jv.RemoteJwks === 'function' && fixtures.remote) {
    remote = 'ran';
    const options = { currentDate: fixtures.now, issuer: fixtures.issuer, audience: fixtures.audience };
    if (fixtures.remote.state) {
      // A cache exported by an earlier request (another isolate) verifies without a fetch.
      await check('RemoteJwks.fromState carries the cache: no fetch', async () => {
        const jwks = jv.RemoteJwks.fromState(fixtures.remote.url, fixtures.remote.state, { timeoutMs: 10000 });
        const { key } = await jv.verifyJwt(fixtures.remote.token, jwks, options);
        expect(key.kid === fixtures.remote.kid, `verified with ${JSON.stringify(key)}`);
        expect(jwks.stats().fetches === 0, `stats ${JSON.stringify(jwks.stats())}`);
      });
    } else {
      await check('RemoteJwks fetch from the local JWKS server', async () => {
        const jwks = new jv.RemoteJwks(fixtures.remote.url, { timeoutMs: 10000 });
        const { key } = await jv.verifyJwt(fixtures.remote.token, jwks, options);
        expect(key.kid === fixtures.remote.kid, `verified with ${JSON.stringify(key)}`);
        await jv.verifyJwt(fixtures.remote.token, jwks, options);
        const stats = jwks.stats();
        expect(stats.fetches === 1 && stats.kids.includes(fixtures.remote.kid), `stats ${JSON.stringify(stats)}`);
        remoteState = jwks.exportState();
      });
    }
  }

  return { checks, remote, remoteState, backend: jv.getBackend() };
}
