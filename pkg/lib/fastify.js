// jwks-verify/fastify: bearerAuth(options) is an onRequest hook, and bearerAuth itself is a
// plugin (app.register(bearerAuth, options)) adding that hook to the registering scope.
// Glue only: authenticateRequest decides, challengeResponse answers; Fastify is never
// imported.
import { authenticateRequest, challengeResponse } from 'jwks-verify';

const ABSOLUTE_FORM = /^(https?):\/\//i;

function hook(options) {
  return async function jwksVerifyBearerAuth(request, reply) {
    // request.protocol and request.host follow Fastify's trustProxy setting; request.url is
    // the path and query as received. The URL matters for DPoP (the proof's htu).
    // An absolute-form target (RFC 9112 §3.2.2) goes as it is: the core accepts it when its
    // authority is the Host header's, and here when its scheme is request.protocol's (a client
    // must not make a proof for an https:// URL verify on a plain-HTTP server).
    const scheme = ABSOLUTE_FORM.exec(request.url)?.[1].toLowerCase();
    const url = scheme ? request.url : `${request.protocol}://${request.host}${request.url}`;
    // headersDistinct keeps a second Authorization header, which request.headers drops.
    const { headersDistinct } = request.raw;
    // The Host the URL names (X-Forwarded-Host under trustProxy): the core refuses an absolute
    // URL whose authority is not the Host header's. With options.origin, the core uses origin.
    // An empty Host (none, or an absolute-form target of another scheme) is the 400 of a URL
    // that cannot be determined: with no Host the core would take any absolute target as it is.
    const headers = { ...request.headers, host: scheme && scheme !== request.protocol ? '' : request.host ?? '' };
    // A rejection (wrong options, keys that cannot be fetched) goes to Fastify's error handler.
    const result = await authenticateRequest({ method: request.method, url, headers, headersDistinct }, options);
    if (!result.ok) {
      const response = challengeResponse(result);
      const body = await response.text();
      reply.code(response.status).headers(Object.fromEntries(response.headers)).send(body);
      return reply;
    }
    request.auth = result;
  };
}

function isFastify(value) {
  return value !== null && typeof value === 'object' && typeof value.addHook === 'function'
    && typeof value.decorateRequest === 'function';
}

// Called by Fastify as a plugin (instance, options, done), or by the user with the options.
export function bearerAuth(instanceOrOptions, pluginOptions, done) {
  if (!isFastify(instanceOrOptions) || typeof done !== 'function') return hook(instanceOrOptions);
  const instance = instanceOrOptions;
  if (!instance.hasRequestDecorator('auth')) instance.decorateRequest('auth', null);
  instance.addHook('onRequest', hook(pluginOptions));
  done();
}

// As fastify-plugin does: the hook applies to the scope that registers the plugin, not to a
// child scope of its own.
bearerAuth[Symbol.for('skip-override')] = true;
bearerAuth[Symbol.for('fastify.display-name')] = 'jwks-verify/fastify';
bearerAuth[Symbol.for('plugin-meta')] = { name: 'jwks-verify/fastify', fastify: '5.x' };
