// The jwks-verify CLI (pkg/cli.mjs): verify, lint, decode, assertion and dpop against sample files
// and a local JWKS server; human and --json output; exit codes 0 valid / 1 invalid / 2 usage
// or I/O error.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { ALGORITHMS, NOW, isSymmetric, generateKey, keyRing, jwksOf, mint, runCli, tamperSignature } from './helpers.mjs';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';
const CLIENT_ID = 'client-1';
const TOKEN_ENDPOINT = 'https://as.example/token';
const PUBLIC_KEYS = ALGORITHMS.filter((alg) => !isSymmetric(alg)).length;

/** Runs the CLI in the test's folder: `{ code, stdout, stderr }`. */
const cli = (args, { input } = {}) => runCli(args, { cwd: dir, input });

/** `cli(...)` with --json, its stdout parsed. */
async function cliJson(args, options) {
  const result = await cli([...args, '--json'], options);
  let json;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    assert.fail(`stdout is not one JSON object (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return { ...result, json };
}

let dir;
let ring;
let server;
let baseUrl;
const hits = new Map();
let tokens;
let claims;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jwks-verify-cli-'));
  ring = await keyRing();
  claims = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', iat: NOW - 10, exp: NOW + 600 };
  tokens = new Map(await Promise.all(ALGORITHMS.map(async (alg) => [alg, await mint(ring.get(alg), claims)])));
  const publicJwks = jwksOf([...ring.values()].filter((key) => !isSymmetric(key.alg)));
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(publicJwks));
  // The caller's own file may hold the HS* secrets (verified only with --alg).
  await writeFile(join(dir, 'secrets.json'), JSON.stringify(jwksOf([...ring.values()].filter((key) => isSymmetric(key.alg)))));
  await writeFile(join(dir, 'not-a-jwks.json'), '{"hello": "world"}');
  await writeFile(join(dir, 'not-json.txt'), 'this is not JSON');

  // A set with one of each problem lint must name.
  const duplicate = [await generateKey('RS256', { kid: 'dup' }), await generateKey('RS256', { kid: 'dup' })];
  const noKid = await generateKey('ES256', { kid: null });
  const pair = await jose.generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await jose.exportJWK(pair.privateKey)), kid: 'private' };
  const encryption = await generateKey('ES256', { kid: 'enc', use: 'enc', withAlg: false });
  await writeFile(join(dir, 'broken.json'), JSON.stringify({
    keys: [duplicate[0].jwk, duplicate[1].jwk, noKid.jwk, privateJwk, encryption.jwk],
  }));

  server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      res.end(JSON.stringify(publicJwks));
    } else if (path === '/broken.json') {
      readFile(join(dir, 'broken.json')).then((body) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
    } else {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const at = ['--now', String(NOW)];
const expect = ['--iss', ISSUER, '--aud', AUDIENCE];

describe('verify', () => {
  test('every algorithm verifies from a file (HS* from the secrets file with --alg): exit 0', async () => {
    for (const alg of ALGORITHMS) {
      const keys = isSymmetric(alg) ? ['--jwks', 'secrets.json', '--alg', alg] : ['--jwks', 'jwks.json'];
      const { code, json, stderr } = await cliJson(['verify', tokens.get(alg), ...keys, ...expect, ...at]);
      assert.equal(code, 0, `${alg}: ${JSON.stringify(json)} ${stderr}`);
      assert.equal(json.valid, true);
      assert.equal(json.header.alg, alg);
      assert.equal(json.payload.sub, 'alice');
      assert.equal(json.key.kid, `${alg.toLowerCase()}-key`);
    }
  });

  test('human output names the key and shows the claims with dates', async () => {
    const { code, stdout } = await cli(['verify', tokens.get('ES256'), '--jwks', 'jwks.json', ...expect, ...at]);
    assert.equal(code, 0);
    assert.match(stdout, /^valid: signature verified with key #\d+ kid="es256-key"/);
    assert.match(stdout, /thumbprint=[A-Za-z0-9_-]{43}/);
    assert.match(stdout, /exp: 1700000600 {2}\(2023-11-14T22:23:20\.000Z, in 10m\)/);
  });

  test('the token from stdin with "-"', async () => {
    const { code, json } = await cliJson(['verify', '-', '--jwks', 'jwks.json', ...at], { input: `${tokens.get('EdDSA')}\n` });
    assert.equal(code, 0);
    assert.equal(json.key.kid, 'eddsa-key');
  });

  test('an expired token: exit 1, ERR_JWT_EXPIRED on claim exp', async () => {
    const { code, json } = await cliJson(['verify', tokens.get('RS256'), '--jwks', 'jwks.json', '--now', String(NOW + 601)]);
    assert.equal(code, 1);
    assert.deepEqual({ valid: json.valid, code: json.error.code, claim: json.error.claim, reason: json.error.reason },
      { valid: false, code: 'ERR_JWT_EXPIRED', claim: 'exp', reason: 'check_failed' });
    const human = await cli(['verify', tokens.get('RS256'), '--jwks', 'jwks.json', '--now', String(NOW + 601)]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /^invalid: ERR_JWT_EXPIRED: .*\(claim exp, reason check_failed\)/);
  });

  test('--clock-tolerance lets a just-expired token pass', async () => {
    const { code } = await cli(['verify', tokens.get('RS256'), '--jwks', 'jwks.json', '--now', String(NOW + 601), '--clock-tolerance', '5']);
    assert.equal(code, 0);
  });

  test('a wrong audience or issuer: exit 1 with the claim', async () => {
    const aud = await cliJson(['verify', tokens.get('PS256'), '--jwks', 'jwks.json', '--aud', 'other', ...at]);
    assert.equal(aud.code, 1);
    assert.equal(aud.json.error.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    assert.equal(aud.json.error.claim, 'aud');
    const iss = await cliJson(['verify', tokens.get('PS256'), '--jwks', 'jwks.json', '--iss', 'https://evil.example', ...at]);
    assert.equal(iss.code, 1);
    assert.equal(iss.json.error.claim, 'iss');
  });

  test('a tampered signature: exit 1', async () => {
    const { code, json } = await cliJson(['verify', tamperSignature(tokens.get('ES384')), '--jwks', 'jwks.json', ...at]);
    assert.equal(code, 1);
    assert.equal(json.error.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  test('HS256 is refused unless --alg lists it: exit 1', async () => {
    const { code, json } = await cliJson(['verify', tokens.get('HS256'), '--jwks', 'secrets.json', ...at]);
    assert.equal(code, 1);
    assert.equal(json.valid, false);
    assert.match(json.error.code, /^ERR_/);
  });

  test('--alg restricts the algorithms: an ES256 token with --alg RS256 fails', async () => {
    const { code, json } = await cliJson(['verify', tokens.get('ES256'), '--jwks', 'jwks.json', '--alg', 'RS256', ...at]);
    assert.equal(code, 1);
    assert.equal(json.error.code, 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  test('--jwks URL: fetched from the server once; exit 0', async () => {
    const before = hits.get('/jwks.json') ?? 0;
    const { code, json } = await cliJson(['verify', tokens.get('ES512'), '--jwks', `${baseUrl}/jwks.json`, ...expect, ...at]);
    assert.equal(code, 0, JSON.stringify(json));
    assert.equal(json.key.kid, 'es512-key');
    assert.equal(hits.get('/jwks.json'), before + 1);
  });

  test('--jwks URL answering 500, or refusing connections: exit 2, ERR_JWKS_FETCH_FAILED', async () => {
    const failing = await cliJson(['verify', tokens.get('ES256'), '--jwks', `${baseUrl}/fails.json`, ...at]);
    assert.equal(failing.code, 2);
    assert.equal(failing.json.error.code, 'ERR_JWKS_FETCH_FAILED');
    assert.match(failing.stderr, /ERR_JWKS_FETCH_FAILED/);
    const closed = await cli(['verify', tokens.get('ES256'), '--jwks', 'http://127.0.0.1:9/jwks.json', '--timeout', '3000', ...at]);
    assert.equal(closed.code, 2);
    assert.match(closed.stderr, /ERR_JWKS_(FETCH_FAILED|TIMEOUT)/);
  });

  test('a missing or non-JWKS --jwks file: exit 2', async () => {
    const missing = await cliJson(['verify', tokens.get('ES256'), '--jwks', 'nope.json', ...at]);
    assert.equal(missing.code, 2);
    assert.equal(missing.json.error.code, 'ERR_IO');
    assert.match(missing.stderr, /cannot read nope\.json/);
    const wrong = await cli(['verify', tokens.get('ES256'), '--jwks', 'not-json.txt', ...at]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /ERR_JWKS_INVALID/);
  });
});

describe('lint', () => {
  test('a clean set: exit 0, every key listed as usable', async () => {
    const { code, stdout } = await cli(['lint', 'jwks.json']);
    assert.equal(code, 0);
    assert.ok(stdout.startsWith(`jwks.json: ${PUBLIC_KEYS} key(s), ${PUBLIC_KEYS} usable; 0 error(s), 0 warning(s)\n`), stdout);
    assert.equal(stdout.match(/ usable$/gm).length, PUBLIC_KEYS);
    assert.match(stdout, /\nok\n?$/);
  });

  test('a broken set: exit 1, each problem named with its key', async () => {
    const { code, json } = await cliJson(['lint', 'broken.json']);
    assert.equal(code, 1);
    assert.equal(json.valid, false);
    const found = json.diagnostics.map((d) => `${d.severity} ${d.code} ${d.index}`).sort();
    assert.deepEqual(found, ['error private_key_material 3', 'error use_not_sig 4', 'warning duplicate_kid 1', 'warning missing_kid 2']);
    const human = await cli(['lint', 'broken.json']);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /^error {3}private_key_material key #3 \(private\): /m);
    assert.match(human.stdout, /^warning duplicate_kid key #1 \(dup\): /m);
    assert.match(human.stdout, /UNUSABLE/);
  });

  test('a URL: fetched and linted', async () => {
    const { code, json } = await cliJson(['lint', `${baseUrl}/broken.json`]);
    assert.equal(code, 1);
    assert.ok(json.diagnostics.some((d) => d.code === 'missing_kid'));
    const clean = await cliJson(['lint', `${baseUrl}/jwks.json`]);
    assert.equal(clean.code, 0);
    assert.equal(clean.json.keys.length, PUBLIC_KEYS);
  });

  test('not a JWK set: exit 1 with ERR_JWKS_INVALID; a missing file: exit 2', async () => {
    const invalid = await cliJson(['lint', 'not-a-jwks.json']);
    assert.equal(invalid.code, 1);
    assert.equal(invalid.json.error.code, 'ERR_JWKS_INVALID');
    const missing = await cli(['lint', 'missing.json']);
    assert.equal(missing.code, 2);
  });
});

describe('options go to the API as they are', () => {
  // A wrong value is the core's TypeError naming the API option (exit 2), not a CLI rule.
  const apiErrors = [
    ['a bad --clock-tolerance', (t) => ['verify', t, '--jwks', 'jwks.json', '--clock-tolerance', 'soon'], 'clockTolerance'],
    ['a negative --max-token-age', (t) => ['verify', t, '--jwks', 'jwks.json', '--max-token-age=-5'], 'maxTokenAge'],
    ['a bad --profile', (t) => ['assertion', t, '--client-id', 'c', '--aud', 'a', '--jwks', 'jwks.json', '--profile', 'lax'], 'profile'],
    ['a zero --max-lifetime', (t) => ['assertion', t, '--client-id', 'c', '--aud', 'a', '--jwks', 'jwks.json', '--max-lifetime', '0'], 'maxLifetime'],
    ['a bad --timeout', (t) => ['verify', t, '--jwks', `${baseUrl}/jwks.json`, '--timeout', 'soon'], 'timeoutMs'],
  ];
  for (const [what, args, option] of apiErrors) {
    test(`${what}: the API's TypeError naming ${option}, exit 2`, async () => {
      const human = await cli(args(tokens.get('ES256')));
      assert.equal(human.code, 2, human.stdout + human.stderr);
      assert.equal(human.stdout, '');
      assert.match(human.stderr, new RegExp(`^jwks-verify: ERR_INVALID_OPTION: .*${option}`));
      const { code, json } = await cliJson(args(tokens.get('ES256')));
      assert.equal(code, 2);
      assert.equal(json.error.code, 'ERR_INVALID_OPTION');
      assert.match(json.error.message, new RegExp(option));
    });
  }

  test('durations in jose\'s text form reach the API: --clock-tolerance 10m accepts a token expired a second ago', async () => {
    const late = ['--now', String(NOW + 601)];
    assert.equal((await cli(['verify', tokens.get('ES256'), '--jwks', 'jwks.json', ...late])).code, 1);
    const { code, stdout } = await cli(['verify', tokens.get('ES256'), '--jwks', 'jwks.json', ...late, '--clock-tolerance', '10m']);
    assert.equal(code, 0, stdout);
  });
});

