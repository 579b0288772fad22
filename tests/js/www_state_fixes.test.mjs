// The debugging page's pure helpers, without a browser: the URL-fragment state (www/state.js)
// and the copyable fixes (www/fixes.js). The e2e test covers them in Chromium too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyState, decodeState, encodeState } from '../../www/state.js';
import { fixFor } from '../../www/fixes.js';

// A stand-in for form.elements: text fields and selects have .value, checkboxes .checked.
function fakeFields(values = {}) {
  const fields = {};
  for (const name of ['token', 'jwks', 'jwks-url', 'issuer-url', 'algorithms', 'issuer', 'audience', 'clock-tolerance',
    'current-time', 'client-id', 'assertion-audience', 'dpop-method', 'dpop-url', 'dpop-access-token', 'dpop-nonce', 'required-scopes']) fields[name] = { value: values[name] ?? '' };
  fields.mode = { value: values.mode ?? 'verify' };
  fields['keys-source'] = { value: values['keys-source'] ?? 'paste' };
  fields.profile = { value: values.profile ?? 'strict' };
  fields['allow-private'] = { checked: values['allow-private'] ?? false };
  return fields;
}

test('state: a round trip through the fragment restores every field, odd characters included', () => {
  const values = {
    token: 'eyJ.eyJ.sig', jwks: '{"keys": [{"kty": "EC", "kid": "a&b=c#d"}]}', issuer: 'https://i.example, https://j.example',
    audience: 'api://x y', mode: 'assertion', 'keys-source': 'issuer', 'issuer-url': 'https://i.example', profile: 'rfc7523',
    'allow-private': true, 'client-id': 'c1', 'assertion-audience': 'https://as.example', 'clock-tolerance': '30',
  };
  const fragment = encodeState(fakeFields(values));
  const restored = fakeFields();
  applyState(restored, decodeState(`#${fragment}`));
  assert.deepEqual(restored, fakeFields(values));
  const access = { mode: 'access', token: 'a.b.c', issuer: 'https://as.example', audience: 'api', 'required-scopes': 'orders:read orders:write' };
  const restoredAccess = fakeFields();
  applyState(restoredAccess, decodeState(`#${encodeState(fakeFields(access))}`));
  assert.deepEqual(restoredAccess, fakeFields(access));
  const dpop = { mode: 'dpop', token: 'p.r.oof', 'dpop-method': 'POST', 'dpop-url': 'https://api.example/x?y=1#z', 'dpop-access-token': 'at&=#', 'dpop-nonce': 'n 1' };
  const back = fakeFields();
  applyState(back, decodeState(`#${encodeState(fakeFields(dpop))}`));
  assert.deepEqual(back, fakeFields(dpop));
});

test('state: a DPoP case shared without the token leaves the access token out too', () => {
  const fragment = encodeState(fakeFields({ mode: 'dpop', token: 'secret.proof.here', 'dpop-access-token': 'secret-at', 'dpop-method': 'GET' }), { token: false });
  assert.doesNotMatch(fragment, /secret/);
  assert.equal(fragment, 'v=1&m=dpop&hm=GET');
});

test('state: without the token, with a pinned time, defaults left out, foreign fragments ignored', () => {
  const fragment = encodeState(fakeFields({ token: 'secret.token.here', audience: 'api' }), { token: false, now: 1700000000 });
  assert.doesNotMatch(fragment, /secret/);
  assert.equal(fragment, 'v=1&aud=api&now=1700000000');
  const state = decodeState(`#${fragment}`);
  assert.equal(state.token, '');
  assert.equal(state['current-time'], '1700000000');
  assert.equal(decodeState('#section-2'), null);
  assert.equal(decodeState('#v=2&t=x'), null);
  assert.equal(decodeState('#v=1&m=<script>&src=nope').mode, 'verify', 'an unknown choice falls back to the default');
});

const ec = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret' };
const info = { thumbprint: 'T'.repeat(43) };

test('fixes: the corrected key where the page can write it', () => {
  const cases = [
    [{ code: 'missing_kid', index: 0 }, { kid: info.thumbprint }, []],
    [{ code: 'duplicate_kid', index: 0, message: 'key 1 repeats kid "a" of key 0' }, { kid: info.thumbprint }, []],
    [{ code: 'private_key_material', index: 0 }, {}, ['d']],
    [{ code: 'alg_key_mismatch', index: 0 }, {}, ['alg']],
    [{ code: 'x5c_mismatch', index: 0 }, {}, ['x5c', 'x5t']],
    [{ code: 'missing_alg', index: 0 }, { alg: 'ES256' }, []],
  ];
  for (const [diagnostic, added, removed] of cases) {
    const raw = { ...ec, alg: 'RS256', x5c: ['MII'], x5t: 't' };
    const fix = fixFor(diagnostic, { rawKeys: [raw], keyInfo: info, alg: 'ES256' });
    assert.equal(fix.kind, 'jwk', diagnostic.code);
    const key = JSON.parse(fix.text);
    for (const [name, value] of Object.entries(added)) assert.equal(key[name], value, `${diagnostic.code}: ${name}`);
    for (const name of removed) assert.ok(!(name in key), `${diagnostic.code}: ${name} still there`);
    assert.equal(key.x, 'x', `${diagnostic.code}: the key material is kept`);
  }
});

test('fixes: words where no key can be written (no pasted key, an oct secret, a copy, weak keys)', () => {
  assert.equal(fixFor({ code: 'missing_kid', index: 0 }, { rawKeys: null, keyInfo: info }).kind, 'words');
  assert.equal(fixFor({ code: 'weak_rsa_key', index: 0 }, { rawKeys: [ec], keyInfo: info }).kind, 'words');
  const oct = fixFor({ code: 'private_key_material', index: 0 }, { rawKeys: [{ kty: 'oct', k: 'c2VjcmV0' }], keyInfo: info });
  assert.equal(oct.kind, 'words');
  assert.doesNotMatch(oct.text, /c2VjcmV0/, 'the secret is not repeated');
  const copy = fixFor({ code: 'duplicate_kid', index: 2, message: 'key 2 repeats key 0 (same kid "a", same key material); remove the copy' }, { rawKeys: [ec, ec, ec], keyInfo: info });
  assert.match(copy.text, /Remove key #2/);
  assert.equal(fixFor({ code: 'missing_alg', index: 0 }, { rawKeys: [ec], keyInfo: info, alg: 'none' }).kind, 'words');
  assert.deepEqual(fixFor({ code: 'made_up', index: 0, message: 'm' }, { rawKeys: [ec], keyInfo: info }), { kind: 'words', text: 'm', note: '' });
});
