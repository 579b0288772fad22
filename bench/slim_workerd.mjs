// Cold start in workerd (issue 13): a worker bundled by esbuild with the workerd condition
// (the protocol .wasm as a compiled module, as wrangler does) verifies one ES256 and one
// RS256 token on its first request. The figure is the time from spawning `workerd serve` to
// the first verified response (workerd's own start-up included, the same for both), median
// of ROUNDS interleaved runs, for jwks-verify (`jwks-verify/slim`: the protocol module), for
// `jwks-verify/verify-only` (the verify-only module) and for jose, and the verify-only worker
// one step at a time (STEPS). Writes the "cold-start-workerd" section of bench/results.md.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { writeSection } from './results.mjs';
import { twoAlgorithmFixtures } from './fixtures.mjs';
import { startWorkerd, workerConfig } from '../tests/js/support/servers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench/tmp/slim-workerd');
const WORKERD = join(ROOT, 'node_modules/.bin/workerd');
const ROUNDS = Number(process.env.SLIM_ROUNDS ?? 7);

// Our worker, importing `parseJwks` and `verifyJwt` from the package entry `entry`.
const ourWorker = (entry) => `import { parseJwks, verifyJwt } from ${JSON.stringify(join(ROOT, entry))};
import fixtures from './fixtures.json';
export default { async fetch() {
  const keys = parseJwks(fixtures.jwks);
  const subs = [];
  for (const token of fixtures.tokens) subs.push((await verifyJwt(token, keys)).payload.sub);
  return new Response(subs.join(','));
} };`;

const WORKERS = {
  'jwks-verify': ourWorker('pkg/slim-workerd.mjs'),
  'jwks-verify/verify-only': ourWorker('pkg/verify-only-workerd.mjs'),
  jose: `import { createLocalJWKSet, jwtVerify } from 'jose';
import fixtures from './fixtures.json';
export default { async fetch() {
  const keys = createLocalJWKSet(fixtures.jwks);
  const subs = [];
  for (const token of fixtures.tokens) subs.push((await jwtVerify(token, keys)).payload.sub);
  return new Response(subs.join(','));
} };`,
};

// The verify-only worker one step at a time (each answers 'alice,alice' after its step), to
// show where its time goes: an empty worker, the .wasm imported alone (workerd compiles it at
// start-up), the package entry imported, a first parseJwks, a first verification.
const VERIFY_ONLY = JSON.stringify(join(ROOT, 'pkg/verify-only-workerd.mjs'));
const STEPS = {
  'an empty worker': `import fixtures from './fixtures.json';
export default { async fetch() { return new Response(fixtures.tokens.length ? 'alice,alice' : ''); } };`,
  '+ the .wasm imported': `import module from ${JSON.stringify(join(ROOT, 'pkg/gen/jwks_verify_verify_only_bg.wasm'))};
export default { async fetch() { return new Response(module ? 'alice,alice' : ''); } };`,
  '+ the entry (glue) imported': `import { parseJwks } from ${VERIFY_ONLY};
export default { async fetch() { return new Response(typeof parseJwks === 'function' ? 'alice,alice' : ''); } };`,
  '+ a first parseJwks': `import { parseJwks } from ${VERIFY_ONLY};
import fixtures from './fixtures.json';
export default { async fetch() { return new Response(parseJwks(fixtures.jwks) ? 'alice,alice' : ''); } };`,
  '+ a first verification': `import { parseJwks, verifyJwt } from ${VERIFY_ONLY};
import fixtures from './fixtures.json';
export default { async fetch() {
  const { payload } = await verifyJwt(fixtures.tokens[0], parseJwks(fixtures.jwks));
  return new Response(payload.sub === 'alice' ? 'alice,alice' : '');
} };`,
};

async function bundle(name, source, fixtureText) {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'worker.src.mjs'), source);
  writeFileSync(join(dir, 'fixtures.json'), fixtureText);
  const wasm = new Set();
  await build({
    entryPoints: [join(dir, 'worker.src.mjs')], bundle: true, format: 'esm', platform: 'neutral', minify: true,
    conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], target: 'es2022',
    outfile: join(dir, 'worker.js'), nodePaths: [join(ROOT, 'node_modules')], logLevel: 'error',
    plugins: [{
      name: 'wasm-modules',
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, (args) => {
          wasm.add(isAbsolute(args.path) ? args.path : join(args.resolveDir, args.path));
          return { path: `./${basename(args.path)}`, external: true };
        });
      },
    }],
  });
  for (const path of wasm) writeFileSync(join(dir, basename(path)), readFileSync(path));
  return { dir, files: ['worker.js', ...[...wasm].map((p) => basename(p))] };
}

// Spawn to the first verified response, in ms.
async function firstResponse(dir, files) {
  const worker = await startWorkerd((address) => workerConfig(address, { modules: files }), { file: join(dir, 'config.capnp'), workerd: WORKERD, pollMs: 2 });
  try {
    const response = await fetch(`${worker.url}/`);
    const text = await response.text();
    if (text !== 'alice,alice') throw new Error(`${dir}: ${response.status} ${text.slice(0, 200)}\n${worker.log()}`);
    return performance.now() - worker.spawnedAt;
  } finally {
    await worker.stop();
  }
}

const started = Date.now();
const fixtureText = JSON.stringify(await twoAlgorithmFixtures());
const built = {};
for (const [name, source] of Object.entries(WORKERS)) built[name] = await bundle(name, source, fixtureText);
for (const [name, source] of Object.entries(STEPS)) built[name] = await bundle(`steps/${Object.keys(STEPS).indexOf(name)}`, source, fixtureText);
const times = Object.fromEntries(Object.keys(built).map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(built)) times[name].push(await firstResponse(built[name].dir, built[name].files));
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const lines = [
  '## Cold start in workerd',
  '',
  `Measured ${new Date().toISOString()} by bench/slim_workerd.mjs (${Math.round((Date.now() - started) / 1000)} s): \`workerd serve\` of an esbuild bundle (workerd condition, minified, .wasm as a module) is spawned and asked once to verify one ES256 and one RS256 token; the time is from the spawn to the verified response (workerd's start-up included), median of ${ROUNDS} interleaved runs.`,
  '',
  '| library | spawn to first verified response | uploaded files (raw / gzip -9) |',
  '|---|---:|---|',
];
for (const name of Object.keys(WORKERS)) {
  const files = built[name].files.map((f) => {
    const body = readFileSync(join(built[name].dir, f));
    return `${f}: ${body.length.toLocaleString('en')} / ${gzipSync(body, { level: 9 }).length.toLocaleString('en')}`;
  });
  lines.push(`| ${name} | ${median(times[name]).toFixed(1)} ms | ${files.join('; ')} |`);
}
lines.push('', 'The verify-only worker step by step (same runs; each worker adds one step to the one above and answers after it; the full one is the `jwks-verify/verify-only` row):', '',
  '| worker | spawn to first response |', '|---|---:|');
for (const name of Object.keys(STEPS)) lines.push(`| ${name} | ${median(times[name]).toFixed(1)} ms |`);
const section = `${lines.join('\n')}\n`;
console.log(section);
writeSection('cold-start-workerd', section);
