// Type declarations of jwks-verify: the API of API.md, the same for every runtime entry
// (Node ESM and CommonJS, browsers and bundlers, workerd, Deno). index.d.cts is a copy made by
// `make build` for `require`. Times are in seconds unless a name ends in `Ms`.

// ---------------------------------------------------------------------------------------
// JSON shapes
// ---------------------------------------------------------------------------------------

/** The JWS algorithms this package verifies. */
export type Algorithm =
  | 'HS256' | 'HS384' | 'HS512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'ES256' | 'ES384' | 'ES512'
  | 'EdDSA' | 'Ed25519';

/**
 * A JSON Web Key (RFC 7517). Members other than those named are kept as they are. `kty` is
 * required at run time; optional here as in jose's JWK type, so that jose's keys pass.
 */
export interface JWK {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  /** RSA modulus and exponent (base64url). */
  n?: string;
  e?: string;
  /** EC / OKP public key coordinates (base64url). */
  x?: string;
  y?: string;
  /** `oct` secret (base64url): verifies HS* only when allowed (see `parseJwks`). */
  k?: string;
  x5c?: string[];
  x5t?: string;
  'x5t#S256'?: string;
  x5u?: string;
  /** A JWK Set is not a JWK. */
  keys?: never;
  [member: string]: unknown;
}

/** A JSON Web Key Set `{ keys: [...] }`. */
export interface JSONWebKeySet {
  keys: JWK[];
}

/** A JWS protected header. */
export interface JWTHeader {
  alg: string;
  kid?: string;
  typ?: string;
  cty?: string;
  crit?: string[];
  [member: string]: unknown;
}

/** JWT claims: the registered ones typed, any other as `unknown`. */
export interface JWTPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  jti?: string;
  /** NumericDate (seconds). */
  nbf?: number;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/** Every `code` a JoseError carries. */
export type JoseErrorCode =
  | 'ERR_JWS_INVALID'
  | 'ERR_JWT_INVALID'
  | 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
  | 'ERR_JOSE_ALG_NOT_ALLOWED'
  | 'ERR_JOSE_NOT_SUPPORTED'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_CLAIM_VALIDATION_FAILED'
  | 'ERR_JWK_INVALID'
  | 'ERR_JWKS_INVALID'
  | 'ERR_JWKS_NO_MATCHING_KEY'
  | 'ERR_JWKS_TIMEOUT'
  | 'ERR_JWKS_FETCH_FAILED'
  | 'ERR_JWT_REPLAYED'
  | 'ERR_REPLAY_STORE_FULL'
  | 'ERR_REPLAY_STORE_UNAVAILABLE'
  | 'ERR_WEBHOOK_BODY_MISMATCH'
  | 'ERR_DPOP_INVALID';

/** Why a claim check failed (`JoseError['reason']`). */
export type ClaimFailureReason =
  | 'missing'
  | 'invalid'
  | 'check_failed'
  | 'multiple_audiences'
  | 'lifetime_too_long'
  | 'insufficient_scope'
  /** DPoP `iat` outside `maxAge`. */
  | 'too_old'
  | 'in_future'
  /** DPoP proofs: the header check that failed (no `claim`). */
  | 'typ'
  | 'alg'
  | 'jwk'
  | 'crit'
  | 'signature'
  | 'malformed';

/**
 * The claim (or header parameter) a claim failure names: the registered claims, `typ`, the
 * webhook's `request_body_sha256`, or a name from `requiredClaims`.
 */
export type ClaimName =
  | 'iss'
  | 'sub'
  | 'aud'
  | 'exp'
  | 'nbf'
  | 'iat'
  | 'jti'
  | 'typ'
  | 'request_body_sha256'
  | 'client_id'
  | 'scope'
  | 'htm'
  | 'htu'
  | 'ath'
  | 'nonce'
  | (string & {});

/** Extra fields a JoseError may carry. */
export interface JoseErrorDetails {
  claim?: ClaimName;
  reason?: ClaimFailureReason;
  payload?: JWTPayload;
  url?: string;
  kids?: string[];
  kidCount?: number;
}

/**
 * Every failure of this package (a rejected option is a `TypeError` instead). Use
 * `isJoseError(err)` (or test `code`), not `instanceof`, when the package may be loaded twice
 * (ESM and CommonJS in one process).
 */
export declare class JoseError extends Error {
  constructor(code: JoseErrorCode, message: string, details?: JoseErrorDetails);
  name: 'JoseError';
  code: JoseErrorCode;
  /** The claim whose check failed (claim failures only). */
  claim?: ClaimName;
  /** Why the claim check failed (claim failures only). */
  reason?: ClaimFailureReason;
  /** The decoded, signature-verified payload (claim failures only). */
  payload?: JWTPayload;
  /** The JWKS URL (RemoteJwks failures). */
  url?: string;
  /**
   * The first 20 `kid`s of the key set, each cut to 64 characters (`ERR_JWKS_NO_MATCHING_KEY`,
   * local and remote sets; RemoteJwks failures: the kids of the cached set).
   */
  kids?: string[];
  /** How many `kid`s the key set has (`kids` lists at most 20 of them). */
  kidCount?: number;
}

