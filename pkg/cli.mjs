#!/usr/bin/env node
// jwks-verify command line: verify, lint, decode, assertion, access-token, dpop. Human output by default, one
// JSON object on stdout with --json. Exit codes: 0 valid, 1 invalid, 2 usage or I/O error.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as jv from './node.mjs';
import { quoteText, safeJsonText } from './gen/jwks_verify.js';

const EXIT_VALID = 0;
const EXIT_INVALID = 1;
const EXIT_USAGE = 2;

const USAGE = `Usage: jwks-verify <command> [options]

Commands:
  verify <token> --jwks <file|url>   verify a JWT's signature and claims
      [--iss <issuer>]... [--aud <audience>]... [--alg <alg>]... [--sub <subject>]
      [--typ <typ>] [--clock-tolerance <seconds>] [--max-token-age <seconds>]
  lint <file|url>                    parse a JWK Set and report what is wrong with it
  decode <token>                     show header and payload, without verification
  assertion <jwt> --client-id <id> --aud <audience>... --jwks <file|url>
      [--alg <alg>]... [--profile strict|rfc7523] [--max-lifetime <seconds>]
      [--clock-tolerance <seconds>]  check an RFC 7523 client assertion
  access-token <jwt> --jwks <file|url> --iss <issuer>... --aud <audience>...
      [--scope <scope>]... [--alg <alg>]... [--clock-tolerance <seconds>]
                                     verify an RFC 9068 access token; --scope may be
                                     repeated or hold several space-separated scopes
  dpop <proof> --method <method> --url <url>   check an RFC 9449 DPoP proof for a request
      [--access-token <token>] [--nonce <nonce>] [--alg <alg>]... [--max-age <seconds>]
      [--clock-tolerance <seconds>]

Options for every command:
  --json              print one JSON object on stdout (for scripts)
  --now <time>        "now" for time checks: seconds since the epoch or an ISO date
  --timeout <ms>      timeout of a JWKS URL fetch (default 5000)
  -h, --help          this text;  -v, --version  the package version

A token argument of "-" is read from standard input.
Exit codes: 0 valid, 1 invalid, 2 usage or I/O error.`;

const OPTIONS = {
  jwks: { type: 'string' },
  iss: { type: 'string', multiple: true },
  aud: { type: 'string', multiple: true },
  alg: { type: 'string', multiple: true },
  sub: { type: 'string' },
  typ: { type: 'string' },
  'client-id': { type: 'string' },
  profile: { type: 'string' },
  'clock-tolerance': { type: 'string' },
  'max-token-age': { type: 'string' },
  'max-lifetime': { type: 'string' },
  scope: { type: 'string', multiple: true },
  method: { type: 'string' },
  url: { type: 'string' },
  'access-token': { type: 'string' },
  nonce: { type: 'string' },
  'max-age': { type: 'string' },
  now: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
};

// Which options each command takes (the common ones aside).
const COMMON = ['json', 'now', 'timeout', 'help', 'version'];
const COMMANDS = {
  verify: { positionals: ['token'], options: ['jwks', 'iss', 'aud', 'alg', 'sub', 'typ', 'clock-tolerance', 'max-token-age'], required: ['jwks'] },
  lint: { positionals: ['file|url'], options: [], required: [] },
  decode: { positionals: ['token'], options: [], required: [] },
  assertion: { positionals: ['jwt'], options: ['jwks', 'client-id', 'aud', 'alg', 'profile', 'clock-tolerance', 'max-lifetime'], required: ['client-id', 'aud', 'jwks'] },
  'access-token': { positionals: ['jwt'], options: ['jwks', 'iss', 'aud', 'alg', 'scope', 'clock-tolerance'], required: ['jwks', 'iss', 'aud'] },
  dpop: { positionals: ['proof'], options: ['method', 'url', 'access-token', 'nonce', 'alg', 'max-age', 'clock-tolerance'], required: ['method', 'url'] },
};

/** A failure that is the caller's or the machine's, not the token's: exit 2. */
class UsageError extends Error {
  constructor(message, code = 'ERR_USAGE') {
    super(message);
    this.code = code;
  }
}

// JoseError codes that mean the keys could not be had, so nothing was decided about the token.
const IO_CODES = new Set(['ERR_JWKS_FETCH_FAILED', 'ERR_JWKS_TIMEOUT']);

