// Keys and payload types from `jose` pass straight into jwks-verify (source-tree check only:
// the installed-package check has no jose).

import type { JWK as JoseJWK, JSONWebKeySet as JoseJWKS, JWTPayload as JoseJWTPayload } from 'jose';
import { parseJwks, verifyJwt, verifyJwtSync } from 'jwks-verify';

declare const joseJwk: JoseJWK;
declare const joseJwks: JoseJWKS;

export async function interop(token: string): Promise<JoseJWTPayload> {
  parseJwks(joseJwks);
  verifyJwtSync(token, joseJwk);
  const { payload } = await verifyJwt(token, joseJwks);
  return payload;
}
