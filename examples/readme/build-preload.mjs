// node build-preload.mjs: bundles app.mjs into out/ and writes out/index.html, which preloads
// the .wasm module the page fetches, under the name esbuild gave it (with its content hash).
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

const { metafile } = await build({
  entryPoints: ['app.mjs'], bundle: true, format: 'esm', outdir: 'out', loader: { '.wasm': 'file' }, metafile: true,
});
// Preload only what the page fetches at once: with `jwks-verify/esbuild` and `await ready()`,
// that is jwks_verify_bg and jwks_verify_signature_bg instead.
const modules = Object.keys(metafile.outputs).filter((file) => /\/jwks_verify_verify_only_bg-\w+\.wasm$/.test(file));
const links = modules.map((file) => `<link rel="preload" href="./${basename(file)}" as="fetch" type="application/wasm" crossorigin>`);
await writeFile('out/index.html', `<!doctype html>
<meta charset="utf-8">
${links.join('\n')}
<script type="module" src="./app.js"></script>
`);
