// jwks-verify/express: bearerAuth(options) as Express 5 middleware. Glue only:
// authenticateRequest decides, challengeResponse answers; Express is never imported.
import { authenticateRequest, challengeResponse } from 'jwks-verify';
import { sendResponse } from './node-response.js';

const ABSOLUTE_FORM = /^(https?):\/\//i;

export function bearerAuth(options) {
  return async function jwksVerifyBearerAuth(req, res, next) {
    let result;
    try {
      // req.protocol follows Express's `trust proxy` setting; the rest is the request as
      // received. The URL matters for DPoP (the proof's htu).
      // headersDistinct keeps a second Authorization header, which req.headers drops.
      // An absolute-form target (RFC 9112 §3.2.2) goes as it is: the core accepts it when its
      // authority is the Host header's. Its scheme must be req.protocol's (a client must not
      // make a proof for an https:// URL verify on a plain-HTTP server), and there must be a
      // Host (HTTP/1.0 has none: the core would have no authority to compare, and take any);
      // otherwise an empty Host makes it the 400 of a URL that cannot be determined.
      const scheme = ABSOLUTE_FORM.exec(req.originalUrl)?.[1].toLowerCase();
      const url = scheme ? req.originalUrl : `${req.protocol}://${req.get('host')}${req.originalUrl}`;
      const unchecked = scheme && (scheme !== req.protocol || req.headers.host === undefined);
      const headers = unchecked ? { ...req.headers, host: '' } : req.headers;
      const request = { method: req.method, url, headers, headersDistinct: req.headersDistinct };
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
