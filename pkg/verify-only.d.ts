// Types of jwks-verify/verify-only: the verify-only module's functions (every runtime), and the
// types they take and return. Its KeysInput accepts a key resolver and local keys; a RemoteJwks
// or TrustedIssuers comes from the package's main entry, which loads the full module.

export { JoseError, isJoseError, KeySet, parseJwks, verifyJwt, verifyJwtSync, createVerifier, Verifier, decodeJwt, ready } from './index.js';
export type {
  Algorithm, JWK, JSONWebKeySet, JWTHeader, JWTPayload, JoseErrorCode, ClaimFailureReason, ClaimName, JoseErrorDetails,
  DiagnosticSeverity, DiagnosticCode, Diagnostic, KeyInfo, ParseJwksOptions, LocalKeysInput, KeyResolver, KeysInput,
  Seconds, VerifyOptions, VerifiedJwt, DecodedJwt, ReadyOptions,
} from './index.js';
