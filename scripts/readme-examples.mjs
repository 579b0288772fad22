// The README's code blocks are files under examples/readme/ that the package tests run. Each
// fenced block in README.md and pkg/README.md sits right under a marker
//   <!-- example: examples/readme/<file> -->
// and must equal that file. `node scripts/readme-examples.mjs --write` copies the files into
// the documents; without --write it only reports blocks that differ (exit 1).

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DOCUMENTS = ['README.md', 'pkg/README.md'];
export const EXAMPLES_DIR = 'examples/readme';
const MARKER = /^<!-- example: (\S+) -->$/;
// A block that cannot run on its own (it needs the reader's Redis client, KV binding, …) says
// so and why; tests/js/readme.test.mjs caps how many there are.
const FRAGMENT = /^<!-- fragment: (.+) -->$/;
const FENCE = /^(`{3,})(\S*)\s*$/;

/** The fenced blocks of a Markdown text: { line, lang, body, example? } (example = marker path). */
export function codeBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const close = lines.findIndex((line, j) => j > i && line.startsWith(open[1]) && line.trim() === open[1]);
    if (close < 0) throw new Error(`unclosed code block at line ${i + 1}`);
    const marker = i > 0 ? MARKER.exec(lines[i - 1]) : null;
    const fragment = i > 0 ? FRAGMENT.exec(lines[i - 1]) : null;
    blocks.push({ line: i + 1, lang: open[2], body: lines.slice(i + 1, close).join('\n'), example: marker?.[1], fragment: fragment?.[1], start: i, end: close });
    i = close;
  }
  return blocks;
}

const read = (path) => readFileSync(new URL(path, `file://${ROOT}`), 'utf8');
export const exampleText = (path) => read(path).replace(/\n$/, '');
export const exampleFiles = () => readdirSync(new URL(EXAMPLES_DIR, `file://${ROOT}`)).sort().map((f) => `${EXAMPLES_DIR}/${f}`);

/** Problems in one document: blocks without a marker, and blocks that differ from their file. */
export function problems(document) {
  const found = [];
  for (const block of codeBlocks(read(document))) {
    if (block.fragment) continue;
    if (!block.example) found.push(`${document}:${block.line}: a \`\`\`${block.lang} block without an example marker`);
    else if (block.body !== exampleText(block.example)) found.push(`${document}:${block.line}: differs from ${block.example}`);
  }
  return found;
}

function write(document) {
  const lines = read(document).split('\n');
  for (const block of codeBlocks(lines.join('\n')).reverse()) {
    if (block.example) lines.splice(block.start + 1, block.end - block.start - 1, ...exampleText(block.example).split('\n'));
  }
  writeFileSync(new URL(document, `file://${ROOT}`), lines.join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) DOCUMENTS.forEach(write);
  const all = DOCUMENTS.flatMap(problems);
  for (const line of all) console.error(line);
  process.exitCode = all.length ? 1 : 0;
}
