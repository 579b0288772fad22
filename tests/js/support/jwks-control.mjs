// Drives a tenant of jwks-server.mjs over HTTP with the global fetch: the same code runs in
// Node and in a browser page. Requests are simple (text/plain POST), so no CORS preflight.

export async function createTenant(origin) {
  const res = await fetch(`${origin}/tenants`, { method: 'POST' });
  if (!res.ok) throw new Error(`creating a tenant: HTTP ${res.status}`);
  const info = await res.json();
  const control = async (op) => {
    const answer = await fetch(`${info.issuer}/control`, { method: 'POST', body: JSON.stringify(op) });
    if (!answer.ok) throw new Error(`control ${op.op}: HTTP ${answer.status} ${await answer.text()}`);
    return answer.json();
  };
  return {
    ...info,
    /** Adds a new key that becomes the signing key; resolves to its kid. */
    rotate: async () => (await control({ op: 'rotate' })).kid,
    remove: (kid) => control({ op: 'remove', kid }),
    /** A token signed by `kid` (default: the newest key), valid for an hour. */
    sign: async (kid, claims) => (await control({ op: 'sign', kid, claims })).token,
    mode: (mode) => control({ op: 'mode', mode }),
    cacheControl: (value) => control({ op: 'cacheControl', value }),
    setIssuer: (issuer) => control({ op: 'issuer', issuer }),
    release: () => control({ op: 'release' }),
    /** JWKS requests seen so far. */
    count: async () => (await control({ op: 'count' })).jwks,
    metadataCount: async () => (await control({ op: 'count' })).metadata,
    /** Requests to the redirect target (a client that follows redirects makes them). */
    followedCount: async () => (await control({ op: 'count' })).followed,
    /** Answer with ETag / Last-Modified, and 304 to a matching If-None-Match. */
    validators: (on) => control({ op: 'validators', on }),
    /** The Retry-After value the "ratelimit" mode sends with its 429. */
    retryAfter: (value) => control({ op: 'retryAfter', value }),
    /** `{ headers: [request headers of each JWKS request], notModified: 304s sent }`. */
    requests: () => control({ op: 'requests' }),
    /** CORS preflight (OPTIONS) requests seen so far. */
    preflightCount: async () => (await control({ op: 'count' })).preflights,
  };
}
