// node:crypto's generateKeyPairSync, with KeyObjects that own their key.
//
// Node 20 can deadlock (main thread parked forever in a futex, 0% CPU) when a garbage collection
// finalises the KeyGenJob of generateKeyPairSync while the main thread holds the generated key's
// lock, e.g. inside publicKey.export(): ~KeyGenJob takes the same non-recursive mutex. Seen here
// in 7 of 25 runs of "generate 5 pairs, export each 100 times" (gdb: ~KeyGenJob ->
// uv_mutex_lock from Heap::CollectGarbage). Keys exported by the job itself and imported afresh
// share no lock with it: 0 of 25.
import { generateKeyPairSync as generateWithJob, createPrivateKey, createPublicKey } from 'node:crypto';

export function generateKeyPairSync(type, options = {}) {
  const { publicKey, privateKey } = generateWithJob(type, {
    ...options,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return {
    publicKey: createPublicKey({ key: publicKey, format: 'der', type: 'spki' }),
    privateKey: createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }),
  };
}
