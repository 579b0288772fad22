// Signature backends. `verify(prepared, keySetHandle, tokenText)` tries the prepared
// token's candidate keys in set order and returns the index of the first that verifies,
// or -1 (the async backends return a Promise of it); the node backend instead answers the
// core's per-candidate calls in one crossing (`withCandidateCheck`, see verify.js).
//
//   rust      — the pure-Rust code inside the wasm module; works everywhere, slowest.
//   node      — node:crypto's synchronous `crypto.verify` with cached KeyObjects
//               (registered by the Node entry, which may import node:crypto).
//   webcrypto — `crypto.subtle.verify` with cached CryptoKeys; asynchronous only. HS* and,
//               where the host lacks Ed25519, EdDSA go to the Rust code instead.
//
// Every backend applies the same shape checks first (signature length, RSA signature < n,
// HMAC key length), so that no backend accepts what another rejects. A key a host refuses
// to import is checked by the Rust code instead.

import { algNames } from '../gen/jwks_verify.js';
import { JoseError } from './errors.js';

// family, node hash name, WebCrypto hash name, and `size`: the exact signature length
// (HMAC, ECDSA, EdDSA) or the PSS salt length / HMAC minimum key length (= hash length).
const ALGORITHMS = {
  HS256: { family: 'hmac', hash: 'sha256', webHash: 'SHA-256', size: 32 },
  HS384: { family: 'hmac', hash: 'sha384', webHash: 'SHA-384', size: 48 },
  HS512: { family: 'hmac', hash: 'sha512', webHash: 'SHA-512', size: 64 },
  RS256: { family: 'pkcs1', hash: 'sha256', webHash: 'SHA-256', size: 32 },
  RS384: { family: 'pkcs1', hash: 'sha384', webHash: 'SHA-384', size: 48 },
  RS512: { family: 'pkcs1', hash: 'sha512', webHash: 'SHA-512', size: 64 },
  PS256: { family: 'pss', hash: 'sha256', webHash: 'SHA-256', size: 32 },
  PS384: { family: 'pss', hash: 'sha384', webHash: 'SHA-384', size: 48 },
  PS512: { family: 'pss', hash: 'sha512', webHash: 'SHA-512', size: 64 },
  ES256: { family: 'ecdsa', hash: 'sha256', webHash: 'SHA-256', size: 64, crv: 'P-256' },
  ES384: { family: 'ecdsa', hash: 'sha384', webHash: 'SHA-384', size: 96, crv: 'P-384' },
  ES512: { family: 'ecdsa', hash: 'sha512', webHash: 'SHA-512', size: 132, crv: 'P-521' },
  EdDSA: { family: 'eddsa', hash: null, webHash: null, size: 64 },
  Ed25519: { family: 'eddsa', hash: null, webHash: null, size: 64 },
};

