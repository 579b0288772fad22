// Wasm instantiation state, shared by every entry. An entry registers how to instantiate
// (synchronously in Node, asynchronously on the web); everything else awaits `ready()`.

let instantiate = null;
let pending = null;
let instantiated = false;

export function registerInstantiate(fn) {
  instantiate = fn;
}

export function markInstantiated() {
  instantiated = true;
}

export function isReady() {
  return instantiated;
}

export function ready() {
  if (instantiated) return Promise.resolve();
  if (!pending) {
    if (!instantiate) return Promise.reject(new Error('jwks-verify: no wasm loader registered for this runtime'));
    pending = Promise.resolve()
      .then(() => instantiate())
      .then(() => {
        instantiated = true;
      }, (err) => {
        pending = null;
        throw err;
      });
  }
  return pending;
}

export function assertReady(name) {
  if (!instantiated) {
    throw new Error(`jwks-verify: ${name}() needs the wasm module; call "await ready()" once before using it in this runtime`);
  }
}
