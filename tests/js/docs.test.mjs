// docs/API.md is the contract; pkg/index.d.ts declares it. This test keeps them in step: every
// name index.d.ts exports and every member of its options interfaces must be named in
// docs/API.md (in a `code` span), and every function the contract's headings name must be
// exported. Add the name to docs/API.md when you add it to index.d.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const dts = readFileSync(new URL('../../pkg/index.d.ts', import.meta.url), 'utf8');
const doc = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');

// Every identifier that appears inside a `code span` of the document.
const documented = new Set([...doc.matchAll(/`([^`]+)`/g)].flatMap(([, span]) => span.match(/[A-Za-z_$][\w$]*/g) ?? []));

export function exportedNames(text) {
  return [...text.matchAll(/^export (?:declare )?(?:function|class|type|interface|const) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
}

// Members of `export interface <Name> [extends …] { … }` (one level of braces is enough here).
export function interfaceMembers(text, name) {
  const match = new RegExp(`^export interface ${name}\\b[^{]*\\{([\\s\\S]*?)^\\}`, 'm').exec(text);
  assert.ok(match, `index.d.ts has no interface ${name}`);
  return [...match[1].matchAll(/^ {2}(?:readonly )?'?([A-Za-z_$][\w$#]*)'?\??:/gm)].map((m) => m[1]);
}

const OPTION_INTERFACES = [
  'VerifyOptions', 'ParseJwksOptions', 'RemoteOptions', 'ReplayCacheOptions', 'AssertionOptions',
  'FederatedIdentity', 'WebhookOptions', 'WebhookRequest', 'AccessTokenOptions', 'AuthenticateOptions',
];

test('the extractor sees the declarations (guards against a silent empty list)', () => {
  const names = exportedNames(dts);
  assert.ok(names.length >= 40, `only ${names.length} exports found`);
  for (const name of ['verifyJwt', 'JoseError', 'isJoseError', 'VerifyOptions', 'ClaimName']) assert.ok(names.includes(name), name);
  assert.ok(interfaceMembers(dts, 'VerifyOptions').includes('maxCandidates'));
  assert.ok(documented.has('verifyJwt') && !documented.has('definitelyNotAName'));
});

test('every name index.d.ts exports is documented in docs/API.md', () => {
  const missing = exportedNames(dts).filter((name) => !documented.has(name));
  assert.deepEqual(missing, [], 'exported by pkg/index.d.ts but not named in docs/API.md');
});

test('every option of every options interface is documented in docs/API.md', () => {
  const missing = OPTION_INTERFACES.flatMap((name) => interfaceMembers(dts, name)
    .filter((member) => !documented.has(member)).map((member) => `${name}.${member}`));
  assert.deepEqual(missing, [], 'declared in pkg/index.d.ts but not named in docs/API.md');
});

test('every function docs/API.md gives a signature of, in its first part, is exported', () => {
  const firstPart = doc.split(/^# Version 2 additions/m)[0];
  const signatures = [...firstPart.matchAll(/^`(?:new )?([A-Za-z][\w.]*)\(/gm)].map((m) => m[1].split('.')[0]);
  assert.ok(signatures.length >= 6, `only ${signatures.length} signatures found`);
  const exported = new Set(exportedNames(dts));
  assert.deepEqual(signatures.filter((name) => !exported.has(name)), []);
});
