// jwks-verify/fastify: bearerAuth(options), a thin layer over authenticateRequest and
// challengeResponse (the main entry of this package, for the runtime that loads it).
export { bearerAuth } from './lib/fastify.js';
