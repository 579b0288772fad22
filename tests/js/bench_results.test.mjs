// bench/results.mjs, the one writer of bench/results.md: a section is replaced between its
// markers and every other line is kept; a new section is appended; broken markers are refused
// with the file untouched. No bench is run here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceSection, writeSection, RESULTS } from '../../bench/results.mjs';

const SAMPLE = [
  '# Benchmark results',
  '',
  '<!-- section: node -->',
  'Measured yesterday.',
  '',
  '| contender | RS256 |',
  '|---|---:|',
  '| jwks-verify | 1,000 |',
  '<!-- /section: node -->',
  '',
  'A note by hand, outside any section.',
  '',
  '<!-- section: memory -->',
  '## Memory',
  '',
  '```',
  '   20000     1.2 MB',
  '```',
  '<!-- /section: memory -->',
  '',
  '<!-- section: chromium -->',
  '## Chromium',
  '',
  '| jose | 8,446 |',
  '<!-- /section: chromium -->',
  '',
].join('\n');

// The text of section `name` in `text`, markers excluded.
function section(text, name) {
  const start = text.indexOf(`<!-- section: ${name} -->\n`);
  const end = text.indexOf(`\n<!-- /section: ${name} -->`);
  assert.ok(start >= 0 && end > start, `section ${name} in\n${text}`);
  return text.slice(start + `<!-- section: ${name} -->\n`.length, end);
}

// Every line outside section `name`.
const outside = (text, name) => text.replace(/<!-- section: (\S+) -->\n[\s\S]*?\n<!-- \/section: \1 -->/g, (all, n) => (n === name ? '' : all));

test('replacing a section keeps every other line, byte for byte', () => {
  for (const name of ['node', 'memory', 'chromium']) {
    const markdown = `## ${name}\n\nNew figures for ${name}: 42 tokens/s.`;
    const out = replaceSection(SAMPLE, name, markdown);
    assert.equal(section(out, name), markdown);
    assert.equal(outside(out, name), outside(SAMPLE, name));
    assert.equal(replaceSection(out, name, markdown), out, 'writing it again changes nothing');
  }
});

test('the markdown is trimmed; a new section is appended after the others', () => {
  const out = replaceSection(SAMPLE, 'replay-stores', '\n## Replay stores\n\n| ReplayCache | 9 |\n\n');
  assert.ok(out.startsWith(SAMPLE.trimEnd()), 'the file before it is kept');
  assert.ok(out.endsWith('\n\n<!-- section: replay-stores -->\n## Replay stores\n\n| ReplayCache | 9 |\n<!-- /section: replay-stores -->\n'));
  assert.equal(section(replaceSection('', 'node', 'x'), 'node'), 'x');
  assert.ok(replaceSection('', 'node', 'x').startsWith('# Benchmark results\n\n'));
});

test('broken markers, bad names and markers in the markdown are refused', () => {
  const broken = {
    'two starts': SAMPLE.replace('<!-- section: chromium -->', '<!-- section: node -->'),
    'no end': SAMPLE.replace('<!-- /section: node -->', ''),
    'no start': SAMPLE.replace('<!-- section: node -->', ''),
    'end before start': SAMPLE.replace('<!-- section: node -->', 'x').replace('A note by hand', '<!-- section: node -->'),
  };
  for (const [what, text] of Object.entries(broken)) {
    assert.throws(() => replaceSection(text, 'node', 'new'), /markers of section node are broken/, what);
  }
  for (const name of ['', 'Node', 'a b', 'x -->', '../x', 7, undefined]) {
    assert.throws(() => replaceSection(SAMPLE, name, 'new'), TypeError, String(name));
  }
  assert.throws(() => replaceSection(SAMPLE, 'node', 'a\n<!-- /section: memory -->\nb'), /must not hold section markers/);
  assert.throws(() => replaceSection(SAMPLE, 'node', undefined), TypeError);
});

test('writeSection rewrites the file in place, and leaves it untouched when refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  try {
    const file = join(dir, 'results.md');
    writeFileSync(file, SAMPLE);
    writeSection('memory', '## Memory\n\nless', file);
    const written = readFileSync(file, 'utf8');
    assert.equal(section(written, 'memory'), '## Memory\n\nless');
    assert.equal(outside(written, 'memory'), outside(SAMPLE, 'memory'));
    const broken = written.replace('<!-- /section: node -->', '');
    writeFileSync(file, broken);
    assert.throws(() => writeSection('node', 'new', file), /broken/);
    assert.equal(readFileSync(file, 'utf8'), broken);
    assert.deepEqual(readdirSync(dir), ['results.md'], 'no temporary file left');
    const fresh = join(dir, 'new.md');
    writeSection('node', 'first', fresh);
    assert.equal(readFileSync(fresh, 'utf8'), '# Benchmark results\n\n<!-- section: node -->\nfirst\n<!-- /section: node -->\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench/results.md is in the marker format, and every bench script writes it through bench/results.mjs', () => {
  const text = readFileSync(RESULTS, 'utf8');
  const names = [...text.matchAll(/^<!-- section: (\S+) -->$/gm)].map((m) => m[1]);
  for (const name of ['node', 'parse-jwks', 'memory', 'chromium', 'cold-start-chromium', 'wasm-size', 'cold-start-workerd']) {
    assert.ok(names.includes(name), `section ${name}`);
  }
  for (const name of names) {
    const out = replaceSection(text, name, 'replaced');
    assert.equal(outside(out, name), outside(text, name), `replacing ${name} keeps the rest`);
  }
  const bench = new URL('../../bench/', import.meta.url);
  for (const file of readdirSync(bench).filter((f) => f.endsWith('.mjs') && f !== 'results.mjs')) {
    const source = readFileSync(new URL(file, bench), 'utf8');
    assert.doesNotMatch(source, /results\.md['"`]/, `${file} names results.md itself`);
  }
  assert.ok(existsSync(RESULTS));
});