const isUrl = (text) => /^https?:\/\//i.test(text);

function parseCommandLine(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err.message);
  }
  const { values, positionals } = parsed;
  if (values.help || values.version) return { command: values.help ? 'help' : 'version', values, args: [] };
  const [command, ...args] = positionals;
  if (command === undefined) throw new UsageError('no command given');
  if (command === 'help') return { command, values, args };
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}" (expected ${Object.keys(COMMANDS).join(', ')})`);
  if (args.length !== spec.positionals.length) {
    throw new UsageError(`${command} takes ${spec.positionals.map((p) => `<${p}>`).join(' ')}, got ${args.length} argument(s)`);
  }
  for (const name of Object.keys(values)) {
    if (values[name] === undefined || COMMON.includes(name) || spec.options.includes(name)) continue;
    if (OPTIONS[name].type === 'boolean' && values[name] === false) continue;
    throw new UsageError(`${command} does not take --${name}`);
  }
  for (const name of spec.required) {
    if (values[name] === undefined) throw new UsageError(`${command} needs --${name}`);
  }
  return { command, values, args };
}

// A command line has only text: a number-looking value becomes a number, anything else goes
// to the API as it is (durations such as "30s" are read by the core). The API decides what is
// valid: a wrong value is its TypeError (exit 2).
function optionValue(values, name) {
  const text = values[name];
  if (text === undefined) return undefined;
  const number = Number(text);
  return text.trim() !== '' && !Number.isNaN(number) ? number : text;
}

// --now: seconds since the epoch, or a date (its syntax is the command line's; the API then
// reads it as currentDate).
function nowOption(values) {
  const value = optionValue(values, 'now');
  if (typeof value !== 'string') return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now must be seconds since the epoch or a date, got ${quoteText(value)}`);
  return date;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function tokenArgument(text) {
  const token = text === '-' ? await readStdin() : text;
  return token.trim();
}

async function readLocal(path) {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${err.message}`, 'ERR_IO');
  }
}

function fetchKeySet(url, values) {
  const timeoutMs = optionValue(values, 'timeout');
  return new jv.RemoteJwks(url, { timeoutMs }).keySet();
}

// --jwks <file|url> as a KeysInput. A file's keys are the caller's own, so an `oct` secret in
// it may verify HS* (when --alg lists it), as with inline keys.
async function keysOption(location, values) {
  if (isUrl(location)) return fetchKeySet(location, values);
  return readLocal(location);
}

// --- output -----------------------------------------------------------------------------

// Text from a token, a key set or the network is printed only through the core's quoting
// (JSON-quoted, control characters escaped, cut to 64 characters): no terminal escapes.
const q = (text) => quoteText(String(text));
const COMPOSITE_LIMIT = 200;
// A member name made of these characters prints as it is (iss, http://example.com/is_root).
const PLAIN_NAME = /^[A-Za-z0-9_.:/+#@-]{1,64}$/;
const plain = (text) => (PLAIN_NAME.test(text) ? text : q(text));
const show = (value) => (typeof value === 'string' ? q(value) : safeJsonText(JSON.stringify(value) ?? String(value), COMPOSITE_LIMIT));
const safeJson = (value) => safeJsonText(JSON.stringify(value, null, 2), 0);

const TIME_CLAIMS = ['iat', 'nbf', 'exp', 'auth_time'];

// "now" for showing times relative to it: --now (seconds or a Date), else this clock.
function clockSeconds(now) {
  if (now instanceof Date) return now.getTime() / 1000;
  return now ?? Date.now() / 1000;
}

function describeTime(seconds, now) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || !Number.isFinite(now)) return '';
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return '';
  const delta = Math.round(seconds - now);
  const span = Math.abs(delta) < 60 ? `${Math.abs(delta)}s` : Math.abs(delta) < 7200 ? `${Math.round(Math.abs(delta) / 60)}m`
    : Math.abs(delta) < 172800 ? `${Math.round(Math.abs(delta) / 3600)}h` : `${Math.round(Math.abs(delta) / 86400)}d`;
  return `  (${date.toISOString()}, ${delta >= 0 ? `in ${span}` : `${span} ago`})`;
}

function formatClaims(object, now) {
  const lines = [];
  for (const [member, value] of Object.entries(object ?? {})) {
    const time = TIME_CLAIMS.includes(member) ? describeTime(value, now) : '';
    lines.push(`  ${plain(member)}: ${show(value)}${time}`);
  }
  return lines.join('\n');
}