/**
 * True when `value` is a JoseError of any copy of this package (ESM or CommonJS): it checks
 * `name === 'JoseError'` and an `ERR_*` `code`, not `instanceof`.
 */
export declare function isJoseError(value: unknown): value is JoseError;

// ---------------------------------------------------------------------------------------
// Key sets
// ---------------------------------------------------------------------------------------

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** The diagnostic codes of API.md; newer versions may add others. */
export type DiagnosticCode =
  | 'missing_kid'
  | 'duplicate_kid'
  | 'unsupported_kty'
  | 'unsupported_alg'
  | 'alg_key_mismatch'
  | 'use_not_sig'
  | 'weak_rsa_key'
  | 'private_key_material'
  | 'invalid_key'
  | 'x5c_mismatch'
  | 'x5t_mismatch'
  | 'missing_alg';

/** One finding of `parseJwks` about a set or one of its keys. */
export interface Diagnostic {
  severity: DiagnosticSeverity;
  code: DiagnosticCode | (string & {});
  /** The key's position in the set, when the finding is about one key. */
  index?: number;
  kid?: string;
  /** What is wrong and how to fix it, for people. */
  message: string;
}

/** What a KeySet knows about one of its keys. */
export interface KeyInfo {
  /** Position in the set. */
  index: number;
  kid?: string;
  kty: 'RSA' | 'EC' | 'OKP' | 'oct' | (string & {});
  alg?: string;
  use?: string;
  crv?: string;
  /** RSA modulus size, or the length of an oct secret, in bits. */
  bits?: number;
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  thumbprint: string;
  /** False when a diagnostic keeps the key out of selection. */
  usable: boolean;
}

// `Symbol.dispose` (TC39 explicit resource management) for programs whose `lib` predates it
// (es2022: `KeySet[Symbol.dispose]` did not compile); the same declaration as TypeScript's
// lib.esnext.disposable and @types/node, so it merges with either.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** A parsed JWK Set: parse once, verify many tokens with it. */
export declare class KeySet {
  #private;
  private constructor();
  readonly keys: KeyInfo[];
  readonly diagnostics: Diagnostic[];
  /** Releases the parsed keys now; using the set afterwards throws `ERR_JWKS_INVALID`. */
  free(): void;
  [Symbol.dispose](): void;
}

export interface ParseJwksOptions {
  /** Default false: keys with private members (and `oct` keys) are unusable. */
  allowPrivate?: boolean;
  /** Default false: RSA keys under 2048 bits are unusable. */
  allowWeakKeys?: boolean;
  /** Default 1000: a set with more keys is `ERR_JWKS_INVALID`, refused before any key is parsed. */
  maxKeys?: number;
}

/** Keys that are already here: a KeySet, a JWKS object or its JSON text, or a single JWK. */
export type LocalKeysInput = KeySet | JSONWebKeySet | JWK | string;

/**
 * A function that picks the keys for one token from its protected header and its unverified
 * payload (as the core decoded them, after the `maxTokenLength` check). It may return any
 * `KeysInput` but another function, or a Promise of one; an exception it throws propagates as
 * is. Async verification only: the sync functions refuse it with `ERR_JWKS_INVALID`.
 */
export type KeyResolver = (
  header: JWTHeader,
  unverifiedPayload: JWTPayload,
) => LocalKeysInput | RemoteJwks | TrustedIssuers | Promise<LocalKeysInput | RemoteJwks | TrustedIssuers>;

/** Every form of keys the async functions take. */
export type KeysInput = LocalKeysInput | RemoteJwks | TrustedIssuers | KeyResolver;

/**
 * Parses a JWKS `{keys:[...]}` or a single JWK (object or JSON text). Unusable keys are kept
 * out of selection and reported in `diagnostics`; throws `ERR_JWKS_INVALID` only when the
 * input is no JWK set or JWK at all.
 */
export declare function parseJwks(input: JSONWebKeySet | JWK | string, options?: ParseJwksOptions): KeySet;

// ---------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------

/**
 * A time span: seconds, or jose's text form ("30s", "5 minutes", "2h"). A text over 2^53 - 1
 * seconds overflows: a `TypeError` (`code` `ERR_INVALID_OPTION`) naming the option.
 */
export type Seconds = number | string;

