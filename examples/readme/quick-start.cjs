const { readFileSync } = require('node:fs');
const { parseJwks, verifyJwtSync } = require('jwks-verify');

const keys = parseJwks(readFileSync('jwks.json', 'utf8')); // parse once, verify many
const token = process.argv[2];

const { payload } = verifyJwtSync(token, keys, { issuer: 'https://issuer.example', audience: 'my-api' });
console.log(payload.sub);