function describeKey(key) {
  const parts = [key.kid === undefined ? `key #${key.index} (no kid)` : `key #${key.index} kid=${q(key.kid)}`];
  const type = [key.kty && plain(key.kty), key.crv && plain(key.crv), key.bits === undefined ? undefined : `${key.bits} bits`].filter(Boolean).join(' ');
  parts.push(type);
  if (key.alg) parts.push(`alg=${plain(key.alg)}`);
  if (key.use) parts.push(`use=${plain(key.use)}`);
  parts.push(`thumbprint=${key.thumbprint}`);
  return parts.join('  ');
}

function errorObject(err) {
  const out = { code: err.code ?? err.name ?? 'Error', message: err.message };
  for (const field of ['claim', 'reason', 'url', 'kids', 'kidCount']) {
    if (err[field] !== undefined) out[field] = err[field];
  }
  return out;
}

function describeError(err) {
  const details = [];
  if (err.claim !== undefined) details.push(`claim ${err.claim}`);
  if (err.reason !== undefined) details.push(`reason ${err.reason}`);
  return `${err.code ?? err.name}: ${err.message}${details.length ? ` (${details.join(', ')})` : ''}`;
}

// --- commands ---------------------------------------------------------------------------

function verifyOptions(values, now) {
  return {
    issuer: values.iss,
    audience: values.aud,
    algorithms: values.alg,
    subject: values.sub,
    typ: values.typ,
    clockTolerance: optionValue(values, 'clock-tolerance'),
    maxTokenAge: optionValue(values, 'max-token-age'),
    currentDate: now,
  };
}

async function verifyCommand({ values, args }, now) {
  const token = await tokenArgument(args[0]);
  const keys = await keysOption(values.jwks, values);
  const result = await jv.verifyJwt(token, keys, verifyOptions(values, now));
  return {
    json: { valid: true, header: result.header, payload: result.payload, key: result.key },
    text: [
      `valid: signature verified with ${describeKey(result.key)}`,
      'header:', formatClaims(result.header, clockSeconds(now)),
      'payload:', formatClaims(result.payload, clockSeconds(now)),
    ].join('\n'),
  };
}

async function assertionCommand({ values, args }, now) {
  const token = await tokenArgument(args[0]);
  const keys = await keysOption(values.jwks, values);
  const options = {
    clientId: values['client-id'],
    audience: values.aud,
    keys,
    algorithms: values.alg,
    profile: values.profile,
    maxLifetime: optionValue(values, 'max-lifetime'),
    clockTolerance: optionValue(values, 'clock-tolerance'),
    currentDate: now,
  };
  const result = await jv.checkAssertion(token, options);
  return {
    json: { valid: true, ...result },
    text: [
      `valid: client ${q(result.clientId)} authenticated${result.federated ? ' (federated issuer)' : ''}`,
      `  jti: ${result.jti === undefined ? '(none)' : q(result.jti)}`,
      `  key: ${describeKey(result.key)}`,
      'payload:', formatClaims(result.payload, clockSeconds(now)),
    ].join('\n'),
  };
}

// --scope read --scope "write admin" -> ['read', 'write', 'admin'].
function scopesOption(values) {
  return values.scope?.flatMap((text) => text.split(/[ \t]+/)).filter((scope) => scope !== '');
}

async function accessTokenCommand({ values, args }, now) {
  const token = await tokenArgument(args[0]);
  const keys = await keysOption(values.jwks, values);
  const options = {
    issuer: values.iss,
    audience: values.aud,
    algorithms: values.alg,
    requiredScopes: scopesOption(values),
    clockTolerance: optionValue(values, 'clock-tolerance'),
    currentDate: now,
  };
  const result = await jv.verifyAccessToken(token, keys, options);
  const scope = typeof result.payload.scope === 'string' ? result.payload.scope : undefined;
  return {
    json: { valid: true, header: result.header, payload: result.payload, key: result.key },
    text: [
      `valid: RFC 9068 access token for client ${q(result.payload.client_id)}, subject ${q(result.payload.sub)}`,
      `  scope: ${scope === undefined ? '(none)' : q(scope)}`,
      `  key: ${describeKey(result.key)}`,
      'payload:', formatClaims(result.payload, clockSeconds(now)),
    ].join('\n'),
  };
}