export interface VerifyOptions {
  /** Allow-list. Default: every asymmetric algorithm that fits the key; HS* only when listed. */
  algorithms?: Algorithm[];
  /** Makes `iss` required; it must equal one of these. */
  issuer?: string | string[];
  /** Makes `aud` required; passes when any of these is in the token's `aud`. */
  audience?: string | string[];
  /** Default true; false rejects an `aud` array of more than one value. */
  allowMultipleAudiences?: boolean;
  /** Makes `sub` required; it must equal this. */
  subject?: string;
  /** Expected `typ` header (case-insensitive, `application/` optional). */
  typ?: string;
  /** Claims that must be present. */
  requiredClaims?: string[];
  /** Leeway for `exp`, `nbf`, `iat`. Default 0. */
  clockTolerance?: Seconds;
  /** Makes `iat` required and bounds the token's age. */
  maxTokenAge?: Seconds;
  /** "Now" for every time check: a Date, or seconds. */
  currentDate?: Date | number;
  /** `crit` header extensions the caller understands. */
  crit?: Record<string, boolean>;
  /** Default 16384 characters. */
  maxTokenLength?: number;
  /** How many candidate keys are tried when several match. Default 4. */
  maxCandidates?: number;
}

/** The result of a successful verification. */
export interface VerifiedJwt<P = JWTPayload> {
  header: JWTHeader;
  /** The claims; `P` adds the application's own claim types. */
  payload: P & JWTPayload;
  /** The key that verified the signature. */
  key: KeyInfo;
}

/** Verifies a compact JWS JWT: signature, algorithm allow-list, then claims. */
export declare function verifyJwt<P = JWTPayload>(
  token: string | Uint8Array,
  keys: KeysInput,
  options?: VerifyOptions,
): Promise<VerifiedJwt<P>>;

/**
 * `verifyJwt` without a Promise, for keys that are already here. In a browser call
 * `await ready()` once first (it also fetches the pure-Rust signature module that RSA, ECDSA
 * and EdDSA need there; `jwks-verify/slim` in workerd and Deno needs
 * `import 'jwks-verify/signature'`). Throws an `Error`
 * with `code` `ERR_NOT_READY` before `ready()`, and `ERR_FALLBACK_NOT_LOADED` when a
 * non-HMAC token needs the signature module and it is not loaded.
 */
export declare function verifyJwtSync<P = JWTPayload>(
  token: string | Uint8Array,
  keys: LocalKeysInput,
  options?: VerifyOptions,
): VerifiedJwt<P>;

/** Verifies tokens with options read (and a wrong one thrown) once. */
export declare class Verifier {
  private constructor();
  verify<P = JWTPayload>(token: string | Uint8Array): Promise<VerifiedJwt<P>>;
  /** Throws `ERR_JWKS_INVALID` when the keys are remote. */
  verifySync<P = JWTPayload>(token: string | Uint8Array): VerifiedJwt<P>;
  /** Releases the options the core holds now; the verifier reads them again if used after. */
  free(): void;
  [Symbol.dispose](): void;
}

/**
 * Reads `options` once (a wrong one throws a `TypeError` naming it; in a browser before
 * `ready()`, on the first verification); `verifyJwt(token, keys, options)` behaves exactly like
 * `createVerifier(keys, options).verify(token)`.
 */
export declare function createVerifier(keys: KeysInput, options?: VerifyOptions): Verifier;

/** One claim rule of verification, run on a token without its signature. */
export interface ClaimCheck {
  /** A name for the rule (`iss`, `aud_count`, `exp_required`, `lifetime`, …). */
  id: string;
  /** The claim (or, for `typ`, the header parameter) the rule is about. */
  claim: string;
  /** What the rule checks, in words. */
  rule: string;
  /** The option values the rule compares the token with (`iss`, `sub`, `aud`, `typ`). */
  expected?: string[];
  ok: boolean;
  /** The error verification would report, when `ok` is false. */
  code?: string;
  reason?: string;
  message?: string;
}

/** Every claim rule `options` switch on, in verification's order, each reported (for debugging). */
export declare function explainClaims(token: string | Uint8Array, options?: VerifyOptions): ClaimCheck[];

/**
 * Every rule `checkAssertion` runs with `options` (the same object, `keys` included but not
 * used), in its order, each reported: `iss` = `sub` = `clientId` (or the federated issuer's),
 * the audience and the profile's count rule, `exp` and `jti` required, then `typ`, the `jti`
 * form, `iat` not in the future and the lifetime. The signature is not checked.
 */
export declare function explainAssertion(assertion: string | Uint8Array, options: AssertionOptions): ClaimCheck[];

/** A token's parts, decoded without any verification (for debugging). */
export interface DecodedJwt {
  header: JWTHeader;
  payload: JWTPayload;
  /** The signature, base64url. */
  signature: string;
}

