// Every fenced code block of README.md and pkg/README.md is a file under examples/readme/
// (marked `<!-- example: path -->` above it) and equals that file, so that what the package
// tests run (tests/package/readme.mjs) is exactly what the README shows. Fix a failure with
// `node scripts/readme-examples.mjs --write` after editing the example file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DOCUMENTS, ROOT, codeBlocks, exampleFiles, problems } from '../../scripts/readme-examples.mjs';

test('every README code block is an example file, verbatim', () => {
  for (const document of DOCUMENTS) assert.deepEqual(problems(document), [], document);
});

test('every example file is shown in the README, and the README has its blocks', () => {
  const blocks = codeBlocks(readFileSync(`${ROOT}/README.md`, 'utf8'));
  assert.ok(blocks.length >= 15, `only ${blocks.length} code blocks found`);
  const shown = new Set(blocks.map((b) => b.example));
  assert.deepEqual(exampleFiles().filter((file) => !shown.has(file)), []);
});

// Blocks from the shared-store section that need the reader's Redis client or KV binding.
// Turn them into runnable examples rather than raising this number.
const MAX_FRAGMENTS = 4;

test(`at most ${MAX_FRAGMENTS} README blocks are marked as fragments, each with its reason`, () => {
  const fragments = DOCUMENTS.flatMap((d) => codeBlocks(readFileSync(`${ROOT}/${d}`, 'utf8'))).filter((b) => b.fragment !== undefined);
  assert.ok(fragments.length <= MAX_FRAGMENTS, `${fragments.length} fragments`);
  for (const block of fragments) assert.ok(block.fragment.length > 10, `line ${block.line}: say why it cannot run`);
});

test('the check notices a block that drifted or lost its marker', () => {
  const text = '<!-- example: examples/readme/quick-start.mjs -->\n```js\nconsole.log(1)\n```\n\n```sh\nls\n```\n';
  const [marked, unmarked] = codeBlocks(text);
  assert.equal(marked.example, 'examples/readme/quick-start.mjs');
  assert.equal(marked.body, 'console.log(1)');
  assert.equal(unmarked.example, undefined);
});
