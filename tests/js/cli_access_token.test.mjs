// The CLI's access-token command: an RFC 9068 token verified against a JWKS file, --scope
// repeated or space-separated, exit codes 0 valid / 1 invalid / 2 usage.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOW, generateKey, mint, runCli as cli } from './helpers.mjs';

const ISS = 'https://as.example';
const AUD = 'https://api.example';

let dir;
let jwksFile;
let token;
let plainJwt;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jwks-verify-cli-at-'));
  const key = await generateKey('ES256', { kid: 'as-1' });
  jwksFile = join(dir, 'jwks.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [key.jwk] }));
  const claims = { iss: ISS, aud: AUD, sub: 'alice', client_id: 'c1', iat: NOW, exp: NOW + 600, jti: 'j1', scope: 'read write admin' };
  token = await mint(key, claims, { header: { typ: 'at+jwt' } });
  plainJwt = await mint(key, claims, { header: { typ: 'JWT' } });
});
after(() => rm(dir, { recursive: true, force: true }));

const base = (t) => ['access-token', t, '--jwks', jwksFile, '--iss', ISS, '--aud', AUD, '--now', String(NOW)];

test('a valid access token: exit 0, client, subject and scope shown', async () => {
  const { code, stdout } = await cli(base(token));
  assert.equal(code, 0, stdout);
  assert.match(stdout, /valid: RFC 9068 access token for client "c1", subject "alice"/);
  assert.match(stdout, /scope: "read write admin"/);
});

test('--scope repeated and space-separated: every scope required', async () => {
  assert.equal((await cli([...base(token), '--scope', 'read', '--scope', 'write admin'])).code, 0);
  const missing = await cli([...base(token), '--scope', 'read delete', '--json']);
  assert.equal(missing.code, 1);
  const { error } = JSON.parse(missing.stdout);
  assert.deepEqual([error.code, error.claim, error.reason], ['ERR_JWT_CLAIM_VALIDATION_FAILED', 'scope', 'insufficient_scope']);
});

test('a token with typ JWT: exit 1 on claim typ', async () => {
  const { code, stdout } = await cli([...base(plainJwt), '--json']);
  assert.equal(code, 1);
  assert.equal(JSON.parse(stdout).error.claim, 'typ');
});

test('without --iss or --aud: usage error, exit 2', async () => {
  assert.equal((await cli(['access-token', token, '--jwks', jwksFile, '--aud', AUD])).code, 2);
  assert.equal((await cli(['access-token', token, '--jwks', jwksFile, '--iss', ISS])).code, 2);
  assert.equal((await cli(['verify', token, '--jwks', jwksFile, '--scope', 'read'])).code, 2);
});

test('README try-locally.sh: a token from examples/mint.mjs is accepted by the CLI as an access token', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const root = new URL('../../', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', 'examples/readme/try-locally.sh'], { cwd: root });
  assert.match(stdout, /^valid/m);
  assert.match(stdout, /client_id: "demo-client"/);
});
