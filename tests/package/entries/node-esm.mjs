// Node ESM consumer of the installed package: `import` must resolve to node.bundle.mjs.
import * as jv from 'jwks-verify';
import { readFileSync } from 'node:fs';
import { runSuite } from './suite.mjs';

const fixtures = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const report = await runSuite(jv, fixtures, { syncBeforeReady: true });
report.entry = import.meta.resolve('jwks-verify');
console.log(JSON.stringify(report));
