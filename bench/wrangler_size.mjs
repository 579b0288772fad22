// What Cloudflare would be sent (issue 13): `wrangler deploy --dry-run` of a worker that
// verifies one ES256 and one RS256 token, for the default workerd entry (protocol + signature
// modules), `jwks-verify/slim` (protocol module only: WebCrypto does the signatures),
// `jwks-verify/verify-only` (the verify-only module) and jose.
// Prints wrangler's own "Total Upload … / gzip: …" line for each, and the files of its
// --outdir (raw / gzip -9), and writes the "wrangler-size" section of bench/results.md.
//
// Not part of `make test`: no network and no login (a dry run uploads nothing), but it
// bundles three workers (~10 s). WRANGLER=<path> runs another wrangler binary.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { writeSection } from './results.mjs';
import { twoAlgorithmFixtures } from './fixtures.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench/tmp/wrangler-size');
const WRANGLER = process.env.WRANGLER ?? join(ROOT, 'node_modules/.bin/wrangler');
const TOTAL = /Total Upload:\s*([\d.]+\s*[KMG]?i?B)\s*\/\s*gzip:\s*([\d.]+\s*[KMG]?i?B)/;

const ours = (entry) => `import { parseJwks, verifyJwt } from ${JSON.stringify(join(ROOT, 'pkg', entry))};
import fixtures from './fixtures.json';
export default { async fetch() {
  const keys = parseJwks(fixtures.jwks);
  const subs = [];
  for (const token of fixtures.tokens) subs.push((await verifyJwt(token, keys)).payload.sub);
  return new Response(subs.join(','));
} };`;

const WORKERS = {
  'jwks-verify (default workerd entry: protocol + signature modules)': ['default', ours('workerd.mjs')],
  'jwks-verify/slim (protocol module only)': ['slim', ours('slim-workerd.mjs')],
  'jwks-verify/verify-only (verify-only module)': ['verify-only', ours('verify-only-workerd.mjs')],
  jose: ['jose', `import { createLocalJWKSet, jwtVerify } from ${JSON.stringify(join(ROOT, 'node_modules/jose/dist/webapi/index.js'))};
import fixtures from './fixtures.json';
export default { async fetch() {
  const keys = createLocalJWKSet(fixtures.jwks);
  const subs = [];
  for (const token of fixtures.tokens) subs.push((await jwtVerify(token, keys)).payload.sub);
  return new Response(subs.join(','));
} };`],
};

function dryRun(dir) {
  const result = spawnSync(WRANGLER, ['deploy', '--dry-run', '--outdir', join(dir, 'dist')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    // No prompts, no telemetry, and wrangler's config and logs kept in the bench directory.
    env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', XDG_CONFIG_HOME: join(dir, 'config'), WRANGLER_LOG_PATH: join(dir, 'logs'), NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const total = output.match(TOTAL);
  if (result.status !== 0 || !total) throw new Error(`wrangler deploy --dry-run in ${dir} failed (status ${result.status}${result.error ? `, ${result.error.message}` : ''}):\n${output.slice(-3000)}`);
  const files = readdirSync(join(dir, 'dist'))
    .filter((f) => statSync(join(dir, "dist", f)).isFile() && !/\.(map|md)$/.test(f))
    .sort()
    .map((f) => {
      const body = readFileSync(join(dir, 'dist', f));
      return `${f}: ${body.length.toLocaleString('en')} / ${gzipSync(body, { level: 9 }).length.toLocaleString('en')}`;
    });
  return { upload: total[1], gzip: total[2], files };
}

const version = spawnSync(WRANGLER, ['--version'], { encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } }).stdout?.trim().split('\n').pop() ?? '?';
const fixtureText = JSON.stringify(await twoAlgorithmFixtures());
rmSync(OUT, { recursive: true, force: true });
const rows = [];
for (const [label, [name, source]] of Object.entries(WORKERS)) {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'worker.mjs'), source);
  writeFileSync(join(dir, 'fixtures.json'), fixtureText);
  writeFileSync(join(dir, 'wrangler.json'), JSON.stringify({ name: `size-${name}`, main: 'worker.mjs', compatibility_date: '2025-09-01', no_bundle: false }, null, 2));
  const measured = dryRun(dir);
  console.log(`${label}: Total Upload ${measured.upload} / gzip ${measured.gzip}`);
  rows.push(`| ${label} | ${measured.upload} | ${measured.gzip} | ${measured.files.join('; ')} |`);
}
const section = [
  '## Upload size in Cloudflare Workers',
  '',
  `Measured ${new Date().toISOString()} by bench/wrangler_size.mjs with wrangler ${version}: \`wrangler deploy --dry-run --outdir\` of a worker that verifies one ES256 and one RS256 token (the figures are wrangler's "Total Upload" line; the files are those of --outdir, raw / gzip -9 bytes).`,
  '',
  '| worker | Total Upload | gzip | files (raw / gzip -9) |',
  '|---|---:|---:|---|',
  ...rows,
  '',
].join('\n');
console.log(section);
writeSection('wrangler-size', section);
