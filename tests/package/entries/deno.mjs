// Deno consumer of the installed package (node_modules next to package.json): the `deno`
// condition must resolve to deno.mjs.
import * as jv from 'jwks-verify';
import { runSuite } from './suite.mjs';

const fixtures = JSON.parse(Deno.readTextFileSync(Deno.args[0]));
const report = await runSuite(jv, fixtures, { syncBeforeReady: true });
report.entry = import.meta.resolve('jwks-verify');
console.log(JSON.stringify(report));
