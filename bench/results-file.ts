/**
 * bench/results.md holds the reports of several benchmarks (`npm run bench`,
 * `npm run bench:load`). Each writes its own part, between HTML comments
 * that name it, and leaves the others as they are: a part is replaced in
 * place, or added at the end the first time.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from '../test-support/nginx.js';

export const RESULTS_FILE = join(REPO, 'bench/results.md');

const TITLE = '# backsoon benchmark results\n';

/** `text` with the part `name` set to `body` (pure: the file's I/O is in writeResultsPart). */
export function withPart(text: string, name: string, body: string): string {
  const begin = `<!-- part: ${name} -->`;
  const end = `<!-- end of part: ${name} -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) return text.slice(0, from) + block + text.slice(to + end.length);
  const base = text.trim() === '' ? TITLE : text.trimEnd() + '\n';
  return `${base}\n${block}\n`;
}

export async function writeResultsPart(name: string, body: string): Promise<void> {
  const text = await readFile(RESULTS_FILE, 'utf8').catch(() => '');
  await writeFile(RESULTS_FILE, withPart(text, name, body));
}
