// jwks-verify/express: bearerAuth(options) as Express 5 middleware. Glue only:
// authenticateRequest decides, challengeResponse answers; Express is never imported.
import { authenticateRequest, challengeResponse } from 'jwks-verify';
import { sendResponse } from './node-response.js';

export function bearerAuth(options) {
  return async function jwksVerifyBearerAuth(req, res, next) {
    let result;
    try {
      // The request target as received (a path, or an absolute-form URL) and the Host header:
      // the core makes the URL a DPoP proof is for, and refuses (400) an absolute-form target
      // that is not in the connection's scheme, names another host, or comes without a Host.
      // The connection is https when req.protocol says so (Express's `trust proxy` setting).
      // headersDistinct keeps a second Authorization header, which req.headers drops.
      const connection = { encrypted: req.protocol === 'https' };
      const request = { method: req.method, url: req.originalUrl, headers: req.headers, headersDistinct: req.headersDistinct, socket: connection };
      result = await authenticateRequest(request, options);
    } catch (err) {
      // Not a verdict on the request (wrong options, keys that cannot be fetched): the app's error
      // handler decides, as for any other failing middleware.
      next(err);
      return;
    }
    if (!result.ok) {
      await sendResponse(res, challengeResponse(result));
      return;
    }
    req.auth = result;
    next();
  };
}
