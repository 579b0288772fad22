// Node CommonJS consumer of the installed package: `require` must resolve to node.cjs and
// work synchronously.
'use strict';

const jv = require('jwks-verify');
const { readFileSync } = require('node:fs');

const fixtures = JSON.parse(readFileSync(process.argv[2], 'utf8'));
import('./suite.mjs')
  .then(({ runSuite }) => runSuite(jv, fixtures, { syncBeforeReady: true }))
  .then((report) => {
    report.entry = require.resolve('jwks-verify');
    console.log(JSON.stringify(report));
  });
