// Browser consumer, bundled by esbuild from the installed package (the `browser` condition:
// web.mjs, which fetches the .wasm from next to the bundle).
import * as jv from 'jwks-verify';
import { runSuite } from './suite.mjs';

const fixtures = await (await fetch('./fixtures.json')).json();
globalThis.__report = await runSuite(jv, fixtures, { syncBeforeReady: false })
  .catch((err) => ({ fatal: String(err?.stack ?? err) }));
