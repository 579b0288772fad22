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
