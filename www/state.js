// The form's state in the URL fragment (#v=1&t=…&k=…): browsers never send the fragment to a
// server, so a link reproduces a case while the page still makes no request of its own.
// Only fields that differ from their default are written; unknown parameters are ignored.

const VERSION = '1';

// form field name -> fragment parameter
const TEXT = {
  token: 't', jwks: 'k', 'jwks-url': 'u', 'issuer-url': 'd', algorithms: 'alg', issuer: 'iss', audience: 'aud',
  'clock-tolerance': 'tol', 'current-time': 'now', 'client-id': 'cid', 'assertion-audience': 'as',
  'dpop-method': 'hm', 'dpop-url': 'hu', 'dpop-access-token': 'at', 'dpop-nonce': 'nn', 'required-scopes': 'sc',
};
// Credentials: left out of a link shared without the token.
const SECRET = new Set(['token', 'dpop-access-token']);
const CHOICE = { mode: ['m', ['verify', 'assertion', 'access', 'dpop']], 'keys-source': ['src', ['paste', 'url', 'issuer']], profile: ['p', ['strict', 'rfc7523']] };
const CHECK = { 'allow-private': 'priv' };

/** The fragment (without '#') for the form's state; `token: false` leaves the token out. */
export function encodeState(fields, { token = true, now } = {}) {
  const params = new URLSearchParams({ v: VERSION });
  for (const [name, key] of Object.entries(CHOICE)) {
    if (fields[name].value !== key[1][0]) params.set(key[0], fields[name].value);
  }
  for (const [name, key] of Object.entries(CHECK)) if (fields[name].checked) params.set(key, '1');
  for (const [name, key] of Object.entries(TEXT)) {
    const value = name === 'current-time' && now !== undefined ? String(now) : fields[name].value;
    if (SECRET.has(name) && !token) continue;
    if (value.trim()) params.set(key, value);
  }
  return params.toString();
}

/** `{ field name: value }` from a fragment, or null when it holds no state of this page. */
export function decodeState(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if (params.get('v') !== VERSION) return null;
  const state = {};
  for (const [name, [key, allowed]] of Object.entries(CHOICE)) {
    const value = params.get(key);
    state[name] = allowed.includes(value) ? value : allowed[0];
  }
  for (const [name, key] of Object.entries(CHECK)) state[name] = params.get(key) === '1';
  for (const [name, key] of Object.entries(TEXT)) state[name] = params.get(key) ?? '';
  return state;
}

/** Puts a decoded state into the form (every field: a link replaces the whole case). */
export function applyState(fields, state) {
  for (const [name, value] of Object.entries(state)) {
    if (name in CHECK) fields[name].checked = value;
    else fields[name].value = value;
  }
}
