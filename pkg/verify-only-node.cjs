// `require('jwks-verify/verify-only')` in Node: the same functions of the full CommonJS entry.

const full = require('./node.cjs');

module.exports = {
  JoseError: full.JoseError,
  isJoseError: full.isJoseError,
  KeySet: full.KeySet,
  parseJwks: full.parseJwks,
  verifyJwt: full.verifyJwt,
  verifyJwtSync: full.verifyJwtSync,
  createVerifier: full.createVerifier,
  Verifier: full.Verifier,
  decodeJwt: full.decodeJwt,
  ready: full.ready,
};