/**
 * Decodes without verifying. Input that is not a decodable JWT (not a string or Uint8Array, not
 * three parts, bad base64url, a header or payload that is not a JSON object) throws a JoseError
 * with `code` `ERR_JWT_INVALID`, as jose's `decodeJwt`; over 16384 characters, `ERR_JWS_INVALID`.
 */
export declare function decodeJwt(token: string | Uint8Array): DecodedJwt;

export interface ReadyOptions {
  /**
   * Whether to load the pure-Rust signature module (RSA, ECDSA, EdDSA) too, which
   * `verifyJwtSync` and `setBackend('rust')` need outside Node. Default: load it where the
   * entry can (browsers fetch it from next to the protocol module; the default workerd and
   * Deno entries have it already; Node instantiates it synchronously whenever a check first
   * needs it, so there `ready()` leaves it alone unless `sync: true`), so that every sync
   * function works after `ready()`. `false`: the protocol module alone (async functions, `parseJwks`, HS*).
   * `true`: reject with `ERR_FALLBACK_NOT_LOADED` where it cannot be loaded (`jwks-verify/slim`
   * in workerd or Deno without `import 'jwks-verify/signature'`).
   */
  sync?: boolean;
}

/**
 * Resolves once the wasm modules are instantiated (at once in Node, workerd and Deno): after
 * it, every function works, sync ones included. `{ sync: false }` loads the protocol module
 * alone. Wrong options reject with a `TypeError` (`code` `ERR_INVALID_OPTION`); a module that
 * does not download or instantiate rejects it (and every async call waiting for it) with an
 * `Error` whose `code` is `ERR_WASM_LOAD_FAILED` and whose `cause` is the host's error; the
 * next call tries again.
 */
export declare function ready(options?: ReadyOptions): Promise<void>;

// ---------------------------------------------------------------------------------------
// Signature backends
// ---------------------------------------------------------------------------------------

export type BackendName = 'node' | 'webcrypto' | 'rust';

export interface BackendChoice {
  /** The backend verifyJwtSync uses. */
  sync: 'node' | 'rust';
  /** The backend the async functions use. */
  async: BackendName;
  /** The backends this runtime has. */
  available: BackendName[];
}

/**
 * Forces a signature backend; 'auto' (or nothing) returns to the fastest available. 'rust'
 * outside Node starts loading the signature module: async calls wait for it, a sync call
 * before it arrives throws `ERR_FALLBACK_NOT_LOADED` (await `ready()` first).
 */
export declare function setBackend(name?: BackendName | 'auto'): void;

export declare function getBackend(): BackendChoice;

// ---------------------------------------------------------------------------------------
// Remote key sets
// ---------------------------------------------------------------------------------------

/** The host's `fetch` type where the program's type libraries declare one. */
export type FetchFunction = typeof globalThis extends { fetch: infer F }
  ? F
  : (input: string, init: { method: string; headers: unknown; redirect: 'manual'; signal: unknown }) => Promise<unknown>;

/** The host's `Headers` class instances, where the program's type libraries declare one. */
export type HeadersObject = typeof globalThis extends { Headers: { prototype: infer H } } ? H : never;

/**
 * Shared state for many processes or isolates (Redis, an edge cache, KV). `get` returns the
 * text `set` stored (null when none); `state` is `JSON.stringify(exportState())`, to be kept
 * for `ttlMs`. A store that throws, rejects, returns something else or takes longer than
 * `timeoutMs` is ignored: the RemoteJwks fetches as it would alone.
 */
export interface JwksStore {
  get(url: string): Promise<string | null>;
  set(url: string, state: string, ttlMs: number): Promise<void>;
}

export interface RemoteOptions {
  /** Default 5000: a fetch (response and body) that takes longer fails with `ERR_JWKS_TIMEOUT`; also bounds each `store` call. */
  timeoutMs?: number;
  /** Default 30000: least time between the end of a fetch attempt (failed or not) and an unknown-kid refetch (or one for a token the set has no key for) or a retry. */
  cooldownMs?: number;
  /** Default 600000: upper bound of freshness; a shorter `Cache-Control: max-age` wins. */
  cacheMaxAgeMs?: number;
  /** Default 86400000: how long past its expiry the last good set keeps serving while its refreshes fail (an expired set is refreshed before it verifies again). */
  staleIfErrorMs?: number;
  /** Request headers. */
  headers?: Record<string, string> | Array<[string, string]> | HeadersObject;
  /** Default 1048576: the largest body accepted. */
  maxBytes?: number;
  /** Default 1000: the most keys a set may hold (a larger one is `ERR_JWKS_INVALID`). */
  maxKeys?: number;
  /** Replaces the global fetch; called as `fetch(url, init)`. */
  fetch?: FetchFunction;
  /** Shares the cache between processes: read before fetching, written after each fetch. */
  store?: JwksStore;
}

