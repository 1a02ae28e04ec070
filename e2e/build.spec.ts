import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../test-support/nginx.js';
import { expect, test } from './fixtures.js';

// The build itself, run as a user runs it: with a config, into a folder of
// its own, judged by what it prints and what it writes.

// `$$`, `$&` and `$'` mean something to String.replace: the title must come out as written.
const TITLE = "Back soon, $$ guaranteed ($& and $' too)";

let work: string;
let outDir: string;
let output: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  work = await mkdtemp(join(tmpdir(), 'backsoon-build-'));
  outDir = join(work, 'dist');
  await writeFile(
    join(work, 'config.json'),
    JSON.stringify({ languages: ['en', 'de'], strings: { en: { crashTitle: TITLE } } }),
  );
  const built = spawnSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir'], {
    cwd: REPO,
    env: { ...process.env, BACKSOON_CONFIG: join(work, 'config.json') },
    encoding: 'utf8',
  });
  // Without the colours Vite adds when it is told the terminal has them.
  // eslint-disable-next-line no-control-regex -- ESC starts the colour codes
  output = `${built.stdout}\n${built.stderr}`.replace(/\x1b\[[\d;]*m/g, '');
  if (built.status !== 0) throw new Error(`the build failed:\n${output}`);
});

test.afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

test('a config string with `$` reaches the pages as written', async () => {
  const escaped = TITLE.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const crash = await readFile(join(outDir, 'index.html'), 'utf8');
  // The page is 38 KB: say what is missing rather than print it.
  const has = (html: string, text: string): string => (html.includes(text) ? 'present' : `missing: ${text}`);
  expect(has(crash, `<title>${escaped}</title>`)).toBe('present');
  expect(has(crash, `<h1>${escaped}</h1>`)).toBe('present');
  // The strings the script renders, as a JSON string in the inlined bundle.
  expect(has(crash, JSON.stringify(TITLE).slice(1, -1))).toBe('present');
  const maintenance = await readFile(join(outDir, 'maintenance.html'), 'utf8');
  expect(has(maintenance, '<h1>Down for planned maintenance</h1>')).toBe('present');
});

test('the build lists every file it made, the worker’s included, and raises no false alarm', async () => {
  // Once, eight "asset not inlined" notes for files never meant to be
  // inlined, and sw.js and register.js left out of the list.
  expect(output).not.toContain('asset not inlined');
  const files = (await readdir(outDir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(outDir.length + 1))
    // Copied from public/ as it is; Vite lists none of those.
    .filter((name) => name !== 'brand.css');
  expect(files).toEqual(
    expect.arrayContaining([
      'index.html',
      'maintenance.html',
      'locales/de.json',
      'sw.js',
      'sw-import.js',
      'sw-kill.js',
      'register.js',
      'register.mjs',
    ]),
  );
  const listed = new Set([...output.matchAll(/\/dist\/(\S+)\s+[\d.]+ kB/g)].map(([, name]) => name));
  expect(
    files.filter((name) => !listed.has(name)),
    output,
  ).toEqual([]);
});
