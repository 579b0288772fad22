// Reading a caller's object without what a polluted Object.prototype lends. No wasm here: the
// Redis and edge stores use it too.

// A member `object` (a primitive: its wrapper) has itself or from its class, never one
// Object.prototype lends: what the caller gave is read as what it is, whatever a polluted
// Object.prototype holds.
export function ownMember(object, name) {
  for (let o = object; o !== null && o !== undefined && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.hasOwn(o, name)) return object[name];
  }
  return undefined;
}

// Whether JSON.stringify would call a toJSON that Object.prototype or Array.prototype holds (a
// polluted prototype): it runs on every object and array serialized, and what it returns is
// serialized instead (a JWK Set became its keys, a state its state).
export function lentToJSON() {
  return Object.hasOwn(Object.prototype, 'toJSON') || Object.hasOwn(Array.prototype, 'toJSON');
}

// JSON data (what JSON.parse made) copied onto objects and arrays with no prototype, which
// JSON.stringify serializes as they are, whatever toJSON a prototype holds.
export function detached(value) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Object.setPrototypeOf(value.map(detached), null);
  const copy = Object.create(null);
  for (const name of Object.keys(value)) copy[name] = detached(value[name]);
  return copy;
}
