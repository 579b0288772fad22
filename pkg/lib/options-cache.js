// The core's reading of an options object that a caller passes again and again (the same
// `options` on every `verifyJwt(token, keys, options)`, or on every request a framework adapter
// hands to `authenticateRequest`), reused while the object is unchanged.
//
// The core reads and validates options (a TypeError for a wrong one), which costs dozens of
// wasm<->JS crossings per call. Here an options object seen a second time is read once into the
// core's object (a WasmProfile, a WasmResource), kept by identity (a WeakMap, so it dies with the
// object) with a snapshot of its data: a plain object's own enumerable members, an array's length
// and items (what the core reads), recursively, Dates by their time, and any other object (a
// KeySet, a RemoteJwks, a replay store: the core only notes what kind of value it is) by identity
// and prototype, with the kind of its `markUsed` (the core reads that much of a replay store:
// an object or function whose markUsed is a function). Values are read as the core reads them
// (a member's [[Get]], not its descriptor: a Proxy's get trap may answer otherwise). Every call
// compares the object with the snapshot and reads it again on any difference, so a mutated
// object is validated again, never trusted. Nothing here knows an
// option's name or rule. Objects that are not plain data (accessors, sparse arrays, more than
// SNAPSHOT_LIMIT values) are never cached: they are read on every call, as before. An options
// object passed once (a literal written in the call) is not cached either.

import { onReset } from './runtime.js';

const SNAPSHOT_LIMIT = 256;
const SEEN = 1;
const NEVER = 2;
const OBJECT = Symbol('object');
const ARRAY = Symbol('array');
const DATE = Symbol('date');
const INSTANCE = Symbol('instance');
const FUNCTION = Symbol('function');
const TAGS = new Set([OBJECT, ARRAY, DATE, INSTANCE, FUNCTION]);

function plainPrototype(value) {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

// Appends the data of `value` to `out`; false when it is not plain data.
function snapshot(value, out) {
  if (out.length > SNAPSHOT_LIMIT) return false;
  if (typeof value === 'function') {
    out.push(FUNCTION, value, typeof value.markUsed);
    return true;
  }
  if (value === null || typeof value !== 'object') {
    out.push(value);
    return true;
  }
  // An array first, as the core tests it: an array whose prototype is Date's (with a getTime
  // of its own) is read by the core as an array, so it is compared as one.
  const isArray = Array.isArray(value);
  if (!isArray && value instanceof Date) {
    out.push(DATE, value, value.getTime());
    return true;
  }
  const descriptors = Object.getOwnPropertyDescriptors(value);
  if (isArray) {
    // By index, as the core reads an array (length, then each index); a hole or an accessor
    // is not plain data.
    out.push(ARRAY, value, value.length);
    for (let index = 0; index < value.length; index++) {
      if (!(index in descriptors) || !('value' in descriptors[index])) return false;
      if (!snapshot(value[index], out)) return false;
    }
    return true;
  }
  if (!plainPrototype(value)) {
    out.push(INSTANCE, value, Object.getPrototypeOf(value), typeof value.markUsed);
    return true;
  }
  const names = Object.keys(value);
  out.push(OBJECT, value, names.length);
  for (const name of names) {
    if (!('value' in descriptors[name])) return false;
    out.push(name);
    if (!snapshot(value[name], out)) return false;
  }
  return true;
}

// Whether `value` still holds the data recorded in `snap` from `at`; returns the next position
// or -1.
function matches(value, snap, at) {
  const recorded = snap[at];
  if (!TAGS.has(recorded)) return Object.is(value, recorded) ? at + 1 : -1;
  if (value !== snap[at + 1]) return -1;
  if (recorded === FUNCTION) return typeof value.markUsed === snap[at + 2] ? at + 3 : -1;
  if (recorded === INSTANCE) return Object.getPrototypeOf(value) === snap[at + 2] && typeof value.markUsed === snap[at + 3] ? at + 4 : -1;
  // The same object, still what the core would take it for (a prototype can be replaced).
  if (recorded === DATE) return value instanceof Date && Object.is(value.getTime(), snap[at + 2]) ? at + 3 : -1;
  if (recorded === ARRAY) {
    const length = snap[at + 2];
    if (value.length !== length) return -1;
    let next = at + 3;
    for (let index = 0; index < length && next >= 0; index++) next = matches(value[index], snap, next);
    return next;
  }
  if (!plainPrototype(value)) return -1;
  const names = Object.keys(value);
  if (names.length !== snap[at + 2]) return -1;
  let next = at + 3;
  for (const name of names) {
    if (snap[next] !== name) return -1;
    next = matches(value[name], snap, next + 1);
    if (next < 0) return -1;
  }
  return next;
}

// A getter, Proxy trap or Date method of the caller's that throws makes the object not plain
// data here; the core then reads it and reports the option that threw, with its code.

/** The data of `options` as a snapshot (see above), or null when it is not plain data. */
export function dataOf(options) {
  const snap = [];
  try {
    return snapshot(options, snap) && snap.length <= SNAPSHOT_LIMIT ? snap : null;
  } catch {
    return null;
  }
}

/** Whether `options` still holds the data `dataOf` recorded (never for a null snapshot). */
export function sameData(options, snap) {
  try {
    return snap !== null && matches(options, snap, 0) === snap.length;
  } catch {
    return false;
  }
}

/**
 * A cache of one kind of reading, `read(options)` (one per caller: a verifyJwt profile is no
 * access-token one). The function it returns gives what `read` made from an options object
 * passed again unchanged; `undefined` when the caller should read `options` on this call (first
 * sight, not plain data) and release what it read. `read` throws for wrong options, as the
 * uncached path does. A cached object is never released by its caller.
 */
export function optionsCache(read) {
  let entries = new WeakMap();
  // What the core made belongs to the wasm instance that made it (runtime.js replaces it after
  // a trap).
  onReset(() => {
    entries = new WeakMap();
  });
  return (options) => cached(entries, options, read);
}

function cached(entries, options, read) {
  if (options === null || typeof options !== 'object') return undefined;
  const entry = entries.get(options);
  if (entry === undefined) {
    entries.set(options, SEEN);
    return undefined;
  }
  if (entry === NEVER) return undefined;
  if (entry !== SEEN && sameData(options, entry.snapshot)) return entry.profile;
  const snap = dataOf(options);
  if (snap === null) {
    entries.set(options, NEVER);
    return undefined;
  }
  const profile = read(options);
  entries.set(options, { profile, snapshot: snap });
  return profile;
}
