// A copyable fix for each parseJwks diagnostic: the pasted key rewritten (member added or
// removed) where the page can do that, else the fix in words. The verdicts stay the core's:
// this only edits the JSON the user pasted, and the user re-checks it by pasting it back.

import { diagnosticFix } from './explain.js';

// Private members of RFC 7518 §6.2.2 / §6.3.2 (EC, OKP, RSA). An oct key is a secret as a whole.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

const pretty = (key) => JSON.stringify(key, null, 2);

function withMember(key, name, value) {
  // The new member goes first so that it is easy to spot in the copied JSON.
  return { [name]: value, ...Object.fromEntries(Object.entries(key).filter(([member]) => member !== name)) };
}

function without(key, names) {
  return Object.fromEntries(Object.entries(key).filter(([member]) => !names.includes(member)));
}

/**
 * `{ kind: 'jwk' | 'words', text, note }` for one diagnostic. `rawKeys` are the pasted JWK
 * objects (null for a fetched set), `keyInfo` the KeySet's entry of that key, `alg` the
 * token's header alg, if any.
 */
export function fixFor(diagnostic, { rawKeys, keyInfo, alg, algRefusal } = {}) {
  const words = { kind: 'words', text: diagnosticFix(diagnostic.code) || diagnostic.message, note: '' };
  const raw = Number.isInteger(diagnostic.index) ? rawKeys?.[diagnostic.index] : undefined;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return words;
  const jwk = (key, note) => ({ kind: 'jwk', text: pretty(key), note });
  switch (diagnostic.code) {
    case 'missing_kid':
      return keyInfo?.thumbprint ? jwk(withMember(raw, 'kid', keyInfo.thumbprint), 'The key with its RFC 7638 thumbprint as kid; the issuer must put the same kid in its tokens\' headers.') : words;
    case 'duplicate_kid':
      if (/remove the copy/.test(diagnostic.message)) return { ...words, text: `Remove key #${diagnostic.index} from the set: it repeats another key.` };
      return keyInfo?.thumbprint ? jwk(withMember(raw, 'kid', keyInfo.thumbprint), 'The key under a kid of its own (its thumbprint); tokens signed with it must carry that kid.') : words;
    case 'private_key_material':
      if (raw.kty === 'oct') return { ...words, text: 'Remove this oct key from the public set: its k is the secret itself. Keep HS* secrets on the servers that verify them.' };
      return jwk(without(raw, PRIVATE_MEMBERS), 'The public part only. The private key has been exposed: rotate it as well.');
    case 'missing_alg': {
      if (!alg || alg === 'none') return words;
      const pinned = withMember(raw, 'alg', alg);
      // Pinned to an alg the key cannot serve, the key would be refused: the core says so.
      const refused = algRefusal?.(pinned);
      if (refused) {
        return { ...words, text: `Do not pin this key to the token's alg ${alg}: the library refuses the key with it (${refused.code}: ${refused.message}). Pin it to one of the algorithms listed above, the one the issuer signs with. A token whose alg does not fit the key it selects is not from this key's owner, or is an algorithm-confusion attempt.` };
      }
      return jwk(pinned, `Pinned to the token's alg ${alg}: check that this is the algorithm the issuer signs with.`);
    }
    case 'alg_key_mismatch':
      return jwk(without(raw, ['alg']), 'Without its wrong alg member (or publish the key that alg needs).');
    case 'x5c_mismatch':
    case 'x5t_mismatch':
      return jwk(without(raw, ['x5c', 'x5t', 'x5t#S256']), 'Without the certificate members that do not match this key (or publish the right certificate).');
    default:
      return words;
  }
}
