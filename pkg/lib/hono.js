// jwks-verify/hono: bearerAuth(options) as Hono middleware. Glue only: authenticateRequest
// decides, challengeResponse answers; Hono itself is never imported (types only).
import { authenticateRequest, challengeResponse } from 'jwks-verify';

export function bearerAuth(options) {
  return async function jwksVerifyBearerAuth(c, next) {
    // c.req.raw is the Fetch Request; its URL is what the runtime received (behind a proxy
    // that rewrites the host, a DPoP proof's htu is the public URL: see the README).
    const result = await authenticateRequest(c.req.raw, options);
    if (!result.ok) return challengeResponse(result);
    c.set('auth', result);
    await next();
  };
}
