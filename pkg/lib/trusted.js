// TrustedIssuers (API.md, "Key resolvers and many issuers"): a KeysInput whose keys the token's
// `iss` picks. The core decides whether that `iss` is trusted (before any request), whether to
// reuse, start or drop an issuer's discovery (at most maxIssuers, least recently used dropped
// first, a failure kept for cooldownMs), and binds the key set to the issuer so that a token
// verifies only with its own issuer's keys. This class holds each issuer's discovery (shared
// by concurrent first uses) and calls the caller's predicate.

import { WasmTrustedIssuers, boundKeySet } from '../gen/jwks_verify.js';
import { core } from './errors.js';
import { KeySet, handleOf } from './keys.js';
import { discoverJwks, settingsOf } from './remote.js';
import { ownOptions } from './own.js';
import { withPayload } from './verify.js';
import { instanceId, isReady, loadProtocol, recoverFrom } from './runtime.js';

// The options discoverJwks takes: all but maxIssuers (the core reads and checks all of them).
function remoteOptionsOf(options) {
  if (options === null || typeof options !== 'object') return options;
  const { maxIssuers, ...remote } = options;
  return remote;
}

export class TrustedIssuers {
  #issuers;
  #options;
  // The options as the core read them (own.js ownOptions), which every discovery takes.
  #read;
  #predicate;
  #core = null;
  #instance = -1;
  // issuer -> { pending: Promise<RemoteJwks>, remote: RemoteJwks | null, error }
  #discoveries = new Map();
  // A RemoteJwks's KeySet -> the same keys bound to its issuer.
  #bound = new WeakMap();

  constructor(issuers, options) {
    this.#issuers = Array.isArray(issuers) ? [...issuers] : issuers;
    this.#predicate = typeof issuers === 'function' ? issuers : null;
    this.#options = options;
    // Once the core has read the options (here when the module is loaded, else on first use):
    // header names and values, and the store's interface, as RemoteJwks checks them, a
    // TypeError then rather than at the first discovery.
    if (isReady()) this.#coreObject();
  }

  #coreObject() {
    if (this.#core && this.#instance !== instanceId()) {
      // A trap replaced the wasm instance (runtime.js): start again, empty.
      this.#core = null;
      this.#discoveries.clear();
      this.#bound = new WeakMap();
    }
    if (!this.#core) {
      const read = ownOptions(this.#options, 'TrustedIssuers');
      const trust = core(() => new WasmTrustedIssuers(this.#issuers, read));
      try {
        settingsOf(remoteOptionsOf(read));
      } catch (err) {
        trust.free();
        throw err;
      }
      this.#read = read;
      this.#core = trust;
      this.#instance = instanceId();
    }
    return this.#core;
  }

  /** The key set of the token's issuer, bound to it; refused before any request when untrusted. */
  async keySetFor(token, maxTokenLength = 16384) {
    await loadProtocol();
    const trust = this.#coreObject();
    // An untrusted, missing or non-string iss is a claim failure: it carries the payload.
    const issuer = core(() => trust.issuerOf(token, maxTokenLength), withPayload(token));
    if (this.#predicate !== null) {
      const verdict = this.#predicate(issuer);
      core(() => trust.admit(issuer, verdict), withPayload(token));
    }
    const remote = await this.#discovery(trust, issuer);
    const keySet = await remote.keySetFor(token, maxTokenLength);
    let bound = this.#bound.get(keySet);
    if (bound === undefined) {
      bound = new KeySet(core(() => boundKeySet(handleOf(keySet), issuer)));
      this.#bound.set(keySet, bound);
    }
    return bound;
  }

  #discovery(trust, issuer) {
    const { discover, evicted } = JSON.parse(core(() => trust.lookup(issuer, Date.now())));
    if (evicted !== null) this.#discoveries.delete(evicted);
    let entry = this.#discoveries.get(issuer);
    if (discover || entry === undefined) {
      entry = { pending: discoverJwks(issuer, remoteOptionsOf(this.#read)), remote: null, error: null };
      this.#discoveries.set(issuer, entry);
      const current = entry;
      entry.pending.then(
        (remote) => {
          current.remote = remote;
        },
        (err) => {
          current.error = err;
          if (this.#discoveries.get(issuer) === current && this.#core === trust) {
            try {
              trust.failed(issuer, Date.now());
            } catch (failure) {
              recoverFrom(failure); // a trap, or an instance a trap replaced: nothing to record
            }
          }
        },
      );
    }
    return entry.pending;
  }

  /** The issuers held, most recently used first, with their RemoteJwks stats once discovered. */
  stats() {
    if (!this.#core) return { issuers: [] };
    const held = JSON.parse(core(() => this.#core.issuers()));
    return {
      issuers: held.map((issuer) => {
        const entry = this.#discoveries.get(issuer);
        return { issuer, jwks: entry?.remote?.stats() ?? null, jwksUri: entry?.remote?.url ?? null, lastError: entry?.error ?? null };
      }),
    };
  }
}
