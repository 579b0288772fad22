// The key-selection trace for the page: which keys of the set a token would try, and why each
// other key was filtered out. Taken from the library when it can give one (explainSelection,
// else the core's own select() on the parsed set); computed here from API.md's rule otherwise.

export const MAX_CANDIDATES = 4;

// kty / crv each JWS alg needs (API.md, "Key selection"; the core's algorithm table).
const ALG_KEYS = {
  HS256: { kty: 'oct' }, HS384: { kty: 'oct' }, HS512: { kty: 'oct' },
  RS256: { kty: 'RSA' }, RS384: { kty: 'RSA' }, RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' }, PS384: { kty: 'RSA' }, PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' }, ES384: { kty: 'EC', crv: 'P-384' }, ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};

// Errors the core throws as JSON text {"code","message"}.
function coreError(thrown) {
  if (typeof thrown === 'string') {
    try {
      const parsed = JSON.parse(thrown);
      return Object.assign(new Error(parsed.message), { code: parsed.code });
    } catch {
      return new Error(thrown);
    }
  }
  return thrown;
}

let keysModule;
async function coreHandle(keySet) {
  keysModule ??= import('../pkg/lib/keys.js').catch(() => null);
  const module = await keysModule;
  const handle = typeof module?.handleOf === 'function' ? module.handleOf(keySet) : undefined;
  return typeof handle?.select === 'function' ? handle : undefined;
}

function filterReason(key, raw, alg, facts, kid) {
  if (key.kty !== facts.kty) return ['kty', `kty ${key.kty} does not fit ${alg} (needs ${facts.kty})`];
  if (facts.crv && key.crv !== facts.crv) return ['crv', `crv ${key.crv ?? '(none)'} does not fit ${alg} (needs ${facts.crv})`];
  if (key.alg !== undefined && key.alg !== alg) return ['alg', `key alg ${key.alg} differs from token alg ${alg}`];
  if (key.use !== undefined && key.use !== 'sig') return ['use', `use is "${key.use}", not "sig"`];
  if (Array.isArray(raw?.key_ops) && !raw.key_ops.includes('verify')) return ['key_ops', 'key_ops lacks "verify"'];
  if (kid !== undefined && key.kid !== kid) return ['kid', `${key.kid === undefined ? 'no kid' : `kid "${key.kid}"`}, token wants "${kid}"`];
  if (!key.usable) return ['unusable', 'unusable (see diagnostics)'];
  return null;
}

function pageSelection(keySet, rawKeys, alg, kid) {
  const facts = ALG_KEYS[alg];
  if (!facts) throw Object.assign(new Error(`Unsupported "alg" value "${alg}"`), { code: 'ERR_JOSE_NOT_SUPPORTED' });
  const candidates = [];
  const trace = keySet.keys.map((key) => {
    const filtered = filterReason(key, rawKeys?.[key.index], alg, facts, kid);
    if (!filtered && candidates.length < MAX_CANDIDATES) candidates.push(key.index);
    return filtered
      ? { index: key.index, kid: key.kid, filtered_by: filtered[0], detail: filtered[1] }
      : { index: key.index, kid: key.kid };
  });
  return { candidates, trace };
}

// explainSelection names the rule filteredBy; the core's own select() filtered_by.
function normalized({ candidates, trace }) {
  return {
    candidates,
    trace: trace.map(({ index, kid, filteredBy, filtered_by: coreName, detail }) => ({ index, kid, filteredBy: filteredBy ?? coreName, detail })),
  };
}

// { source, alg, kid, candidates, trace: [{index, kid, filteredBy?, detail?}] } or
// { source, alg, kid, error }.
export async function selectionTrace(jv, keySet, token, header, rawKeys) {
  const alg = header?.alg;
  const kid = typeof header?.kid === 'string' ? header.kid : undefined;
  if (typeof alg !== 'string') return { source: 'page', alg, kid, error: new Error('the token header has no "alg"') };

  let source = 'page';
  try {
    if (typeof jv.explainSelection === 'function') {
      source = 'explainSelection';
      return { source, alg, kid, ...normalized(await jv.explainSelection(keySet, token)) };
    }
    const handle = await coreHandle(keySet);
    if (handle) {
      source = 'core';
      return { source, alg, kid, ...normalized(JSON.parse(handle.select(alg, kid, MAX_CANDIDATES))) };
    }
    return { source, alg, kid, ...normalized(pageSelection(keySet, rawKeys, alg, kid)) };
  } catch (thrown) {
    return { source, alg, kid, error: coreError(thrown) };
  }
}
