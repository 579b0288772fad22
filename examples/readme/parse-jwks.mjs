import { readFileSync } from 'node:fs';
import { parseJwks } from 'jwks-verify';

const set = parseJwks(readFileSync('jwks.json', 'utf8'), { allowPrivate: false });
for (const key of set.keys) console.log(key.index, key.kid, key.kty, key.alg, key.thumbprint, key.usable);
for (const d of set.diagnostics) console.log(d.severity, d.code, d.message); // severity: error | warning | info
