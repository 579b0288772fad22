// Type test of pkg/verify-only.d.ts (tsc --noEmit --strict): jwks-verify/verify-only exports the
// verify path with the main entry's types, and nothing of the other profiles.

import { createVerifier, decodeJwt, isJoseError, parseJwks, ready, verifyJwt, verifyJwtSync } from 'jwks-verify/verify-only';
import type { KeySet, VerifiedJwt, VerifyOptions } from 'jwks-verify/verify-only';
import * as main from 'jwks-verify';
import * as verifyOnly from 'jwks-verify/verify-only';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}

assertType<Equal<typeof verifyOnly.verifyJwt, typeof main.verifyJwt>>();
assertType<Equal<typeof verifyOnly.parseJwks, typeof main.parseJwks>>();
assertType<Equal<KeySet, main.KeySet>>();

// @ts-expect-error: checkAssertion is in the main entry only
verifyOnly.checkAssertion;
// @ts-expect-error: RemoteJwks is in the main entry only
verifyOnly.RemoteJwks;

export async function example(token: string): Promise<string | undefined> {
  await ready();
  const keys: KeySet = parseJwks({ keys: [] });
  const options: VerifyOptions = { algorithms: ['ES256'], issuer: 'https://issuer.example' };
  const verified: VerifiedJwt = await verifyJwt(token, keys, options);
  const again = verifyJwtSync(token, keys, options);
  const verifier = createVerifier(keys, options);
  await verifier.verify(token);
  try {
    decodeJwt(token);
  } catch (err) {
    if (isJoseError(err)) return err.code;
  }
  return typeof verified.payload.sub === 'string' ? verified.payload.sub : again.header.alg;
}
