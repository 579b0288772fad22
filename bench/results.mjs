// bench/results.md is shared by the bench scripts: each one owns the sections it writes, kept
// between `<!-- section: NAME -->` and `<!-- /section: NAME -->` lines. writeSection replaces
// one section (or appends it when new) and leaves every other line of the file as it was;
// a file whose markers are broken is refused, never rewritten.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RESULTS = new URL('./results.md', import.meta.url);
const TITLE = '# Benchmark results\n';
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const MARKER = /^<!-- \/?section: .* -->$/m;

const begin = (name) => `<!-- section: ${name} -->`;
const end = (name) => `<!-- /section: ${name} -->`;

// The line index of every line of `lines` equal to `marker`.
const linesEqual = (lines, marker) => lines.flatMap((line, i) => (line === marker ? [i] : []));

/** `text` with section `name` holding `markdown` (appended at the end when `text` has none). */
export function replaceSection(text, name, markdown) {
  if (typeof name !== 'string' || !NAME.test(name)) throw new TypeError(`bench results: a section name is lower-case letters, digits and '-', got ${JSON.stringify(name)}`);
  if (typeof markdown !== 'string') throw new TypeError(`bench results: section ${name} must be markdown text`);
  if (MARKER.test(markdown)) throw new Error(`bench results: section ${name} must not hold section markers`);
  const body = [begin(name), markdown.trim(), end(name)];
  const lines = text.split('\n');
  const starts = linesEqual(lines, begin(name));
  const ends = linesEqual(lines, end(name));
  if (starts.length === 0 && ends.length === 0) {
    const kept = text.trimEnd();
    return `${kept === '' ? TITLE.trimEnd() : kept}\n\n${body.join('\n')}\n`;
  }
  if (starts.length !== 1 || ends.length !== 1 || ends[0] < starts[0]) {
    throw new Error(`bench results: the markers of section ${name} are broken (${starts.length} start, ${ends.length} end); fix the file by hand`);
  }
  return [...lines.slice(0, starts[0]), ...body, ...lines.slice(ends[0] + 1)].join('\n');
}

/** Writes section `name` of bench/results.md (or of `file`), keeping the other sections. */
export function writeSection(name, markdown, file = RESULTS) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : TITLE;
  const path = file instanceof URL ? fileURLToPath(file) : file;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, replaceSection(text, name, markdown));
  renameSync(temporary, path);
}
