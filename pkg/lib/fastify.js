// jwks-verify/fastify: bearerAuth(options) is an onRequest hook, and bearerAuth itself is a
// plugin (app.register(bearerAuth, options)) adding that hook to the registering scope.
// Glue only: authenticateRequest decides, challengeResponse answers; Fastify is never
// imported.
import { authenticateRequest, challengeResponse } from 'jwks-verify';
import { ownMember } from './own.js';

function hook(options) {
  return async function jwksVerifyBearerAuth(request, reply) {
    // The request target as received (request.url: a path, or an absolute-form URL) and the
    // Host: the core makes the URL a DPoP proof is for, and refuses (400) an absolute-form
    // target that is not in the connection's scheme, names another host, or comes without a
    // Host. request.protocol and request.host follow Fastify's trustProxy setting (the Host
    // is X-Forwarded-Host there); with options.origin, the core uses origin.
    // headersDistinct keeps a second Authorization header, which request.headers drops.
    // Each member is the request's own or its class's (own.js), never one a polluted
    // Object.prototype lends (its headersDistinct carried its token into every request whose
    // raw request has none).
    const read = (name) => ownMember(request, name);
    const headersDistinct = ownMember(read('raw'), 'headersDistinct');
    const headers = { ...read('headers'), host: read('host') ?? '' };
    const connection = { encrypted: read('protocol') === 'https' };
    // A rejection (wrong options, keys that cannot be fetched) goes to Fastify's error handler.
    const result = await authenticateRequest({ method: read('method'), url: read('url'), headers, headersDistinct, socket: connection }, options);
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
