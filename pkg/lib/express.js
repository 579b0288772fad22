// jwks-verify/express: bearerAuth(options) as Express 5 middleware. Glue only:
// authenticateRequest decides, challengeResponse answers; Express is never imported.
import { authenticateRequest, challengeResponse } from 'jwks-verify';
import { sendResponse } from './node-response.js';
import { ownMember } from './own.js';

export function bearerAuth(options) {
  return async function jwksVerifyBearerAuth(req, res, next) {
    let result;
    try {
      // The request target as received (a path, or an absolute-form URL) and the Host header:
      // the core makes the URL a DPoP proof is for, and refuses (400) an absolute-form target
      // that is not in the connection's scheme, names another host, or comes without a Host.
      // The connection is https when req.protocol says so (Express's `trust proxy` setting).
      // headersDistinct keeps a second Authorization header, which req.headers drops.
      // Each member is the request's own or its class's (own.js), never one a polluted
      // Object.prototype lends (its headersDistinct carried its token into every request whose
      // class has none).
      const read = (name) => ownMember(req, name);
      const connection = { encrypted: read('protocol') === 'https' };
      const request = { method: read('method'), url: read('originalUrl'), headers: read('headers'), headersDistinct: read('headersDistinct'), socket: connection };
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
