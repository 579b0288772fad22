// jwks-verify/express: bearerAuth(options), a thin layer over authenticateRequest and
// challengeResponse (the main entry of this package, for the runtime that loads it).
export { bearerAuth } from './lib/express.js';
