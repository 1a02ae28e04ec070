// The layout in docs/architecture.md names every part of the tree, and only parts that exist.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from './nginx.js';

const readme = readFileSync(join(REPO, 'docs/architecture.md'), 'utf8');
const block = /## Layout\n[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
/** The paths at the start of each line ("a/, b/, c/" lines name several). */
const listed = block
  .split('\n')
  .filter(Boolean)
  .flatMap((line) => (/^((?:[\w.-]+\/?[\w.-]*\/?,?\s)+)\s/.exec(line + ' ')?.[1] ?? '').split(/,?\s+/).filter(Boolean));

it('lists only paths that exist', () => {
  expect(listed.length).toBeGreaterThan(10);
  for (const path of listed) expect(existsSync(join(REPO, path)), path).toBe(true);
});

it('lists every top-level folder and every folder of src/', () => {
  const ignored = new Set(['node_modules', 'dist', 'release', 'test-results', 'playwright-report']);
  const folders = (dir: string) =>
    readdirSync(join(REPO, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !ignored.has(e.name))
      .map((e) => `${dir ? `${dir}/` : ''}${e.name}/`);
  for (const folder of [...folders(''), ...folders('src')]) {
    expect(
      listed.some((path) => path.startsWith(folder)),
      folder,
    ).toBe(true);
  }
});
