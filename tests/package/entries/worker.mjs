// workerd consumer, bundled by esbuild with the `workerd` condition (workerd.mjs, which
// imports the .wasm as a module). POST the fixtures; the answer is the report.
import * as jv from 'jwks-verify';
import { runSuite } from './suite.mjs';

export default {
  async fetch(request) {
    try {
      const fixtures = await request.json();
      return Response.json(await runSuite(jv, fixtures, { syncBeforeReady: true }));
    } catch (err) {
      return Response.json({ fatal: String(err?.stack ?? err) }, { status: 500 });
    }
  },
};
