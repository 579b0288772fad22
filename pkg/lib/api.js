// The public API of API.md, the same for every runtime entry.

export { JoseError, isJoseError } from './errors.js';
export { KeySet, parseJwks, explainSelection } from './keys.js';
export { verifyJwt, verifyJwtSync, createVerifier, Verifier, explainClaims, decodeJwt } from './verify.js';
export { ready } from './runtime.js';
export { setBackend, getBackend } from './backends.js';
export { checkAssertion, explainAssertion } from './assertion.js';
export { verifyWebhook } from './webhook.js';
export { verifyDpopProof, explainDpop } from './dpop.js';
export { ReplayCache } from './replay.js';
export { RemoteJwks, discoverJwks } from './remote.js';
export { TrustedIssuers } from './trusted.js';
export { verifyAccessToken, explainAccessToken } from './access-token.js';
export { authenticateRequest, challengeResponse } from './resource.js';
