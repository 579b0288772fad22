// `make demo` (examples/demo.mjs) doubles as a smoke test: it exits non-zero when a verdict
// differs from the one it expects. Run here so that a change that breaks it fails `make test`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const DEMO = fileURLToPath(new URL('../../examples/demo.mjs', import.meta.url));

test('the demo runs offline, every verdict as expected, each wave-2 entry point shown', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [DEMO], { timeout: 60_000 });
  assert.doesNotMatch(stdout, /! |differ from what this demo expects/);
  for (const line of [
    /✓ good ES256 token/,
    /Through RemoteJwks \(http:\/\/127\.0\.0\.1:/,
    /✓ verifyAccessToken, requiredScopes \["orders:read"\]\n {6}client_id=demo-client/,
    /✗ verifyAccessToken, requiredScopes \["orders:write"\]\n {6}ERR_JWT_CLAIM_VALIDATION_FAILED/,
    /✓ a fresh proof/,
    /✗ the same proof again\n {6}ERR_JWT_REPLAYED/,
    /✓ Authorization: DPoP with its proof\n {6}scheme DPoP/,
    /✗ the same request replayed: 401 .*"invalid_dpop_proof"/,
    /✗ no credentials: 401 \{\}\n {6}WWW-Authenticate: DPoP algs="ES256"/,
  ]) {
    assert.match(stdout, line);
  }
});