export interface RemoteJwksStats {
  fetches: number;
  /** When the cached set was fetched (seconds), or null. */
  lastFetchAt: number | null;
  /** The latest fetch's failure, or null when it succeeded. */
  lastError: JoseError | null;
  /** The kids of the cached set. */
  kids: string[];
}

/** JSON-safe snapshot of a RemoteJwks cache (`exportState` / `RemoteJwks.fromState`). */
export interface RemoteJwksState {
  version: number;
  url: string;
  jwks: JSONWebKeySet | null;
  fetchedAtMs?: number;
  expiresAtMs?: number;
  lastAttemptAtMs?: number;
  lastError?: { code: JoseErrorCode; message: string };
  /** Validators of the set's response, for `If-None-Match` / `If-Modified-Since`. */
  etag?: string;
  lastModified?: string;
  /** A bounded `Retry-After` of the last (failed) attempt, in ms. */
  retryAfterMs?: number;
  /** Present while a fetch is in flight: when it started (a `store` lease for other processes). */
  fetchingSinceMs?: number;
}

/** A JWKS URL with a cache that follows rotation, survives outages and resists floods. */
export declare class RemoteJwks {
  #private;
  /** Throws a TypeError unless `url` is an absolute http(s) URL without user info. */
  constructor(url: string, options?: RemoteOptions);
  readonly url: string;
  /** The cached set, fetched first when there is none or it expired. */
  keySet(): Promise<KeySet>;
  /** The set to verify `token` with: refetched once for an unknown kid unless cooling down. */
  keySetFor(token: string): Promise<KeySet>;
  /** Fetches now (or joins the fetch in flight); rejects when that fetch fails. */
  refresh(): Promise<KeySet>;
  stats(): RemoteJwksStats;
  /** JSON-safe; null while nothing was fetched and the wasm module is not ready yet. */
  exportState(): RemoteJwksState | null;
  /** Starts from `exportState()` output (or its JSON text; null: empty). */
  static fromState(url: string, state: RemoteJwksState | string | null | undefined, options?: RemoteOptions): RemoteJwks;
}

/**
 * OpenID Connect / OAuth discovery: `{issuer}/.well-known/openid-configuration`, then
 * `oauth-authorization-server`; the document's `issuer` must equal `issuer`.
 */
export declare function discoverJwks(issuer: string, options?: RemoteOptions): Promise<RemoteJwks>;

/** `TrustedIssuers` options: `RemoteOptions` for each issuer's discovery and JWKS, plus the bound. */
export interface TrustedIssuersOptions extends RemoteOptions {
  /**
   * Default 100: issuers whose discovered keys are held at most. When full, the least recently
   * used issuer is dropped (its next token discovers it again).
   */
  maxIssuers?: number;
}

/** One issuer held by a `TrustedIssuers`. */
export interface TrustedIssuerStats {
  issuer: string;
  /** The `jwks_uri` found by discovery; null until discovery succeeded. */
  jwksUri: string | null;
  /** Its `RemoteJwks` stats; null until discovery succeeded. */
  jwks: RemoteJwksStats | null;
  /** The error of the last failed discovery, if any. */
  lastError: JoseError | null;
}

/**
 * A `KeysInput` for many issuers: the token's `iss` picks that issuer's keys through
 * `discoverJwks(iss, options)`, and verification then requires `iss` to equal it exactly. A
 * token whose `iss` is missing or not trusted fails with `ERR_JWT_CLAIM_VALIDATION_FAILED`
 * (`claim: "iss"`) before any network request.
 */
export declare class TrustedIssuers {
  #private;
  /**
   * `issuers`: a non-empty array of issuer identifiers (absolute http(s) URLs with a lower-case
   * scheme and no user info, query, fragment, whitespace or backslash; `iss` must equal one
   * exactly, no normalisation), or a predicate that trusts an `iss` by returning `true` (exactly
   * `true`; the `iss` must also be such an identifier). TypeError when wrong.
   */
  constructor(issuers: readonly string[] | ((iss: string) => boolean), options?: TrustedIssuersOptions);
  /** The key set of the token's issuer, bound to that issuer. */
  keySetFor(token: string): Promise<KeySet>;
  /** The issuers held, most recently used first. */
  stats(): { issuers: TrustedIssuerStats[] };
}

// ---------------------------------------------------------------------------------------
// Key selection, explained
// ---------------------------------------------------------------------------------------

/** Why one key of the set was or was not a candidate. */
export interface KeyVerdict {
  index: number;
  kid?: string;
  /** Absent for a candidate; else the rule that filtered the key out. */
  filteredBy?: 'kty' | 'crv' | 'alg' | 'use' | 'key_ops' | 'kid' | 'unusable' | 'key_size' | 'max_candidates';
  /** The same, for people. */
  detail?: string;
}

