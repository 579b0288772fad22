// Text for people: NumericDates as ISO dates and as "in 5 minutes" / "2 hours ago".

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

export function isNumericDate(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

export function isoDate(seconds) {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return 'out of range';
  return date.toISOString().replace('.000Z', 'Z');
}

// `seconds` relative to `nowSeconds`, in the largest unit that fits.
export function relativeTime(seconds, nowSeconds) {
  const delta = seconds - nowSeconds;
  const size = Math.abs(delta);
  if (size < 1) return 'now';
  // 0.95: a token made "an hour" ago, read a second later, still reads "1 hour ago".
  const [unit, length] = UNITS.find(([, length]) => size >= length * 0.95) ?? UNITS[UNITS.length - 1];
  return relative.format(Math.round(delta / length), unit);
}

// "2026-11-25T12:00:00Z (in 5 minutes)", or why the value is no NumericDate.
export function describeTime(value, nowSeconds) {
  if (!isNumericDate(value)) return `${JSON.stringify(value)} (not a NumericDate)`;
  return `${isoDate(value)} (${relativeTime(value, nowSeconds)})`;
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}

export function list(values) {
  return values.map((v) => JSON.stringify(v)).join(', ');
}