function b64urlBytes(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// What the backends know about one key of a parsed set, built once per (set, index): its
// public JWK, the facts the shape checks need, and the host key objects made from it.
function makeEntry(jwkText) {
  const jwk = JSON.parse(jwkText);
  const entry = { jwk, modulus: null, secret: null, nodeKey: undefined, nodeParams: {}, webKeys: {} };
  if (jwk.kty === 'RSA') {
    const n = b64urlBytes(jwk.n);
    let start = 0;
    while (start < n.length - 1 && n[start] === 0) start++;
    entry.modulus = n.subarray(start);
  } else if (jwk.kty === 'oct') {
    entry.secret = b64urlBytes(jwk.k);
  }
  return entry;
}

// A parsed key set (WasmKeySet) lives long: cache per handle, dropped with it.
const entriesByHandle = new WeakMap();

function keyEntry(handle, index) {
  let entries = entriesByHandle.get(handle);
  if (entries === undefined) {
    entries = [];
    entriesByHandle.set(handle, entries);
  }
  return entries[index] ?? (entries[index] = makeEntry(handle.publicJwk(index)));
}

// RFC 7518: an HMAC key at least as long as the hash; RSA signatures exactly the modulus
// length and below the modulus; ECDSA r||s and EdDSA signatures of their fixed length.
function shapeFits(facts, entry, signature) {
  switch (facts.family) {
    case 'hmac':
      return entry.secret !== null && entry.secret.length >= facts.size && signature.length === facts.size;
    case 'pkcs1':
    case 'pss':
      return entry.modulus !== null && signature.length === entry.modulus.length && belowModulus(signature, entry.modulus);
    default:
      return signature.length === facts.size;
  }
}

function belowModulus(signature, modulus) {
  for (let i = 0; i < modulus.length; i++) {
    if (signature[i] !== modulus[i]) return signature[i] < modulus[i];
  }
  return false;
}

// The bytes a signature covers: the token text up to its last '.' (ASCII once prepared).
function signingInputText(tokenText) {
  return tokenText.slice(0, tokenText.lastIndexOf('.'));
}

const rust = {
  name: 'rust',
  sync: true,
  verify(prepared, handle) {
    const facts = ALGORITHMS[prepared.alg()];
    const checkShape = facts.family === 'pkcs1' || facts.family === 'pss';
    const signature = checkShape ? prepared.signature() : null;
    for (const index of prepared.candidates()) {
      if (checkShape && !shapeFits(facts, keyEntry(handle, index), signature)) continue;
      if (prepared.verifyCandidateRust(handle, index)) return index;
    }
    return -1;
  },
};

function makeNodeBackend(nodeCrypto) {
  const { createPublicKey, createHmac, timingSafeEqual, constants } = nodeCrypto;
  const verifySignature = nodeCrypto.verify;
  const PSS = constants.RSA_PKCS1_PSS_PADDING;

  function nodeKey(entry) {
    if (entry.nodeKey === undefined) {
      try {
        // createHmac takes a raw secret faster than a secret KeyObject.
        entry.nodeKey = entry.secret !== null ? Buffer.from(entry.secret) : createPublicKey({ key: entry.jwk, format: 'jwk' });
      } catch {
        entry.nodeKey = null;
      }
    }
    return entry.nodeKey;
  }

  // The key argument of crypto.verify for one algorithm (PSS salt lengths differ by hash),
  // built once per key.
  function keyParams(entry, alg, facts) {
    let params = entry.nodeParams[alg];
    if (params === undefined) {
      const key = nodeKey(entry);
      if (key === null) params = null;
      else if (facts.family === 'pss') params = { key, padding: PSS, saltLength: facts.size };
      else if (facts.family === 'ecdsa') params = { key, dsaEncoding: 'ieee-p1363' };
      else params = key;
      entry.nodeParams[alg] = params;
    }
    return params;
  }

  function check(facts, params, data, signature) {
    try {
      if (facts.family === 'hmac') {
        return timingSafeEqual(createHmac(facts.hash, params).update(data).digest(), signature);
      }
      return verifySignature(facts.hash, data, params, signature);
    } catch {
      return false;
    }
  }

  // The one-crossing form (core `verifyWithHost`): the core calls `checkCandidate(index,
  // algCode)` for each candidate while `current` holds the token being verified. The
  // signature and signed bytes are decoded here, once, on first need (the core has already
  // checked that the token is strict base64url, hence ASCII).
  const current = { handle: null, text: null, signature: null, data: null };
  let algByCode = null;

  function checkCandidate(index, algCode) {
    if (algByCode === null) algByCode = JSON.parse(algNames());
    const alg = algByCode[algCode];
    const facts = ALGORITHMS[alg];
    const entry = keyEntry(current.handle, index);
    if (current.signature === null) current.signature = Buffer.from(current.text.slice(current.text.lastIndexOf('.') + 1), 'base64url');
    if (!shapeFits(facts, entry, current.signature)) return 0;
    const params = keyParams(entry, alg, facts);
    if (params === null) return 2;
    if (current.data === null) current.data = Buffer.from(signingInputText(current.text), 'latin1');
    return check(facts, params, current.data, current.signature) ? 1 : 0;
  }

  return {
    name: 'node',
    sync: true,
    // The verified token's header and payload, from its (strict, already checked) base64url.
    decodeVerified(tokenText) {
      const headerEnd = tokenText.indexOf('.');
      const payloadEnd = tokenText.lastIndexOf('.');
      return {
        header: JSON.parse(Buffer.from(tokenText.slice(0, headerEnd), 'base64url').toString()),
        payload: JSON.parse(Buffer.from(tokenText.slice(headerEnd + 1, payloadEnd), 'base64url').toString()),
      };
    },
    // `run(checkCandidate)` calls the core; the token's state is dropped afterwards.
    withCandidateCheck(handle, tokenText, run) {
      current.handle = handle;
      current.text = tokenText;
      try {
        return run(checkCandidate);
      } finally {
        current.handle = current.text = current.signature = current.data = null;
      }
    },
  };
}

// RFC 8032 §7.1 test 1 (empty message): a host that verifies it supports Ed25519.
const ED25519_PROBE = {
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  signature: '5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc-bRr0lv18Fl' +
    'bviRlUUFDjnoQCw',
};

function makeWebCryptoBackend(subtle) {
  let ed25519 = null;

  // null (not probed yet), the probe's Promise, then true or false.
  function ed25519Supported() {
    if (ed25519 === null) {
      ed25519 = subtle
        .importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: ED25519_PROBE.x }, { name: 'Ed25519' }, false, ['verify'])
        .then((key) => subtle.verify({ name: 'Ed25519' }, key, b64urlBytes(ED25519_PROBE.signature), new Uint8Array(0)))
        .then((ok) => (ed25519 = ok === true), () => (ed25519 = false));
    }
    return ed25519;
  }

  function importParams(facts) {
    switch (facts.family) {
      case 'pkcs1': return { name: 'RSASSA-PKCS1-v1_5', hash: facts.webHash };
      case 'pss': return { name: 'RSA-PSS', hash: facts.webHash };
      case 'ecdsa': return { name: 'ECDSA', namedCurve: facts.crv };
      default: return { name: 'Ed25519' };
    }
  }

  function verifyParams(facts) {
    switch (facts.family) {
      case 'pkcs1': return { name: 'RSASSA-PKCS1-v1_5' };
      case 'pss': return { name: 'RSA-PSS', saltLength: facts.size };
      case 'ecdsa': return { name: 'ECDSA', hash: facts.webHash };
      default: return { name: 'Ed25519' };
    }
  }

  // A CryptoKey is bound to one algorithm: imported once per (key, alg); null when the host
  // refuses the key. `webKeys` holds the import's Promise, then the key itself.
  function webKey(entry, alg, facts) {
    let key = entry.webKeys[alg];
    if (key === undefined) {
      key = subtle.importKey('jwk', entry.jwk, importParams(facts), false, ['verify']).then(
        (imported) => (entry.webKeys[alg] = imported),
        () => (entry.webKeys[alg] = null),
      );
      entry.webKeys[alg] = key;
    }
    return key;
  }

  const paramsByAlg = {};
  for (const [alg, facts] of Object.entries(ALGORITHMS)) {
    if (facts.family !== 'hmac') paramsByAlg[alg] = verifyParams(facts);
  }

  return {
    name: 'webcrypto',
    sync: false,
    async verify(prepared, handle, tokenText) {
      const alg = prepared.alg();
      const facts = ALGORITHMS[alg];
      // The pure-Rust HMAC beats a round trip through the asynchronous WebCrypto API.
      if (facts.family === 'hmac') return rust.verify(prepared, handle);
      if (facts.family === 'eddsa' && ed25519 !== true && !(await ed25519Supported())) return rust.verify(prepared, handle);
      const candidates = prepared.candidates();
      const signature = prepared.signature();
      let data = null;
      for (const index of candidates) {
        const entry = keyEntry(handle, index);
        if (!shapeFits(facts, entry, signature)) continue;
        let key = webKey(entry, alg, facts);
        if (typeof key?.then === 'function') key = await key;
        if (key === null) {
          if (prepared.verifyCandidateRust(handle, index)) return index;
          continue;
        }
        if (data === null) data = new TextEncoder().encode(signingInputText(tokenText));
        let ok = false;
        try {
          ok = await subtle.verify(paramsByAlg[alg], key, signature, data);
        } catch {
          ok = false;
        }
        if (ok) return index;
      }
      return -1;
    },
  };
}

