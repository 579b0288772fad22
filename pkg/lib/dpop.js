// verifyDpopProof: an RFC 9449 DPoP proof. The core reads the options, applies the header rules
// and hands back the proof's own `jwk` as a one-key set; the one pipeline then verifies the
// proof with this runtime's backend and checks its claims (htm, htu, iat, jti, ath, nonce).
// The jti is marked used last, scoped by the key's thumbprint, when a replay store is given.

import { WasmDpop, explainDpop as coreExplainDpop } from '../gen/jwks_verify.js';
import { core } from './errors.js';
import { KeySet } from './keys.js';
import { markUsedOnce } from './replay.js';
import { assertReady, instanceId, loadProtocol, release } from './runtime.js';
import { runProfile } from './verify.js';
import { ownOptions } from './own.js';

export async function verifyDpopProof(proof, options) {
  await loadProtocol();
  const made = instanceId();
  // Read once (own.js ownOptions): the replay store marked is the one the core checked.
  const read = ownOptions(options, 'verifyDpopProof');
  const dpop = core(() => WasmDpop.read(read));
  let keySet;
  try {
    const text = core(() => dpop.text(proof));
    keySet = new KeySet(core(() => dpop.proofKey(text)));
    const { jkt, replay, header, payload } = await runProfile(dpop, text, keySet);
    if (replay) await markUsedOnce(read.replay, replay, core(() => dpop.replayTimeoutMs()), payload);
    return { jkt, header, payload };
  } finally {
    keySet?.free();
    release(dpop, made);
  }
}

/** Every check verifyDpopProof runs with `options`, but the signature: `{ jkt?, checks }`. */
export function explainDpop(proof, options) {
  assertReady('explainDpop');
  return JSON.parse(core(() => coreExplainDpop(proof, options)));
}
