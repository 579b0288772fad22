// authenticateRequest and challengeResponse: a resource server's check of a request's access
// token (RFC 6750 Bearer, RFC 9449 DPoP). Every decision is the core's (WasmResource): how the
// headers read, which failure is which status, error and description, the cnf.jkt binding, the
// WWW-Authenticate challenge. This file reads the request, calls the verifiers in between and
// builds the Response.

import { WasmResource } from '../gen/jwks_verify.js';
import { core, fromCore, isJoseError } from './errors.js';
import { instanceId, loadProtocol, release } from './runtime.js';
import { detached, ownMember, ownOptions } from './own.js';
import { resolveKeySet, runProfile } from './verify.js';
import { verifyDpopProof } from './dpop.js';
import { ReplayCache } from './replay.js';
import { optionsCache } from './options-cache.js';

// The store the core asks for to mark a DPoP proof's jti used (it decides: proofs are always
// single-use): the caller's `dpopReplay`, or this runtime's one in-process cache for every call
// (which runs on the now of the check marking a proof: replay.js).
let processReplay = null;
function replayStore(name, reading) {
  // The store the core checked, from its reading of the options (never read again).
  if (name === 'dpopReplay') return reading.dpopReplay;
  if (name === 'process') return (processReplay ??= new ReplayCache());
  throw new Error(`jwks-verify: the core asked for an unknown replay store ${name}`);
}

// The core reads at most two values of a header (two are refused already); a third tells it
// there were more.
const MAX_VALUES = 3;

// The request, its headers and socket are read through ownMember (own.js): their own members
// or their class's (Node's IncomingMessage has headersDistinct on its prototype, Headers its
// get), never one a polluted Object.prototype lends (its headersDistinct made every request, a
// Fetch Request or one without credentials included, carry its token).

// Every value of header `name` (at most MAX_VALUES): a Headers object (it joins duplicates
// with ", "), or an object of string or string[] values (Node's, lower-case). Values that are
// not strings are passed on as they are: the core refuses them.
function headerValues(headers, name) {
  if (headers == null) return [];
  if (typeof ownMember(headers, 'get') === 'function') {
    const value = headers.get(name);
    return value === null ? [] : [value];
  }
  // Node's keys are lower-case; a hand-built object may spell them otherwise.
  const values = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const value = headers[key];
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length && values.length < MAX_VALUES; i++) values.push(value[i]);
    } else if (value !== undefined) values.push(value);
    if (values.length >= MAX_VALUES) break;
  }
  return values;
}

function requestParts(request) {
  if (request === null || typeof request !== 'object') {
    throw Object.assign(new TypeError('authenticateRequest needs a Request or { method, url, headers }'), { code: 'ERR_INVALID_OPTION', option: 'request' });
  }
  const headers = ownMember(request, 'headers');
  // Node drops every Authorization header but the first from req.headers; headersDistinct
  // keeps them all, so that two of them are refused.
  const headersDistinct = ownMember(request, 'headersDistinct');
  const distinct = headersDistinct !== null && typeof headersDistinct === 'object' ? headersDistinct : headers;
  // A Fetch Request's URL is the runtime's; a Node-style request's Host header goes to the
  // core, which resolves a path against it and checks an absolute-form target's authority and
  // scheme (the connection's: https when `socket.encrypted`; the adapters pass their
  // framework's protocol that way).
  const fetchStyle = headers != null && typeof ownMember(headers, 'get') === 'function';
  const socket = ownMember(request, 'socket');
  return {
    method: ownMember(request, 'method'),
    url: ownMember(request, 'url'),
    authorization: headerValues(distinct, 'authorization'),
    dpop: headerValues(distinct, 'dpop'),
    // Node's own request (it has a socket) without a Host header (HTTP/1.0): an empty Host, so
    // that an absolute-form target is a 400 rather than taken as it is (any server's URL).
    host: fetchStyle ? undefined : headerValues(headers, 'host')[0] ?? (socket ? '' : undefined),
    encrypted: ownMember(socket, 'encrypted') === true,
  };
}

function failed(json, cause) {
  const { failure } = JSON.parse(json);
  if (cause !== undefined) failure.cause = cause;
  return failure;
}

