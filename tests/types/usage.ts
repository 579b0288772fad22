// Type test of pkg/index.d.ts (tsc --noEmit --strict): every export used as API.md says, the
// results and errors precise (no `any`), and misuse rejected (the @ts-expect-error lines fail
// the compile if the declarations ever accept them).

import {
  JoseError, KeySet, RemoteJwks, ReplayCache, isJoseError,
  checkAssertion, decodeJwt, discoverJwks, explainAssertion, explainClaims, explainSelection, getBackend, parseJwks, ready,
  setBackend, verifyJwt, verifyJwtSync, verifyWebhook,
} from 'jwks-verify';
import type {
  ClaimCheck, ClaimName, AssertionOptions, Diagnostic, DiagnosticCode, JoseErrorCode, JWK, JSONWebKeySet, KeyInfo, KeysInput,
  JwksStore, KeySelection, LocalKeysInput, RemoteJwksState, RemoteJwksStats, RemoteOptions, ReplayStore,
  VerifiedAssertion, VerifiedJwt, VerifyOptions, WebhookOptions, BackendChoice, DecodedJwt,
} from 'jwks-verify';

// --- type-level assertions --------------------------------------------------------------
type IsAny<T> = 0 extends 1 & T ? true : false;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}
function expectType<T>(value: T): T {
  return value;
}

assertType<Equal<JoseError['code'],
  | 'ERR_JWS_INVALID' | 'ERR_JWT_INVALID' | 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' | 'ERR_JOSE_ALG_NOT_ALLOWED'
  | 'ERR_JOSE_NOT_SUPPORTED' | 'ERR_JWT_EXPIRED' | 'ERR_JWT_CLAIM_VALIDATION_FAILED' | 'ERR_JWK_INVALID'
  | 'ERR_JWKS_INVALID' | 'ERR_JWKS_NO_MATCHING_KEY' | 'ERR_JWKS_TIMEOUT' | 'ERR_JWKS_FETCH_FAILED'
  | 'ERR_JWT_REPLAYED' | 'ERR_REPLAY_STORE_FULL' | 'ERR_REPLAY_STORE_UNAVAILABLE' | 'ERR_WEBHOOK_BODY_MISMATCH'
  | 'ERR_DPOP_INVALID'>>();
assertType<Equal<JoseErrorCode, JoseError['code']>>();
assertType<Equal<IsAny<JoseError['reason']>, false>>();
assertType<Equal<IsAny<VerifyOptions>, false>>();
assertType<Equal<IsAny<VerifiedJwt['payload']>, false>>();
assertType<Equal<IsAny<VerifiedJwt['header']>, false>>();
assertType<Equal<IsAny<KeyInfo>, false>>();
assertType<Equal<IsAny<Diagnostic['code']>, false>>();
assertType<Equal<IsAny<RemoteOptions['fetch']>, false>>();
assertType<Equal<IsAny<RemoteJwksStats['lastError']>, false>>();
assertType<Equal<ReturnType<typeof ready>, Promise<void>>>();
assertType<Equal<Diagnostic['severity'], 'error' | 'warning' | 'info'>>();
assertType<Equal<KeysInput, LocalKeysInput | RemoteJwks | import('jwks-verify').TrustedIssuers | import('jwks-verify').KeyResolver>>();

// --- values -----------------------------------------------------------------------------
const token = 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln';
const jwk: JWK = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1', alg: 'ES256', use: 'sig' };
const jwks: JSONWebKeySet = { keys: [jwk] };

