// CommonJS TypeScript consumer: `require` types (index.d.cts) of the installed package.
import { JoseError, parseJwks, verifyJwtSync } from 'jwks-verify';
import type { JoseErrorCode, VerifiedJwt } from 'jwks-verify';

const keys = parseJwks('{"keys":[]}');
const result: VerifiedJwt<{ scope: string }> = verifyJwtSync<{ scope: string }>('a.b.c', keys);
const scope: string = result.payload.scope;
const code: JoseErrorCode = new JoseError('ERR_JWT_EXPIRED', 'expired').code;
// @ts-expect-error not one of the codes
const wrong: JoseErrorCode = 'ERR_NOPE';
export = { scope, code, wrong };
