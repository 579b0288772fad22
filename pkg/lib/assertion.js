// checkAssertion: RFC 7523 client authentication (private_key_jwt, client_secret_jwt). The core
// reads the options, routes the assertion to the client's keys or a federated issuer's, and runs
// the one pipeline with the assertion profile; the jti is marked used last, under the scoped
// key and until the instant the core gives.

import { WasmProfile, explainAssertion as coreExplainAssertion } from '../gen/jwks_verify.js';
import { core } from './errors.js';
import { markUsedOnce } from './replay.js';
import { assertReady, instanceId, loadProtocol, release } from './runtime.js';
import { resolveKeySet, runProfile } from './verify.js';
import { ownOptions } from './own.js';

// The options read once (own.js ownOptions), federated issuers' too: the core checks this
// reading, and the keys and replay store used are its. They were read again: a getter or Proxy
// answering other keys (or another store) on the second read verified the assertion with keys
// the core never saw.
function readOnce(options) {
  const read = ownOptions(options, 'checkAssertion');
  if (read !== options && Array.isArray(read.federated)) read.federated = Array.from(read.federated, (issuer) => ownOptions(issuer, 'checkAssertion'));
  return read;
}

export async function checkAssertion(assertion, options) {
  await loadProtocol();
  const made = instanceId();
  const read = readOnce(options);
  const profile = core(() => WasmProfile.assertion(read));
  try {
    const text = core(() => profile.text(assertion));
    const [route, replayTimeoutMs] = core(() => [profile.route(text), profile.replayTimeoutMs()]);
    const keys = route < 0 ? read.keys : read.federated[route].keys;
    const keySet = await resolveKeySet(keys, text, profile, route);
    const verified = await runProfile(profile, text, keySet, route);
    if (verified.replay) await markUsedOnce(read.replay, verified.replay, replayTimeoutMs, verified.payload);
    return {
      clientId: verified.clientId,
      jti: verified.jti ?? undefined,
      header: verified.header,
      payload: verified.payload,
      key: verified.key,
      federated: verified.federated,
    };
  } finally {
    release(profile, made);
  }
}

/** Every rule checkAssertion runs with `options`, on the assertion without its signature. */
export function explainAssertion(assertion, options) {
  assertReady('explainAssertion');
  return JSON.parse(core(() => coreExplainAssertion(assertion, options)));
}
