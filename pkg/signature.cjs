// `require('jwks-verify/signature')`: nothing to do; the Node entries load the signature
// module at import (see signature.mjs).
module.exports = {};