async function main(): Promise<void> {
  await ready();

  // parseJwks and KeySet
  const keySet: KeySet = parseJwks(jwks);
  parseJwks(JSON.stringify(jwks), { allowPrivate: true, allowWeakKeys: false });
  parseJwks(jwk);
  const info: KeyInfo = keySet.keys[0];
  const thumbprint: string = info.thumbprint;
  const usable: boolean = info.usable;
  const bits: number | undefined = info.bits;
  for (const diagnostic of keySet.diagnostics) {
    const code: DiagnosticCode | string = diagnostic.code;
    const index: number | undefined = diagnostic.index;
    if (diagnostic.severity === 'error') console.log(code, index, diagnostic.message);
  }
  // @ts-expect-error KeySet is made by parseJwks, not constructed
  new KeySet();
  // @ts-expect-error a JWKS must have a keys array
  parseJwks({ keys: 'nope' });

  // verifyJwt / verifyJwtSync with every KeysInput form
  const options: VerifyOptions = {
    algorithms: ['ES256', 'RS256', 'EdDSA'], issuer: ['https://a', 'https://b'], audience: 'api',
    allowMultipleAudiences: false, subject: 'alice', typ: 'at+jwt', requiredClaims: ['jti'],
    clockTolerance: '30s', maxTokenAge: 3600, currentDate: new Date(), crit: { b64: true },
    maxTokenLength: 8192, maxCandidates: 2,
  };
  const remote = new RemoteJwks('https://issuer.example/jwks', { timeoutMs: 1000, headers: { 'x-a': 'b' } });
  for (const keys of [keySet, jwks, jwk, JSON.stringify(jwks), remote] satisfies KeysInput[]) {
    const verified = await verifyJwt(token, keys, options);
    const iss: string | undefined = verified.payload.iss;
    const aud: string | string[] | undefined = verified.payload.aud;
    const exp: number | undefined = verified.payload.exp;
    const alg: string = verified.header.alg;
    const kid: string | undefined = verified.key.kid;
    console.log(iss, aud, exp, alg, kid);
  }
  const sync = verifyJwtSync<{ scope: string }>(token, keySet, { currentDate: 1_700_000_000 });
  const scope: string = sync.payload.scope;
  const subject: string | undefined = sync.payload.sub;
  verifyJwtSync(new TextEncoder().encode(token), jwks);
  console.log(scope, subject);

  // @ts-expect-error verifyJwtSync cannot take a RemoteJwks (it would need a fetch)
  verifyJwtSync(token, remote);
  // @ts-expect-error clockTolerance is seconds or a time-span string, not a boolean
  await verifyJwt(token, jwks, { clockTolerance: true });
  // @ts-expect-error 'none' is never an algorithm
  await verifyJwt(token, jwks, { algorithms: ['none'] });

  // decodeJwt
  const decoded: DecodedJwt = decodeJwt(token);
  const signature: string = decoded.signature;
  console.log(decoded.header.kid, decoded.payload.iat, signature);

  // errors
  try {
    await verifyJwt(token, jwks);
  } catch (err) {
    if (err instanceof JoseError) {
      const code: JoseErrorCode = err.code;
      switch (err.code) {
        case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
          console.log(err.claim, err.reason, err.payload?.sub);
          break;
        case 'ERR_JWKS_NO_MATCHING_KEY':
          console.log(err.kids?.join(', '));
          break;
        default:
          console.log(code, err.message, err.url);
      }
      // @ts-expect-error not one of the codes
      if (err.code === 'ERR_SOMETHING_ELSE') console.log('never');
      const error: Error = err;
      console.log(error.stack);
    }
  }
  // isJoseError narrows `unknown` across module copies
  try {
    verifyJwtSync(token, jwks);
  } catch (err: unknown) {
    if (isJoseError(err)) {
      const code: JoseErrorCode = err.code;
      const claim: ClaimName | undefined = err.claim;
      console.log(code, claim === 'exp', claim === 'my_claim', err.kids?.length);
    }
    // @ts-expect-error err is unknown until narrowed
    console.log(err.code);
  }
  assertType<Equal<JoseError['claim'], ClaimName | undefined>>();
  const made = new JoseError('ERR_JWT_EXPIRED', 'expired', { claim: 'exp', reason: 'check_failed' });
  expectType<'JoseError'>(made.name);

  // RemoteJwks and discovery
  const fetched: KeySet = await remote.keySet();
  await remote.refresh();
  await remote.keySetFor(token);
  const stats: RemoteJwksStats = remote.stats();
  const lastFetchAt: number | null = stats.lastFetchAt;
  const lastCode: JoseErrorCode | undefined = stats.lastError?.code;
  const state: RemoteJwksState | null = remote.exportState();
  const restored = RemoteJwks.fromState(remote.url, state, { cooldownMs: 0 });
  RemoteJwks.fromState(remote.url, JSON.stringify(state));
  const customFetch: RemoteOptions['fetch'] = (input, init) => fetch(input, init);
  const discovered: RemoteJwks = await discoverJwks('https://issuer.example', {
    fetch: customFetch, cacheMaxAgeMs: 60_000, staleIfErrorMs: 0, maxBytes: 65536, headers: new Headers(),
  });
  console.log(fetched.keys.length, stats.fetches, stats.kids, lastFetchAt, lastCode, restored, discovered);
  // @ts-expect-error the policy times are numbers of milliseconds
  new RemoteJwks('https://issuer.example/jwks', { cooldownMs: '30s' });
  const shared: JwksStore = { get: async () => null, set: async (_url: string, _state: string, _ttlMs: number) => {} };
  new RemoteJwks('https://issuer.example/jwks', { store: shared, maxKeys: 5000 });
  // @ts-expect-error a JwksStore needs set()
  new RemoteJwks('https://issuer.example/jwks', { store: { get: async () => null } });

  // explainSelection
  const selection: KeySelection = explainSelection(keySet, token, { maxCandidates: 4 });
  explainSelection(jwks, { alg: 'RS256', kid: 'k1' });
  for (const verdict of selection.trace) {
    if (verdict.filteredBy === 'kid' || verdict.filteredBy === undefined) console.log(verdict.index, verdict.detail);
  }
  console.log(selection.candidates.map((i) => keySet.keys[i].kid), selection.kids);

  // explainClaims / explainAssertion: the rows of the core's rules
  const rows: ClaimCheck[] = explainClaims(token, { issuer: 'https://issuer.example', clockTolerance: '30s' });
  const failing = rows.find((row) => !row.ok);
  console.log(failing?.id, failing?.code, failing?.reason, rows[0]?.expected?.join(', '));
  const assertionRows: ClaimCheck[] = explainAssertion(token, { clientId: 'c', audience: 'https://as.example', keys: jwks });
  console.log(assertionRows.map((row) => `${row.id}: ${row.rule}`));
  // @ts-expect-error explainAssertion needs the AssertionOptions
  explainAssertion(token);

  // checkAssertion with a ReplayCache and an async ReplayStore
  const replay = new ReplayCache({ maxEntries: 1000, clock: () => Date.now() / 1000 });
  const size: number = replay.size;
  const fresh: boolean = replay.markUsed('jti-1', 1_700_000_300);
  const asyncStore: ReplayStore = { markUsed: async (jti: string, expiresAt: number) => jti.length > 0 && expiresAt > 0 };
  const assertionOptions: AssertionOptions = {
    clientId: 'client-1', audience: ['https://as.example', 'https://as.example/token'], keys: remote,
    algorithms: ['PS256', 'ES256', 'HS256'], profile: 'strict', allowMultipleAudiences: false,
    maxLifetime: 300, clockTolerance: 30, requireJti: true, replay: asyncStore, currentDate: new Date(),
    federated: [{ issuer: 'https://k8s.example', subject: 'system:serviceaccount:ns:sa', keys: jwks, maxLifetime: '1h', singleUse: false }],
  };
  const assertion: VerifiedAssertion = await checkAssertion(token, assertionOptions);
  const clientId: string = assertion.clientId;
  const federated: boolean = assertion.federated;
  const jti: string | undefined = assertion.jti;
  await checkAssertion(token, { clientId, audience: 'https://as.example', keys: jwks, replay, profile: 'rfc7523' });
  console.log(size, fresh, federated, jti, assertion.key.thumbprint, assertion.payload.exp);
  // @ts-expect-error clientId is required
  await checkAssertion(token, { audience: 'https://as.example', keys: jwks });
  // @ts-expect-error profile is "rfc7523" or "strict"
  await checkAssertion(token, { clientId, audience: 'a', keys: jwks, profile: 'loose' });
  // @ts-expect-error a ReplayStore has markUsed(jti, expiresAt)
  await checkAssertion(token, { clientId, audience: 'a', keys: jwks, replay: new Map<string, number>() });

  // verifyWebhook
  const webhookOptions: WebhookOptions = { maxAge: 300, replay, issuer: 'https://sender.example', algorithms: ['ES256'] };
  const hook: VerifiedJwt<{ request_body_sha256: string }> = await verifyWebhook<{ request_body_sha256: string }>(
    { authorization: `Bearer ${token}`, body: new Uint8Array([123, 125]) }, remote, webhookOptions);
  const bodyHash: string = hook.payload.request_body_sha256;
  await verifyWebhook({ authorization: `Bearer ${token}`, body: '{}' }, jwks);
  console.log(bodyHash);
  // @ts-expect-error the body is the raw text or bytes, not parsed JSON
  await verifyWebhook({ authorization: `Bearer ${token}`, body: { a: 1 } }, jwks);

  // backends
  setBackend('webcrypto');
  setBackend();
  const backend: BackendChoice = getBackend();
  const syncName: 'node' | 'rust' = backend.sync;
  console.log(syncName, backend.async, backend.available);
  // @ts-expect-error not a backend name
  setBackend('openssl');
}

void main();