export interface KeySelection {
  /** The token's `alg` and `kid`. */
  alg: string;
  kid?: string;
  /** The kids the set has. */
  kids: string[];
  /** Indexes of the keys a verification tries, in this order (at most `maxCandidates`). */
  candidates: number[];
  /** A verdict for every key of the set. */
  trace: KeyVerdict[];
}

/**
 * Which keys of `keys` a token would try, and why each other key was filtered out; nothing is
 * verified. `token` is a compact JWS or its header. Outside Node call `await ready()` first.
 */
export declare function explainSelection(
  keys: LocalKeysInput,
  token: string | Uint8Array | { alg: string; kid?: string },
  options?: { maxCandidates?: number },
): KeySelection;

// ---------------------------------------------------------------------------------------
// Protocol profiles
// ---------------------------------------------------------------------------------------

/** Where `jti`s are remembered for single use. */
export interface ReplayStore {
  /**
   * True the first time, false when `key` is already in use. `key` is `<scope> <jti>` (the
   * client id, the token's `iss` or the DPoP `jkt` with `%` and spaces written `%25` and
   * `%20`, a space, the `jti`); `expiresAt` (seconds)
   * is the first instant the token is no longer accepted: forget the key then, never before
   * (always a finite number; `Number.MAX_VALUE` when the options leave the window unbounded).
   */
  markUsed(key: string, expiresAt: number): boolean | Promise<boolean>;
}

export interface ReplayCacheOptions {
  /** Default 100000. Entries are never forgotten before their `expiresAt`; when the cache is full of live ones, `markUsed` throws `ERR_REPLAY_STORE_FULL`. */
  maxEntries?: number;
  /** "Now" in seconds. Default: for the keys the library marks, the now of the check marking them (its `currentDate`, else the host clock); for your own `markUsed` calls, the host clock. */
  clock?: () => number;
}

/** In-memory ReplayStore for one process. */
export declare class ReplayCache implements ReplayStore {
  constructor(options?: ReplayCacheOptions);
  readonly size: number;
  /** Throws `ERR_REPLAY_STORE_FULL` when `maxEntries` live jtis are held. */
  markUsed(jti: string, expiresAt: number): boolean;
}

/** A trusted external issuer whose tokens may authenticate the client. */
export interface FederatedIdentity {
  issuer: string;
  /** The `sub` for this client (non-empty). Default: the client id. */
  subject?: string;
  /** Replaces the assertion audience for this issuer's tokens (non-empty strings). */
  audience?: string | string[];
  keys: KeysInput;
  /** Replaces `maxLifetime` for this issuer's tokens. */
  maxLifetime?: Seconds;
  /** Default true: `jti` rules apply; false for reusable workload credentials. */
  singleUse?: boolean;
}

export interface AssertionOptions {
  clientId: string;
  /** The server's issuer identifier and/or token endpoint URL. */
  audience: string | string[];
  /** The client's registered keys. */
  keys: KeysInput;
  algorithms?: Algorithm[];
  /** Default 'strict': exactly one `aud` value. */
  profile?: 'rfc7523' | 'strict';
  /** Overrides the profile's audience rule. */
  allowMultipleAudiences?: boolean;
  /** Default 300: how far `exp` may be after `iat` (or now). */
  maxLifetime?: Seconds;
  /** Default 30. */
  clockTolerance?: Seconds;
  /** Default true. */
  requireJti?: boolean;
  replay?: ReplayStore;
  /** Default 5000: how long `replay.markUsed` may take before the check fails closed (`ERR_REPLAY_STORE_UNAVAILABLE`). */
  replayTimeoutMs?: number;
  federated?: FederatedIdentity[];
  currentDate?: Date | number;
  crit?: Record<string, boolean>;
  maxTokenLength?: number;
  maxCandidates?: number;
}

export interface VerifiedAssertion<P = JWTPayload> {
  clientId: string;
  /** Absent only when `requireJti` is false and the assertion has none. */
  jti?: string;
  header: JWTHeader;
  payload: P & JWTPayload;
  key: KeyInfo;
  /** True when a federated identity's issuer signed it. */
  federated: boolean;
}

/** RFC 7523 client authentication (private_key_jwt, client_secret_jwt). */
export declare function checkAssertion<P = JWTPayload>(
  assertion: string | Uint8Array,
  options: AssertionOptions,
): Promise<VerifiedAssertion<P>>;

export interface WebhookRequest {
  /** The `Authorization` header value: `Bearer <jwt>`. */
  authorization: string;
  /**
   * The raw request body: a string (hashed as UTF-8) or its bytes (a Node `Buffer` is a
   * Uint8Array). Anything else (an `ArrayBuffer`: wrap it as `new Uint8Array(buffer)`) throws
   * a `TypeError` with `code` `ERR_INVALID_OPTION`, `option` `"request.body"`.
   */
  body: string | Uint8Array;
}

