// `require('jwks-verify/signature')`: nothing to do; the Node entries load the signature
// module when first needed, synchronously (see signature.mjs).
module.exports = {};
