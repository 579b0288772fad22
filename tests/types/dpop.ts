// Type test of verifyDpopProof's, explainDpop's and explainAccessToken's declarations (tsc --noEmit --strict).

import { ReplayCache, verifyDpopProof, explainDpop, explainAccessToken, isJoseError } from 'jwks-verify';
import type { ClaimCheck } from 'jwks-verify';
import type { DpopOptions, VerifiedDpopProof, JoseErrorCode, ClaimFailureReason } from 'jwks-verify';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}

export async function dpop(proof: string, accessToken: string): Promise<string> {
  const options: DpopOptions = { method: 'POST', url: 'https://rs.example/token', accessToken, nonce: 'n', maxAge: '2m', replay: new ReplayCache(), algorithms: ['ES256', 'EdDSA'] };
  const verified: VerifiedDpopProof = await verifyDpopProof(proof, options);
  assertType<Equal<typeof verified.jkt, string>>();
  const htu: string = verified.payload.htu;
  const jwk = verified.header.jwk;
  console.log(htu, jwk.kty);
  try {
    await verifyDpopProof(proof, { method: 'GET', url: 'https://rs.example/' });
  } catch (err) {
    if (isJoseError(err)) {
      const code: JoseErrorCode = 'ERR_DPOP_INVALID';
      const reason: ClaimFailureReason | undefined = err.reason;
      console.log(code === err.code, reason === 'signature' || reason === 'too_old');
    }
  }
  // @ts-expect-error method and url are required
  await verifyDpopProof(proof, { url: 'https://rs.example/' });
  // @ts-expect-error the options are required
  await verifyDpopProof(proof);
  const explained = explainDpop(proof, { method: 'GET', url: 'https://rs.example/' });
  const failed: string[] = explained.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.id);
  console.log(failed, explained.jkt ?? 'no key');
  const rows: ClaimCheck[] = explainAccessToken(accessToken, { issuer: 'https://as.example', audience: 'api', requiredScopes: ['read'] });
  console.log(rows.map((r) => r.id));
  // @ts-expect-error audience and issuer are required
  explainAccessToken(accessToken, { requiredScopes: ['read'] });
  return verified.jkt;
}