export interface WebhookOptions extends VerifyOptions {
  /** Default 300: `iat` must be within this of now, both ways. */
  maxAge?: Seconds;
  /** Default: true when `replay` is given. */
  requireJti?: boolean;
  replay?: ReplayStore;
  /** Default 5000: how long `replay.markUsed` may take before the check fails closed. */
  replayTimeoutMs?: number;
}

/** A signed push notification: the bearer JWT, bound to the body by `request_body_sha256`. */
export declare function verifyWebhook<P = JWTPayload>(
  request: WebhookRequest,
  keys: KeysInput,
  options?: WebhookOptions,
): Promise<VerifiedJwt<P>>;

// ---------------------------------------------------------------------------------------
// Resource servers: access tokens (RFC 9068), authenticateRequest (RFC 6750, RFC 9449)
// ---------------------------------------------------------------------------------------

export interface AccessTokenOptions extends VerifyOptions {
  /** Required: the resource's identifier(s); the token's `aud` must hold one. */
  audience: string | string[];
  /** Required: the authorization server's issuer identifier(s). */
  issuer: string | string[];
  /** Fixed by the profile: only `"at+jwt"` (or `"application/at+jwt"`) may be given. */
  typ?: 'at+jwt' | 'application/at+jwt';
  /**
   * Scopes the token's `scope` claim (space-separated) must all hold; else
   * `ERR_JWT_CLAIM_VALIDATION_FAILED` with `claim: "scope"`, `reason: "insufficient_scope"`.
   */
  requiredScopes?: string[];
}

/** The claims RFC 9068 §2.2 requires of an access token. */
export interface AccessTokenPayload extends JWTPayload {
  iss: string;
  exp: number;
  aud: string | string[];
  sub: string;
  client_id: string;
  iat: number;
  jti: string;
  scope?: string;
  /** Confirmation: `jkt` binds the token to a DPoP key (RFC 9449 §6). */
  cnf?: { jkt?: string; [member: string]: unknown };
}

/**
 * An RFC 9068 JWT access token: header `typ` `at+jwt`; `iss`, `exp`, `aud`, `sub`,
 * `client_id`, `iat`, `jti` required; `scope` holding every `requiredScopes` entry.
 */
export declare function verifyAccessToken<P = AccessTokenPayload>(
  token: string | Uint8Array,
  keys: KeysInput,
  options: AccessTokenOptions,
): Promise<VerifiedJwt<P>>;

/**
 * Every rule verifyAccessToken runs with `options` (claim types, the derived claim rules,
 * `scope`), each reported, on the token without its signature (for the debugging page).
 */
export declare function explainAccessToken(token: string | Uint8Array, options: AccessTokenOptions): ClaimCheck[];

export interface AuthenticateOptions extends VerifyOptions {
  /** The access tokens' issuer keys. */
  keys: KeysInput;
  /**
   * Default `"at+jwt"`: RFC 9068 (`audience` and `issuer` then required). `"jwt"`:
   * `verifyJwt`'s rules plus `requiredScopes`.
   */
  profile?: 'at+jwt' | 'jwt';
  /** Scopes the token must hold; else 403 `insufficient_scope`. */
  requiredScopes?: string[];
  /**
   * Default `"allowed"`: Bearer and DPoP schemes. `"required"`: DPoP only. `"off"`: Bearer
   * only (the DPoP scheme counts as unknown).
   */
  dpop?: 'allowed' | 'required' | 'off';
  /**
   * Where each DPoP proof's `jti` is marked used (keys scoped by the proof key's `jkt`). Default:
   * one in-memory `ReplayCache` shared by every call in the process; pass a shared store
   * (e.g. `RedisReplayStore`) when several processes serve the API.
   */
  dpopReplay?: ReplayStore;
  /**
   * Algorithms a DPoP proof may use (asymmetric only), listed in `DPoP algs="…"`. Default:
   * the asymmetric ones of `algorithms`, or every asymmetric algorithm.
   */
  dpopAlgorithms?: Algorithm[];
  /** The challenges' `realm` (printable ASCII). */
  realm?: string;
  /** RFC 9728 `resource_metadata`: the absolute http(s) URL of this resource's metadata. */
  resourceMetadata?: string;
  /**
   * This resource's public origin (`https://host[:port]`, no path, query, fragment or
   * userinfo): a DPoP proof's `htu` is compared with `origin` + the request's path and query,
   * never with the client's Host header. Recommended for DPoP in production.
   */
  origin?: string;
}