describe('printed text is escaped', () => {
  test('claim names and values from a token cannot write terminal escapes or bidi overrides', async () => {
    const token = await mint(ring.get('ES256'), { ...claims, '\u001b[31mred': 'x\u202egnp.exe', note: 'line\nbreak\u009b' });
    for (const args of [['decode', token], ['verify', token, '--jwks', 'jwks.json', ...at], ['decode', token, '--json']]) {
      const { code, stdout } = await cli(args);
      assert.equal(code, 0, stdout);
      assert.doesNotMatch(stdout, /[\u001b\u009b\u202e]/, args.join(' '));
      assert.match(stdout, /\\u001b\[31mred/);
      assert.match(stdout, /\\u202e/);
    }
  });
});

describe('decode', () => {
  test('shows header and payload without verifying: exit 0', async () => {
    const { code, json } = await cliJson(['decode', tamperSignature(tokens.get('RS512'))]);
    assert.equal(code, 0);
    assert.equal(json.header.alg, 'RS512');
    assert.deepEqual(json.payload, claims);
    assert.match(json.signature, /^[A-Za-z0-9_-]+$/);
    const human = await cli(['decode', tokens.get('RS512'), ...at]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^not verified: decoded only\nheader:\n {2}alg: "RS512"/);
    assert.match(human.stdout, /iat: 1699999990 {2}\(2023-11-14T22:13:10\.000Z, 10s ago\)/);
  });

  test('a malformed token: exit 1', async () => {
    const { code, json } = await cliJson(['decode', 'not.a-token']);
    assert.equal(code, 1);
    // decodeJwt's code for anything that is not a decodable JWT, as jose's decodeJwt.
    assert.equal(json.error.code, 'ERR_JWT_INVALID');
  });
});

describe('assertion', () => {
  let clientKey;
  const assertionClaims = (extra = {}) => ({
    iss: CLIENT_ID, sub: CLIENT_ID, aud: TOKEN_ENDPOINT, iat: NOW, exp: NOW + 60, jti: 'jti-1', ...extra,
  });

  before(async () => {
    clientKey = await generateKey('PS256', { kid: 'client-key' });
    await writeFile(join(dir, 'client.json'), JSON.stringify(jwksOf([clientKey])));
  });

  const base = ['--client-id', CLIENT_ID, '--aud', TOKEN_ENDPOINT, '--jwks', 'client.json', ...at];

  test('a valid private_key_jwt assertion: exit 0', async () => {
    const token = await mint(clientKey, assertionClaims());
    const { code, json } = await cliJson(['assertion', token, ...base]);
    assert.equal(code, 0, JSON.stringify(json));
    assert.deepEqual({ valid: json.valid, clientId: json.clientId, jti: json.jti, federated: json.federated, kid: json.key.kid },
      { valid: true, clientId: CLIENT_ID, jti: 'jti-1', federated: false, kid: 'client-key' });
    const human = await cli(['assertion', token, ...base]);
    assert.match(human.stdout, /^valid: client "client-1" authenticated\n {2}jti: "jti-1"/);
  });

  test('another client id: exit 1 with claim iss', async () => {
    const token = await mint(clientKey, assertionClaims({ iss: 'someone-else', sub: 'someone-else' }));
    const { code, json } = await cliJson(['assertion', token, ...base]);
    assert.equal(code, 1);
    assert.equal(json.error.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    assert.equal(json.error.claim, 'iss');
  });

  test('several audiences: refused by the strict profile, accepted with --profile rfc7523', async () => {
    const token = await mint(clientKey, assertionClaims({ aud: [TOKEN_ENDPOINT, 'https://as.example'] }));
    const strict = await cliJson(['assertion', token, ...base]);
    assert.equal(strict.code, 1);
    assert.equal(strict.json.error.reason, 'multiple_audiences');
    const rfc = await cliJson(['assertion', token, ...base, '--profile', 'rfc7523']);
    assert.equal(rfc.code, 0, JSON.stringify(rfc.json));
  });

  test('without --client-id: exit 2', async () => {
    const token = await mint(clientKey, assertionClaims());
    const { code, stderr } = await cli(['assertion', token, '--aud', TOKEN_ENDPOINT, '--jwks', 'client.json']);
    assert.equal(code, 2);
    assert.match(stderr, /assertion needs --client-id/);
  });
});

describe('dpop', () => {
  const URL_ = 'https://rs.example/api/items';
  let holder;
  let jwk;

  before(async () => {
    holder = await jose.generateKeyPair('ES256', { extractable: true });
    jwk = await jose.exportJWK(holder.publicKey);
  });

  const prove = (claims = {}) => new jose.SignJWT({ jti: `p-${Math.random()}`, htm: 'GET', htu: URL_, iat: NOW, ...claims })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).sign(holder.privateKey);
  const base = ['--method', 'GET', '--url', `${URL_}?page=2`, ...at];

  test('a valid proof: exit 0 with the jkt', async () => {
    const proof = await prove({ ath: 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo' });
    const { code, json } = await cliJson(['dpop', proof, ...base, '--access-token', 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU']);
    assert.equal(code, 0, JSON.stringify(json));
    assert.equal(json.valid, true);
    assert.equal(json.jkt, await jose.calculateJwkThumbprint(jwk));
    assert.equal(json.payload.htm, 'GET');
    const human = await cli(['dpop', proof, ...base, '--access-token', 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^valid: DPoP proof for GET "https:\/\/rs\.example\/api\/items\?page=2"\n {2}jkt: [A-Za-z0-9_-]{43}\n/);
  });

  test('a proof for another method, or without the ath of --access-token: exit 1 with the claim', async () => {
    const post = await cliJson(['dpop', await prove({ htm: 'POST' }), ...base]);
    assert.equal(post.code, 1);
    assert.deepEqual([post.json.error.code, post.json.error.claim, post.json.error.reason], ['ERR_DPOP_INVALID', 'htm', 'check_failed']);
    const noAth = await cli(['dpop', await prove(), ...base, '--access-token', 'tok']);
    assert.equal(noAth.code, 1);
    assert.match(noAth.stdout, /^invalid: ERR_DPOP_INVALID: .* \(claim ath, reason missing\)/);
  });

  test('without --url, or with a relative one: exit 2', async () => {
    const proof = await prove();
    const missing = await cli(['dpop', proof, '--method', 'GET']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /dpop needs --url/);
    const relative = await cli(['dpop', proof, '--method', 'GET', '--url', '/api/items']);
    assert.equal(relative.code, 2);
    assert.match(relative.stderr, /url/);
  });
});

describe('usage', () => {
  test('--help and --version: exit 0', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: jwks-verify <command>/);
    const version = await cli(['--version']);
    assert.equal(version.code, 0);
    const { version: expected } = JSON.parse(await readFile(new URL('../../pkg/package.json', import.meta.url), 'utf8'));
    assert.equal(version.stdout.trim(), expected);
  });

  const usageErrors = [
    ['no command', []],
    ['an unknown command', ['frobnicate']],
    ['verify without --jwks', ['verify', 'a.b.c']],
    ['an unknown option', ['decode', 'a.b.c', '--frob']],
    ['an option of another command', ['decode', 'a.b.c', '--client-id', 'x']],
    ['a missing argument', ['lint']],
    ['an extra argument', ['decode', 'a.b.c', 'd.e.f']],
    ['a bad --now', ['decode', 'a.b.c', '--now', 'yesterday-ish']],
  ];
  for (const [what, args] of usageErrors) {
    test(`${what}: exit 2 with the usage on stderr, a JSON error with --json`, async () => {
      const human = await cli(args);
      assert.equal(human.code, 2, human.stdout + human.stderr);
      assert.match(human.stderr, /^jwks-verify: /);
      assert.equal(human.stdout, '');
      const { code, json } = await cliJson(args);
      assert.equal(code, 2);
      assert.equal(json.error.code, 'ERR_USAGE');
    });
  }
});
