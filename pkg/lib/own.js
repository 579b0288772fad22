// Reading a caller's objects: once, and without what a polluted Object.prototype lends. No wasm
// here: the Redis and edge stores use it too.

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

// One member of the caller's options, read once; a getter or Proxy that throws is the option's
// TypeError (as the core reports it for the members it reads), the thrown value its `cause`.
export function member(options, name, owner = 'RemoteJwks') {
  try {
    return options?.[name];
  } catch (err) {
    throw Object.assign(new TypeError(`${owner} option ${name} cannot be read: reading it threw`, { cause: err }), { code: 'ERR_INVALID_OPTION', option: name });
  }
}

// The options as the core reads them, read once: a plain object's own enumerable members (the
// core reads nothing else), copied onto an object with no prototype that both the core and the
// glue then read. Else an inherited member (one a polluted Object.prototype lends: a `fetch`
// or `store` serving other keys, `headers`, an unbounded `maxBytes`) reached the glue though
// the core never saw it, and a getter or Proxy answering differently on a second read gave the
// glue a value the core never checked. Anything else is passed on as it is: the core refuses it.
export function ownOptions(options, owner) {
  if (options === null || typeof options !== 'object') return options;
  let names;
  try {
    const prototype = Object.getPrototypeOf(options);
    if (prototype !== Object.prototype && prototype !== null) return options;
    names = Object.keys(options);
  } catch {
    return options;
  }
  const copy = Object.create(null);
  for (const name of names) copy[name] = member(options, name, owner);
  return copy;
}
