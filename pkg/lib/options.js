// VerifyOptions as the core takes them: JSON-safe members only, "now" taken out as seconds.
// Parsed option handles are cached by their JSON text.

import { WasmOptions } from '../gen/jwks_verify.js';
import { fromCore } from './errors.js';

const FIELDS = [
  'algorithms', 'issuer', 'audience', 'allowMultipleAudiences', 'subject', 'typ', 'requiredClaims',
  'clockTolerance', 'maxTokenAge', 'crit', 'maxTokenLength', 'maxCandidates',
];

const cache = new Map();
const CACHE_SIZE = 64;

// `currentDate` (a Date or seconds) or the host clock, in seconds.
export function nowSeconds(options) {
  const current = options?.currentDate;
  if (current === undefined || current === null) return Date.now() / 1000;
  if (current instanceof Date) return current.getTime() / 1000;
  if (typeof current === 'number' && Number.isFinite(current)) return current;
  throw new TypeError('currentDate must be a Date or a number of seconds');
}

export function coreOptions(options = {}, fields = FIELDS) {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const picked = {};
  for (const name of fields) {
    if (options[name] !== undefined) picked[name] = options[name];
  }
  const text = JSON.stringify(picked);
  let handle = cache.get(text);
  if (!handle) {
    try {
      handle = WasmOptions.parse(text);
    } catch (err) {
      throw fromCore(err);
    }
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value);
    cache.set(text, handle);
  }
  return handle;
}