// A verifier's failure as the core judges it: a result, or (not the client's fault: keys that
// cannot be fetched, a failing replay store, a bug) the error thrown on.
function judged(judge, err) {
  if (!isJoseError(err)) throw err;
  const json = judge(err);
  if (json === undefined) throw err;
  return failed(json, err);
}

// The options read once (own.js ownOptions): the core checks this reading, and the keys and
// DPoP replay store used are its. `keys` was read again, so a getter or Proxy answering other
// keys on the second read authenticated a token signed by keys the core never saw.
function readResourceOptions(options) {
  const read = ownOptions(options, 'authenticateRequest');
  return { resource: core(() => WasmResource.read(read)), keys: read?.keys, dpopReplay: read?.dpopReplay };
}
// A framework adapter passes the same options object on every request.
const cachedResource = optionsCache(readResourceOptions);
// The access-token profile of a cached reading, made once (it lives and dies with the reading).
const profiles = new WeakMap();
function profileOf(resource) {
  let profile = profiles.get(resource);
  if (profile === undefined) profiles.set(resource, (profile = resource.profile()));
  return profile;
}

/**
 * `authenticateRequest(request, options)`: `{ ok: true, token, header, payload, key, scheme,
 * jkt? }`, or `{ ok: false, status, error?, errorDescription?, wwwAuthenticate, cause? }`.
 */
export async function authenticateRequest(request, options) {
  await loadProtocol();
  const made = instanceId();
  const cached = cachedResource(options);
  const reading = cached ?? readResourceOptions(options);
  const { resource } = reading;
  try {
    const parts = requestParts(request);
    const step = JSON.parse(resource.credentials(parts.method, parts.url, parts.authorization, parts.dpop, parts.host, parts.encrypted));
    if (step.failure) {
      // A value refused before verification (over maxTokenLength): the core's error as cause.
      if (step.failure.cause) step.failure.cause = fromCore(JSON.stringify(step.failure.cause));
      return step.failure;
    }
    const { scheme, token } = step;

    let verified;
    const profile = cached === undefined ? resource.profile() : profileOf(resource);
    try {
      const keySet = await resolveKeySet(reading.keys, token, profile);
      verified = await runProfile(profile, token, keySet);
    } catch (err) {
      return judged((e) => resource.tokenFailed(scheme, e.code, e.claim, e.reason), err);
    } finally {
      if (cached === undefined) release(profile, made);
    }

    let jkt;
    if (scheme === 'DPoP') {
      const proofOptions = JSON.parse(resource.proofOptions());
      try {
        ({ jkt } = await verifyDpopProof(step.proof, {
          ...proofOptions,
          method: step.method,
          url: step.url,
          accessToken: token,
          replay: replayStore(resource.proofReplay(), reading),
        }));
      } catch (err) {
        return judged((e) => resource.proofFailed(e.code, e.claim, e.reason), err);
      }
    }

    // The binding rule reads the token's cnf claim alone: it crosses, not the whole payload
    // (an own member only: never one a polluted Object.prototype lends; serialized as it is,
    // never as a polluted prototype's toJSON: own.js detached).
    const cnf = Object.hasOwn(verified.payload, 'cnf') ? JSON.stringify(detached(verified.payload.cnf)) : undefined;
    const bound = JSON.parse(core(() => resource.bind(scheme, cnf, jkt)));
    if (bound.failure) return bound.failure;
    const result = { ok: true, token, header: verified.header, payload: verified.payload, key: verified.key, scheme };
    if (bound.jkt !== undefined) result.jkt = bound.jkt;
    return result;
  } catch (err) {
    throw isJoseError(err) || err instanceof TypeError ? err : fromCore(err);
  } finally {
    if (cached === undefined) release(resource, made);
  }
}

/**
 * `challengeResponse(result)`: the Response for a failed AuthResult: its status,
 * `WWW-Authenticate`, and the JSON body `{ error, error_description }` (`{}` without error).
 */
export function challengeResponse(result) {
  if (result === null || typeof result !== 'object' || result.ok !== false) {
    throw Object.assign(new TypeError('challengeResponse takes the result of authenticateRequest when ok is false'), { code: 'ERR_INVALID_OPTION', option: 'result' });
  }
  const body = result.error === undefined ? {} : { error: result.error, error_description: result.errorDescription };
  return new Response(JSON.stringify(body), {
    status: result.status,
    headers: { 'www-authenticate': result.wwwAuthenticate, 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}
