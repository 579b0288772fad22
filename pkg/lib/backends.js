// Signature backends. The core runs the whole pipeline and asks a backend only about
// candidates whose signature already has the shape the key needs; every algorithm fact comes
// from the core's table (`algorithmTable()`), none is written here.
//
//   rust      — the pure-Rust code: HMAC in the protocol module, RSA/ECDSA/EdDSA in the
//               signature module (signature.js); works everywhere, slowest.
//   node      — node:crypto's synchronous `crypto.verify` with cached KeyObjects
//               (registered by the Node entry, which may import node:crypto).
//   webcrypto — `crypto.subtle.verify` with cached CryptoKeys; asynchronous only. HS* and,
//               where the host lacks Ed25519, EdDSA go to the Rust code instead.
//
// A synchronous backend gives the core a host check, `hostFor(handle)(index, algCode, data,
// signature)` → 1 verified, 0 not, 2 "check this key in Rust" (undefined: Rust does it all;
// the core never asks a host about HMAC, its own is faster). `data` and `signature` are views
// of the protocol module's memory, valid until the next call into that module (which may grow
// the memory and detach them): a check that must call in (a key's first use) copies them first.
// The asynchronous one checks a prepared token's candidates (`verifyPrepared`).

import { algorithmTable } from '../gen/jwks_verify.js';
import { JoseError } from './errors.js';
import { loadSignature, signatureCheck, signatureLoaded } from './signature.js';

let table = null;
function facts(algCode) {
  if (table === null) table = JSON.parse(algorithmTable());
  return table[algCode];
}

// What the backends know about one key of a parsed set, built once per (set, index): its
// public JWK and the host key objects made from it.
const entriesByHandle = new WeakMap();

function keyEntry(handle, index) {
  let entries = entriesByHandle.get(handle);
  if (entries === undefined) {
    entries = [];
    entriesByHandle.set(handle, entries);
  }
  return entries[index] ?? (entries[index] = { jwk: JSON.parse(handle.publicJwk(index)), params: undefined, nodeKey: undefined, nodeParams: [], webKeys: [] });
}

// The pure-Rust check of one candidate: HMAC stays in the protocol module (2: "check it in
// Rust"), the rest goes to the signature module with the key's checked parameters.
function rustCheck(handle, index, algCode, data, signature) {
  const alg = facts(algCode);
  if (alg.family === 'hmac') return 2;
  const entry = keyEntry(handle, index);
  entry.params ??= handle.keyParams(index);
  return signatureCheck(entry.params, algCode, data, signature, alg.name);
}

const rustHosts = new WeakMap();
const rust = {
  name: 'rust',
  sync: true,
  hostFor(handle) {
    let host = rustHosts.get(handle);
    if (host === undefined) {
      // Copies: rustCheck may call into the protocol module (the key's parameters).
      host = (index, algCode, data, signature) => rustCheck(handle, index, algCode, data.slice(), signature.slice());
      rustHosts.set(handle, host);
    }
    return host;
  },
  // An asynchronous call on this backend loads the signature module first (where it can).
  load() {
    return signatureLoaded() ? undefined : loadSignature().catch(() => undefined);
  },
};

function makeNodeBackend(nodeCrypto) {
  const { createPublicKey, constants } = nodeCrypto;
  const verifySignature = nodeCrypto.verify;

  function nodeKey(entry) {
    if (entry.nodeKey === undefined) {
      try {
        entry.nodeKey = createPublicKey({ key: entry.jwk, format: 'jwk' });
      } catch {
        entry.nodeKey = null;
      }
    }
    return entry.nodeKey;
  }

  // The key argument of crypto.verify for one algorithm, built once per key.
  function keyParams(entry, algCode, alg) {
    let params = entry.nodeParams[algCode];
    if (params === undefined) {
      const key = nodeKey(entry);
      if (key === null) params = null;
      else if (alg.pssSaltLength != null) params = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.pssSaltLength };
      else if (alg.nodeDsaEncoding != null) params = { key, dsaEncoding: alg.nodeDsaEncoding };
      else params = key;
      entry.nodeParams[algCode] = params;
    }
    return params;
  }

  // `data` and `signature` are views of wasm memory: used as they are only when this key's
  // parameters are cached (no call into wasm before the check); otherwise copied first.
  function check(handle, index, algCode, data, signature) {
    const params = table === null ? undefined : entriesByHandle.get(handle)?.[index]?.nodeParams[algCode];
    if (params === undefined || params === null) return firstCheck(handle, index, algCode, data.slice(), signature.slice());
    return verified(table[algCode], data, params, signature);
  }

  function firstCheck(handle, index, algCode, data, signature) {
    const alg = facts(algCode);
    const params = keyParams(keyEntry(handle, index), algCode, alg);
    if (params === null) return rustCheck(handle, index, algCode, data, signature);
    return verified(alg, data, params, signature);
  }

  function verified(alg, data, params, signature) {
    try {
      return verifySignature(alg.nodeHash, data, params, signature) ? 1 : 0;
    } catch {
      return 0;
    }
  }

  const hosts = new WeakMap();
  return {
    name: 'node',
    sync: true,
    hostFor(handle) {
      let host = hosts.get(handle);
      if (host === undefined) {
        host = (index, algCode, data, signature) => check(handle, index, algCode, data, signature);
        hosts.set(handle, host);
      }
      return host;
    },
  };
}

