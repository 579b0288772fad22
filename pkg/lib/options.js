// VerifyOptions as the core takes them: JSON-safe members only, "now" taken out as seconds.
// Parsed option handles are cached by their JSON text.

import { WasmOptions } from '../gen/jwks_verify.js';
import { parsedCache, pick } from './parsed.js';
import { onReset } from './runtime.js';

const FIELDS = [
  'algorithms', 'issuer', 'audience', 'allowMultipleAudiences', 'subject', 'typ', 'requiredClaims',
  'clockTolerance', 'maxTokenAge', 'crit', 'maxTokenLength', 'maxCandidates',
];

const parsedOptions = parsedCache((text) => WasmOptions.parse(text));

// `currentDate` (a Date or seconds) or the host clock, in seconds.
export function nowSeconds(options) {
  const current = options?.currentDate;
  if (current === undefined || current === null) return Date.now() / 1000;
  if (current instanceof Date) return current.getTime() / 1000;
  if (typeof current === 'number' && Number.isFinite(current)) return current;
  throw new TypeError('currentDate must be a Date or a number of seconds');
}

// The options object a caller passes again and again (a module-level constant, typically)
// skips the JSON round trip: the last one is remembered, from its second use on, with the
// field values it had, and reused only while every field still holds the same value (arrays
// compared element by element, other objects by their JSON text, so in-place edits are seen).
// A fresh object literal per call costs nothing extra.
const last = { options: null, handle: null, values: null };
onReset(() => {
  last.options = last.handle = last.values = null;
});

function snapshot(options) {
  return FIELDS.map((name) => {
    const value = options[name];
    if (Array.isArray(value)) return { value, items: [...value] };
    if (value !== null && typeof value === 'object') return { value, json: JSON.stringify(value) };
    return { value };
  });
}

function unchanged(options, remembered) {
  for (let i = 0; i < FIELDS.length; i++) {
    const value = options[FIELDS[i]];
    const before = remembered[i];
    if (value !== before.value) return false;
    if (before.items !== undefined) {
      if (value.length !== before.items.length) return false;
      for (let j = 0; j < value.length; j++) if (value[j] !== before.items[j]) return false;
    } else if (before.json !== undefined && JSON.stringify(value) !== before.json) {
      return false;
    }
  }
  return true;
}

export function coreOptions(options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const again = options === last.options;
  if (again && last.values !== null && unchanged(options, last.values)) return last.handle;
  const handle = parsedOptions(JSON.stringify(pick(options, FIELDS)));
  last.options = options;
  last.handle = handle;
  last.values = again ? snapshot(options) : null;
  return handle;
}