// --- choice --------------------------------------------------------------------------

const BACKEND_NAMES = ['node', 'webcrypto', 'rust'];
const available = { rust };
if (globalThis.crypto?.subtle && typeof globalThis.crypto.subtle.verify === 'function') {
  available.webcrypto = makeWebCryptoBackend(globalThis.crypto.subtle);
}

let forced = null;
let chosenSync = rust;
let chosenAsync = rust;

// Node's own crypto is the fastest where it exists; Deno also runs the Node entry, but
// there WebCrypto (async) and Rust (sync) are the tested paths.
function choose() {
  if (forced !== null) {
    const backend = available[forced];
    chosenSync = backend.sync ? backend : rust;
    chosenAsync = backend;
    return;
  }
  const node = globalThis.Deno === undefined ? available.node : undefined;
  chosenSync = node ?? rust;
  chosenAsync = node ?? available.webcrypto ?? rust;
}

/** Called by the Node entry with the `node:crypto` module. */
export function registerNodeCrypto(nodeCrypto) {
  available.node = makeNodeBackend(nodeCrypto);
  choose();
}

/**
 * Forces a signature backend: 'node', 'webcrypto' or 'rust'; 'auto' (or no argument)
 * returns to the fastest one available. `verifyJwtSync` cannot use the asynchronous
 * WebCrypto: with 'webcrypto' forced it uses 'rust'.
 */
export function setBackend(name = 'auto') {
  if (name === 'auto') {
    forced = null;
  } else if (typeof name !== 'string' || !BACKEND_NAMES.includes(name)) {
    throw new TypeError(`unknown backend ${JSON.stringify(name)}; expected "node", "webcrypto", "rust" or "auto"`);
  } else if (!available[name]) {
    throw new JoseError('ERR_JOSE_NOT_SUPPORTED', `the ${name} backend is not available in this runtime (available: ${Object.keys(available).join(', ')})`);
  } else {
    forced = name;
  }
  choose();
}

/** `{ sync, async, available }`: the backend names in use and those this runtime has. */
export function getBackend() {
  return { sync: chosenSync.name, async: chosenAsync.name, available: Object.keys(available) };
}

export function syncBackend() {
  return chosenSync;
}

export function asyncBackend() {
  return chosenAsync;
}

choose();
