// Options of the shared-state stores (jwks-verify/redis, jwks-verify/edge). These stores load
// no wasm, so their few options are checked here: a wrong type or an unknown name is a
// TypeError that names the option (and, for an unknown name, the nearest known one).

/** A caller's wrong argument or option: a TypeError with `code` ERR_INVALID_OPTION and `option`. */
export function invalid(message, option) {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_OPTION', option });
}

function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * `options` checked against `spec` = { name: check(value) -> error text or null }.
 * Returns a copy with the names that are set.
 */
export function readOptions(owner, options, spec) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid(`${owner} options must be an object`, 'options');
  }
  const known = Object.keys(spec);
  const read = {};
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      const nearest = known.reduce((best, k) => (distance(name, k) < distance(name, best) ? k : best));
      throw invalid(`${owner}: unknown option ${JSON.stringify(name)} (did you mean ${JSON.stringify(nearest)}?)`, name);
    }
    const value = options[name];
    if (value === undefined) continue;
    const problem = spec[name](value);
    if (problem) throw invalid(`${owner} option ${name} ${problem}`, name);
    read[name] = value;
  }
  return read;
}

export const nonEmptyString = (value) => (typeof value === 'string' && value !== '' ? null : 'must be a non-empty string');

export const anyString = (value) => (typeof value === 'string' ? null : 'must be a string');

// The arguments a store method receives from RemoteJwks / the replay check: wrong ones are a
// caller's bug, refused before any I/O.
export function checkUrl(url) {
  if (typeof url !== 'string' || url === '') throw invalid('url must be a non-empty string', 'url');
}

export function checkState(state) {
  if (typeof state !== 'string') throw invalid('state must be a string (JSON.stringify(exportState()))', 'state');
}

export function checkTtl(ttlMs) {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs)) throw invalid('ttlMs must be a finite number of milliseconds', 'ttlMs');
}
