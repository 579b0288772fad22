// A bounded cache of parsed core handles keyed by the JSON text they were parsed from, so
// that repeated calls with the same options skip the parse.

import { fromCore } from './errors.js';
import { onReset } from './runtime.js';

export function parsedCache(parse, size = 64) {
  const cache = new Map();
  onReset(() => cache.clear());
  return (text) => {
    let entry = cache.get(text);
    if (!entry) {
      try {
        entry = parse(text);
      } catch (err) {
        throw fromCore(err);
      }
      if (cache.size >= size) cache.delete(cache.keys().next().value);
      cache.set(text, entry);
    }
    return entry;
  };
}

// The members of `options` named in `fields` that are set.
export function pick(options, fields) {
  const picked = {};
  for (const name of fields) {
    if (options[name] !== undefined) picked[name] = options[name];
  }
  return picked;
}
