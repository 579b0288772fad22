// Where the key set comes from: pasted JSON (parseJwks) or a URL (RemoteJwks). Each returns
// { keySet, rawKeys, via } — rawKeys are the JWK objects as given, for members KeyInfo does not
// carry (key_ops); null when unknown.

function rawKeysOf(text) {
  try {
    const value = JSON.parse(text);
    if (Array.isArray(value?.keys)) return value.keys;
    return value && typeof value === 'object' && !Array.isArray(value) ? [value] : null;
  } catch {
    return null;
  }
}

// The core's finding against a key's alg member (alg_key_mismatch, unsupported_alg), or null:
// a fix that pins an alg is offered only when the core accepts the pinned key.
function algRefusal(jv, key) {
  try {
    const { diagnostics } = jv.parseJwks({ keys: [key] }, { allowPrivate: true });
    return diagnostics.find((d) => d.code === 'alg_key_mismatch' || d.code === 'unsupported_alg') ?? null;
  } catch (error) {
    return { code: error?.code, message: error?.message };
  }
}

export function keysFromText(jv, text, allowPrivate) {
  const rawKeys = rawKeysOf(text);
  try {
    return { keySet: jv.parseJwks(text, { allowPrivate }), rawKeys, via: 'parseJwks', algRefusal: (key) => algRefusal(jv, key) };
  } catch (error) {
    return { error, rawKeys, text, via: 'parseJwks' };
  }
}

const remotes = new Map();

// Fetches (again, when it was fetched before) the key set at `url`. Throws on failure.
export async function keysFromUrl(jv, url) {
  let remote = remotes.get(url);
  let keySet;
  if (remote) {
    keySet = await remote.refresh();
  } else {
    remote = new jv.RemoteJwks(url);
    keySet = await remote.keySet();
    remotes.set(url, remote);
  }
  return { keySet, rawKeys: null, via: 'RemoteJwks' };
}

// OpenID Connect / RFC 8414 discovery of `issuer`'s key set (discoverJwks checks the
// document's issuer). Throws on failure.
export async function keysFromIssuer(jv, issuer) {
  const remote = await jv.discoverJwks(issuer);
  const keySet = await remote.keySet();
  return { keySet, rawKeys: null, via: 'discoverJwks', jwksUri: remote.url };
}
