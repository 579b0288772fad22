// Types of jwks-verify/express (no import of express or @types/express: the global
// `Express.Request` below merges with @types/express when it is installed).
import type { AuthenticateOptions, AuthSuccess } from 'jwks-verify';

/** What `authenticateRequest` returned for an accepted request (`ok: true`). */
export type { AuthSuccess };

declare global {
  namespace Express {
    interface Request {
      /** Set by `bearerAuth` of jwks-verify/express on an accepted request. */
      auth?: AuthSuccess;
    }
    interface Response {}
  }
}

/**
 * Express 5 middleware over `authenticateRequest`, with the request URL
 * `${req.protocol}://${req.get('host')}${req.originalUrl}` (`req.protocol` follows the app's
 * `trust proxy` setting). On success `req.auth = result` and `next()`; a refused request is
 * answered here with `challengeResponse(result)`'s status, headers and JSON body; anything
 * `authenticateRequest` throws (a `TypeError` for wrong options, keys that cannot be fetched) goes to
 * `next(err)`, the app's error handler.
 */
export declare function bearerAuth(
  options: AuthenticateOptions,
): (req: Express.Request, res: Express.Response, next: (err?: unknown) => void) => Promise<void>;
