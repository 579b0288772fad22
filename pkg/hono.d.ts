// Types of jwks-verify/hono.
import type { MiddlewareHandler } from 'hono';
import type { AuthenticateOptions, AuthSuccess } from 'jwks-verify';

/** What `authenticateRequest` returned for an accepted request (`ok: true`). */
export type { AuthSuccess };

/** The Hono environment the middleware adds: `c.get('auth')` is the accepted result. */
export interface BearerAuthEnv {
  Variables: { auth: AuthSuccess };
}

/**
 * Hono middleware over `authenticateRequest(c.req.raw, options)`: on success
 * `c.set('auth', result)` and the next handler runs; otherwise the answer is
 * `challengeResponse(result)` (400, 401 or 403 with `WWW-Authenticate` and
 * `{ error, error_description }`). A rejection of `authenticateRequest` (wrong options, a
 * key set that cannot be fetched, a failing replay store) is thrown to Hono's `onError`.
 */
export declare function bearerAuth(options: AuthenticateOptions): MiddlewareHandler<BearerAuthEnv>;