async function dpopCommand({ values, args }, now) {
  const proof = await tokenArgument(args[0]);
  const options = {
    method: values.method,
    url: values.url,
    accessToken: values['access-token'],
    nonce: values.nonce,
    algorithms: values.alg,
    maxAge: optionValue(values, 'max-age'),
    clockTolerance: optionValue(values, 'clock-tolerance'),
    currentDate: now,
  };
  const result = await jv.verifyDpopProof(proof, options);
  return {
    json: { valid: true, ...result },
    text: [
      `valid: DPoP proof for ${plain(values.method)} ${q(values.url)}`,
      `  jkt: ${result.jkt}`,
      'header:', formatClaims(result.header, clockSeconds(now)),
      'payload:', formatClaims(result.payload, clockSeconds(now)),
    ].join('\n'),
  };
}

async function lintCommand({ values, args }) {
  const location = args[0];
  const keySet = isUrl(location) ? await fetchKeySet(location, values) : jv.parseJwks(await readLocal(location));
  const errors = keySet.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = keySet.diagnostics.filter((d) => d.severity === 'warning').length;
  const usable = keySet.keys.filter((k) => k.usable).length;
  const valid = errors === 0;
  const lines = [`${location}: ${keySet.keys.length} key(s), ${usable} usable; ${errors} error(s), ${warnings} warning(s)`];
  for (const key of keySet.keys) lines.push(`  ${describeKey(key)}  ${key.usable ? 'usable' : 'UNUSABLE'}`);
  for (const d of keySet.diagnostics) {
    const where = d.index === undefined ? 'set' : `key #${d.index}${d.kid === undefined ? '' : ` (${plain(d.kid)})`}`;
    lines.push(`${d.severity.padEnd(7)} ${d.code} ${where}: ${d.message}`);
  }
  lines.push(valid ? 'ok' : 'invalid: the set has errors');
  return { valid, json: { valid, keys: keySet.keys, diagnostics: keySet.diagnostics }, text: lines.join('\n') };
}

async function decodeCommand({ args }, now) {
  const decoded = jv.decodeJwt(await tokenArgument(args[0]));
  return {
    json: decoded,
    text: [
      'not verified: decoded only',
      'header:', formatClaims(decoded.header, clockSeconds(now)),
      'payload:', formatClaims(decoded.payload, clockSeconds(now)),
      `signature: ${decoded.signature.length} base64url characters`,
    ].join('\n'),
  };
}

async function packageVersion() {
  const text = await readFile(new URL('./package.json', import.meta.url), 'utf8');
  return JSON.parse(text).version;
}

const RUN = { verify: verifyCommand, lint: lintCommand, decode: decodeCommand, assertion: assertionCommand, 'access-token': accessTokenCommand, dpop: dpopCommand };

async function main(argv) {
  const json = argv.includes('--json');
  const print = (value) => process.stdout.write(`${value}\n`);
  let command;
  try {
    const parsed = parseCommandLine(argv);
    command = parsed.command;
    if (command === 'help') {
      print(USAGE);
      return EXIT_VALID;
    }
    if (command === 'version') {
      print(await packageVersion());
      return EXIT_VALID;
    }
    const now = nowOption(parsed.values);
    const outcome = await RUN[command](parsed, now);
    print(json ? safeJson(outcome.json) : outcome.text);
    return outcome.valid === false ? EXIT_INVALID : EXIT_VALID;
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof TypeError || IO_CODES.has(err?.code)
      || (command !== 'lint' && err?.code === 'ERR_JWKS_INVALID');
    if (err?.code === undefined && !(err instanceof TypeError)) throw err;
    if (json) {
      print(safeJson(command === 'decode' ? { error: errorObject(err) } : { valid: false, error: errorObject(err) }));
    }
    if (err instanceof UsageError && err.code === 'ERR_USAGE') {
      process.stderr.write(`jwks-verify: ${err.message}\n\n${USAGE}\n`);
    } else if (usage) {
      process.stderr.write(`jwks-verify: ${describeError(err)}\n`);
    } else if (!json) {
      print(`invalid: ${describeError(err)}`);
    }
    return usage ? EXIT_USAGE : EXIT_INVALID;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`jwks-verify: unexpected error: ${err?.stack ?? err}\n`);
    process.exitCode = EXIT_USAGE;
  },
);
