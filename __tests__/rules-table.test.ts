// Every test that fake-org/RULES.md cites exists: its last column names test files and, in quotes, the start of a
// test's title ("…" where the citation stops short or leaves a part out). A renamed or removed test would leave a rule
// that says it is covered when nothing checks it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const TEST_DIRS = ['__tests__', '__tests__/e2e', '__tests__/workflows'];

interface Citation {
  row: number;
  file: string;
  names: string[];
}

/**
 * The citations of one cell: each test file with the quoted names that follow it in its part of the cell (parts
 * are separated by ";"). A part citing `conformance` names steps of script/conformance.ts instead.
 */
export function citationsOf(cell: string, row: number): Citation[] {
  const out: Citation[] = [];
  for (const part of cell.split(';')) {
    const starts = [...part.matchAll(/(?:[\w-]+\/)*[\w.-]+\.test\.ts|^\s*conformance\b/g)];
    const orphans = [...part.slice(0, starts[0]?.index ?? part.length).matchAll(/"([^"]+)"/g)].map((q) => q[1]!);
    if (orphans.length) out.push({ row, file: '', names: orphans });
    starts.forEach((m, i) => {
      const end = i + 1 < starts.length ? starts[i + 1]!.index : part.length;
      const tail = part.slice(m.index + m[0].length, end);
      const names = [...tail.matchAll(/"([^"]+)"/g)].map((q) => q[1]!);
      out.push({ row, file: m[0].trim(), names });
    });
  }
  return out;
}

/** The rows of RULES.md's rule tables with their last column (the header and separator rows left out). */
function ruleRows(md: string): { row: number; cell: string }[] {
  const rows: { row: number; cell: string }[] = [];
  md.split('\n').forEach((line, i) => {
    if (!line.startsWith('|')) return;
    const cells = line.split('|').slice(1, -1);
    const cell = cells.at(-1)?.trim() ?? '';
    if (cell === 'test' || /^-+$/.test(cell)) return;
    rows.push({ row: i + 1, cell });
  });
  return rows;
}

function resolveTestFile(file: string): string | undefined {
  for (const dir of TEST_DIRS) {
    const path = join(ROOT, dir, file);
    if (existsSync(path)) return path;
  }
  return undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where a template literal title has a ${…} part: stands for any text a cited name may leave out with "…". */
const HOLE = '\u0000';

/** The titles of a file's test/it/describe calls; a template literal's ${…} parts become HOLE. */
export function titlesOf(source: string): string[] {
  const call =
    /\b(?:test|it|describe)(?:\.(?:only|skip|todo))?\(\s*(?:(['"])((?:\\.|(?!\1)[^\\\n])*)\1|`((?:\\.|[^`\\])*)`)/g;
  return [...source.matchAll(call)].map((m) =>
    (m[2] ?? m[3]!.replace(/\$\{(?:[^{}]|\{[^{}]*\})*\}/g, HOLE)).replace(/\\(.)/g, '$1'),
  );
}

/**
 * Whether a cited name names one of the titles: RULES.md names a test by the start of its title, "…" where the
 * citation stops short or leaves a part out (a title's ${…} part among it). A test made per case of a table
 * (`${project.dir} (API …)`) is named by its case: a string literal of the file.
 */
export function cites(name: string, titles: string[], source: string): boolean {
  const parts = name.replace(/…$/, '').split('…').map(escapeRegExp);
  const re = new RegExp(`^${parts.join('.*?')}`, 's');
  if (titles.some((t) => re.test(t))) return true;
  return titles.some((t) => t.includes(HOLE)) && [`'${name}'`, `"${name}"`].some((lit) => source.includes(lit));
}

test('RULES.md: every test it cites exists', () => {
  const md = readFileSync(join(ROOT, 'fake-org/RULES.md'), 'utf8');
  const rows = ruleRows(md);
  assert.ok(rows.length > 50, `read ${rows.length} rule rows`);
  const problems: string[] = [];
  let checked = 0;
  for (const { row, cell } of rows) {
    for (const c of citationsOf(cell, row)) {
      if (c.file === '') {
        problems.push(`RULES.md:${row}: ${c.names.map((n) => `"${n}"`).join(', ')} cited without a test file`);
        continue;
      }
      if (c.file === 'conformance') {
        const steps = readFileSync(join(ROOT, 'script/conformance.ts'), 'utf8');
        for (const name of c.names) {
          checked++;
          if (!steps.includes(`'${name}'`))
            problems.push(`RULES.md:${row}: script/conformance.ts has no step "${name}"`);
        }
        continue;
      }
      const path = resolveTestFile(c.file);
      if (!path) {
        problems.push(`RULES.md:${row}: ${c.file} is not in ${TEST_DIRS.join(', ')}`);
        continue;
      }
      const source = readFileSync(path, 'utf8');
      const titles = titlesOf(source);
      for (const name of c.names) {
        checked++;
        if (!cites(name, titles, source)) problems.push(`RULES.md:${row}: ${c.file} has no test "${name}"`);
      }
    }
  }
  assert.ok(checked > 100, `checked ${checked} cited names`);
  assert.deepEqual(problems, [], `checked ${checked}`);
});