/** A request as authenticateRequest reads it: a Fetch `Request`, or Node's `req`. */
export interface AuthenticateRequestInput {
  /** Needed for the DPoP scheme only (a missing one is a 400 there). */
  method?: string;
  /**
   * Absolute, or a path resolved against the `Host` header (`https` on a TLS socket). Needed
   * for the DPoP scheme only.
   */
  url?: string;
  headers: Headers | Record<string, string | string[] | undefined>;
  headersDistinct?: Record<string, string[] | undefined>;
  /** Node's socket: a TLS one (`encrypted: true`) makes a relative `url` `https:`. */
  socket?: object;
}

export type AuthError = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof';

export interface AuthSuccess<P = AccessTokenPayload> {
  ok: true;
  token: string;
  header: JWTHeader;
  payload: P & JWTPayload;
  key: KeyInfo;
  scheme: 'Bearer' | 'DPoP';
  /** The DPoP key's RFC 7638 thumbprint (the token's `cnf.jkt`), for a DPoP-bound token. */
  jkt?: string;
}

export interface AuthFailure {
  ok: false;
  status: 400 | 401 | 403;
  /** Absent when the request carried no credentials (RFC 6750 §3.1). */
  error?: AuthError;
  /** One fixed phrase per failure category: never key ids, URLs or token text. */
  errorDescription?: string;
  /** The `WWW-Authenticate` header value. */
  wwwAuthenticate: string;
  /** The verifier's error, when a token or proof was refused. */
  cause?: JoseError;
}

export type AuthResult<P = AccessTokenPayload> = AuthSuccess<P> | AuthFailure;

/**
 * Authenticates a request's `Authorization: Bearer` or `DPoP` credentials. Refusals resolve
 * to `{ ok: false, … }`; keys that cannot be fetched or a failing replay store reject.
 */
export declare function authenticateRequest<P = AccessTokenPayload>(
  request: Request | AuthenticateRequestInput,
  options: AuthenticateOptions,
): Promise<AuthResult<P>>;

/** The Response for a refused request: status, `WWW-Authenticate`, JSON `{ error, error_description }`. */
export declare function challengeResponse(result: AuthFailure): Response;

export interface DpopOptions {
  /** The request's method; `htm` must equal it exactly. */
  method: string;
  /**
   * The request's absolute http(s) URL as the client addressed it; `htu` must equal it
   * without query and fragment (scheme and host case-insensitive, default port dropped).
   */
  url: string;
  /** The access token sent with the proof: makes `ath` (base64url SHA-256 of it) required. */
  accessToken?: string;
  /** The nonce the server gave the client: makes `nonce` required and equal (not `""`). */
  nonce?: string;
  /** Default 300, at most 3600: `iat` must be within this of now, both ways (plus `clockTolerance`). */
  maxAge?: Seconds;
  /** Default 0. */
  clockTolerance?: Seconds;
  /** Makes `jti` single use, under the key `<jkt> <jti>`. */
  replay?: ReplayStore;
  /** Default 5000: how long `replay.markUsed` may take before the check fails closed. */
  replayTimeoutMs?: number;
  /** Asymmetric algorithms only (an `HS*` listed is a TypeError). Default: all of them. */
  algorithms?: Algorithm[];
  currentDate?: Date | number;
  crit?: Record<string, boolean>;
  /** Default 16384 characters. */
  maxTokenLength?: number;
  maxCandidates?: number;
}

export interface VerifiedDpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's `jwk` (compare with an access token's `cnf.jkt`). */
  jkt: string;
  header: JWTHeader & { typ: string; jwk: JWK };
  payload: JWTPayload & { jti: string; htm: string; htu: string; iat: number; ath?: string; nonce?: string };
}

/**
 * RFC 9449 §4.3: a DPoP proof (the `DPoP` request header) for this request. Fails with
 * `ERR_DPOP_INVALID` (`claim`/`reason` say which check), `ERR_JWT_REPLAYED` for a reused `jti`,
 * `ERR_JWS_INVALID` when the header `jwk` holds private key members.
 */
export declare function verifyDpopProof(proof: string, options: DpopOptions): Promise<VerifiedDpopProof>;

export interface DpopExplanation {
  /** The thumbprint of the header `jwk`, when it is a usable key. */
  jkt?: string;
  /**
   * `typ`, `alg`, `jwk`, then the claim rules (`jti`, `htm`, `htu`, `nonce`?, `iat`, `ath`?,
   * `nbf`, `exp`), each run on its own: every failure is reported, not only the first. The
   * signature is not checked here (`verifyDpopProof` does).
   */
  checks: Array<ClaimCheck & { skipped?: boolean }>;
}

/** Every check verifyDpopProof runs with `options`, but the signature (the debugging page). */
export declare function explainDpop(proof: string, options: DpopOptions): DpopExplanation;