// RFC 8032 §7.1 test 1 (empty message): a host that verifies it supports Ed25519.
const ED25519_PROBE = {
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  signature: '5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc-bRr0lv18Fl' +
    'bviRlUUFDjnoQCw',
};

function b64urlBytes(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

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

  // A CryptoKey is bound to one algorithm: imported once per (key, alg); null when the host
  // refuses the key. `webKeys` holds the import's Promise, then the key itself.
  function webKey(entry, algCode, alg) {
    let key = entry.webKeys[algCode];
    if (key === undefined) {
      key = subtle.importKey('jwk', entry.jwk, alg.webImport, false, ['verify']).then(
        (imported) => (entry.webKeys[algCode] = imported),
        () => (entry.webKeys[algCode] = null),
      );
      entry.webKeys[algCode] = key;
    }
    return key;
  }

  // HMAC in the protocol module; anything else in the signature module, loaded on demand.
  async function byRust(prepared, handle, index, algCode) {
    if (facts(algCode).family === 'hmac') return prepared.verifyRust(handle, index);
    await loadSignature();
    return rustCheck(handle, index, algCode, prepared.signingInput(), prepared.signature()) === 1;
  }

  async function firstByRust(prepared, handle, candidates) {
    const algCode = prepared.algCode();
    for (const index of candidates) {
      if (await byRust(prepared, handle, index, algCode)) return index;
    }
    return -1;
  }

  return {
    name: 'webcrypto',
    sync: false,
    async verifyPrepared(prepared, handle) {
      const algCode = prepared.algCode();
      const alg = facts(algCode);
      const candidates = prepared.candidates();
      // The pure-Rust HMAC beats a round trip through the asynchronous WebCrypto API.
      if (alg.family === 'hmac') return firstByRust(prepared, handle, candidates);
      if (alg.family === 'eddsa' && ed25519 !== true && !(await ed25519Supported())) return firstByRust(prepared, handle, candidates);
      const signature = prepared.signature();
      const data = prepared.signingInput();
      for (const index of candidates) {
        let key = keyEntry(handle, index).webKeys[algCode];
        if (key === undefined || typeof key.then === 'function') key = await webKey(keyEntry(handle, index), algCode, alg);
        if (key === null) {
          if (await byRust(prepared, handle, index, algCode)) return index;
          continue;
        }
        let ok = false;
        try {
          ok = await subtle.verify(alg.webVerify, key, signature, data);
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
    const got = typeof name === 'string' ? JSON.stringify(name) : name === null ? 'null' : `a ${typeof name}`;
    throw Object.assign(new TypeError(`unknown backend ${got}; expected "node", "webcrypto", "rust" or "auto"`), { code: 'ERR_INVALID_OPTION', option: 'backend' });
  } else if (!available[name]) {
    throw new JoseError('ERR_JOSE_NOT_SUPPORTED', `the ${name} backend is not available in this runtime (available: ${Object.keys(available).join(', ')})`);
  } else {
    forced = name;
    // Outside Node the RSA/ECDSA/EdDSA code is a second module: start loading it now
    // (asynchronous calls wait for it; a sync one before it arrives throws ERR_FALLBACK_NOT_LOADED).
    if (name === 'rust') rust.load();
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
