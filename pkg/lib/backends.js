// Signature backends. Each `verify(prepared, keySetHandle, token)` tries the prepared
// token's candidate keys in set order and returns the index of the first that verifies,
// or -1. The pure-Rust backend runs inside the wasm module and works everywhere.

const rust = {
  name: 'rust',
  verify(prepared, handle) {
    for (const index of prepared.candidates()) {
      if (prepared.verifyCandidateRust(handle, index)) return index;
    }
    return -1;
  },
};

let chosenSync = rust;
let chosenAsync = rust;

export function syncBackend() {
  return chosenSync;
}

export function asyncBackend() {
  return chosenAsync;
}

export const backends = { rust };
