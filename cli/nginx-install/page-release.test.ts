import {
  chmod,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exchange, installRelease, pageState, removePage } from './page-release.js';

let work: string;
let dist: string;
let root: string;

/** A build with the files the snippets need, `version` in each page. */
async function build(folder: string, version: string): Promise<string> {
  await mkdir(join(folder, 'locales'), { recursive: true });
  for (const file of ['index.html', 'maintenance.html', 'outage.json', 'outage.txt', 'locales/de.json'])
    await writeFile(join(folder, file), `${file} ${version}`);
  await writeFile(join(folder, 'brand.css'), '/* the build’s own: comments only */');
  await writeFile(join(folder, 'sw.js'), 'worker');
  await writeFile(join(folder, 'sw-kill.js'), 'kill switch');
  return folder;
}

const page = (file: string): Promise<string> => readFile(join(root, '__backsoon', file), 'utf8');

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'backsoon-release-'));
  dist = await build(join(work, 'dist'), 'v1');
  root = join(work, 'www');
  await mkdir(root);
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('installRelease', () => {
  it('never publishes a file of the system through a symlink or a hard link planted in the page’s folder', async () => {
    await (await installRelease(dist, root)).commit();
    // Whoever owns the web root (often the web server's user) plants links to a secret of root's.
    const secret = join(work, 'secret');
    await writeFile(secret, 'root only');
    await chmod(secret, 0o600);
    const folder = join(root, '__backsoon');
    await symlink(secret, join(folder, 'logo.svg'));
    await symlink(secret, join(folder, 'maintenance.json'));
    await link(secret, join(folder, 'font.woff2'));
    const next = await installRelease(await build(join(work, 'dist2'), 'v2'), root);
    await next.commit();
    for (const file of ['logo.svg', 'maintenance.json', 'font.woff2']) {
      const copy = await readFile(join(folder, file), 'utf8').catch(() => undefined);
      expect(copy, file).not.toBe('root only');
    }
    expect(next.notes.join('\n')).toMatch(/font\.woff2 not carried over/);
    expect((await stat(secret)).mode & 0o777).toBe(0o600);
  });

  it('refuses a releases folder that is a symlink: the web root’s owner could point it anywhere', async () => {
    const elsewhere = join(work, 'elsewhere');
    await mkdir(elsewhere);
    await chmod(elsewhere, 0o700);
    await symlink(elsewhere, join(root, '.__backsoon-releases'));
    await expect(installRelease(dist, root)).rejects.toThrow(/not a folder|symlink/);
    expect(await readdir(elsewhere)).toEqual([]);
    expect((await stat(elsewhere)).mode & 0o777).toBe(0o700);
  });

  it('makes __backsoon a relative link to a release, and says when the same build is already there', async () => {
    const first = await installRelease(dist, root);
    await first.commit();
    expect(first).toMatchObject({ changed: true, previous: { kind: 'absent' } });
    expect((await lstat(join(root, '__backsoon'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(root, '__backsoon'))).toMatch(/^\.__backsoon-releases\/\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(await page('index.html')).toBe('index.html v1');
    const again = await installRelease(dist, root);
    expect(again.changed).toBe(false);
  });

  it('an upgrade keeps what the operator added, maintenance and the kill switch, and removes the old release at commit', async () => {
    await (await installRelease(dist, root)).commit();
    await writeFile(join(root, '__backsoon/brand.css'), ':root { --backsoon-accent: #0a7d55; }');
    await writeFile(join(root, '__backsoon/logo.svg'), '<svg/>');
    await writeFile(join(root, '__backsoon/maintenance.on'), '');
    await writeFile(join(root, '__backsoon/maintenance.json'), '{"message":"Moving"}');
    await writeFile(join(root, '__backsoon/sw.js'), 'kill switch');
    const old = await readlink(join(root, '__backsoon'));
    await build(dist, 'v2');
    const upgrade = await installRelease(dist, root);
    expect(upgrade.kept).toEqual(['brand.css', 'logo.svg', 'sw.js']);
    expect(await page('index.html')).toBe('index.html v2');
    expect(await page('brand.css')).toContain('#0a7d55');
    expect(await page('maintenance.json')).toBe('{"message":"Moving"}');
    expect(await page('sw.js')).toBe('kill switch');
    expect(await readdir(join(root, '.__backsoon-releases'))).toContain(old.split('/')[1]);
    await upgrade.commit();
    expect(await readdir(join(root, '.__backsoon-releases'))).not.toContain(old.split('/')[1]);
    expect((await readdir(join(root, '.__backsoon-releases'))).filter((n) => !n.endsWith('.json'))).toHaveLength(1);
  });

  it('undo puts the previous link back, byte for byte, and removes the new release', async () => {
    await (await installRelease(dist, root)).commit();
    const old = await readlink(join(root, '__backsoon'));
    await build(dist, 'v2');
    const upgrade = await installRelease(dist, root);
    await upgrade.undo();
    expect(await readlink(join(root, '__backsoon'))).toBe(old);
    expect(await page('index.html')).toBe('index.html v1');
    expect(await readdir(join(root, '.__backsoon-releases'))).toEqual(
      [old.split('/')[1], `${old.split('/')[1]}.build.json`].sort(),
    );
  });

  it('a folder from an older install becomes a link in one step (renameat2), keeping its files; undo makes it a folder again', async () => {
    await mkdir(join(root, '__backsoon'));
    await writeFile(join(root, '__backsoon/index.html'), 'old page');
    await writeFile(join(root, '__backsoon/brand.css'), 'mine');
    const converted = await installRelease(dist, root);
    expect(converted.notes).toEqual([]);
    expect((await pageState(root)).kind).toBe('link');
    expect(await page('brand.css')).toBe('mine');
    await converted.undo();
    expect((await lstat(join(root, '__backsoon'))).isDirectory()).toBe(true);
    expect(await page('index.html')).toBe('old page');
  });

  it('exchange swaps two paths of any kind', async () => {
    await writeFile(join(work, 'a'), 'A');
    await mkdir(join(work, 'b'));
    expect(exchange(join(work, 'a'), join(work, 'b'))).toBe(true);
    expect((await lstat(join(work, 'a'))).isDirectory()).toBe(true);
    expect(await readFile(join(work, 'b'), 'utf8')).toBe('A');
  });

  it('a reader in a loop never finds the page missing, through 30 upgrades and the change from a folder', async () => {
    await mkdir(join(root, '__backsoon'));
    await writeFile(join(root, '__backsoon/index.html'), 'old page');
    const second = await build(join(work, 'dist2'), 'v2');
    let misses = 0;
    let reads = 0;
    let upgrading = true;
    const reader = (async () => {
      while (upgrading) {
        reads++;
        await stat(join(root, '__backsoon/index.html')).catch(() => misses++);
      }
    })();
    for (let i = 0; i < 30; i++) await (await installRelease(i % 2 === 0 ? dist : second, root)).commit();
    upgrading = false;
    await reader;
    expect(reads).toBeGreaterThan(100);
    expect(misses).toBe(0);
  });

  it('refuses what is not a build', async () => {
    await rm(join(dist, 'outage.txt'));
    await expect(installRelease(dist, root)).rejects.toThrow(/is not a backsoon build \(no outage\.txt\)/);
  });
});

describe('removePage', () => {
  it('removes the link and the releases, and keeps what is the operator’s in a plain folder', async () => {
    await (await installRelease(dist, root)).commit();
    await writeFile(join(root, '__backsoon/brand.css'), 'mine');
    await writeFile(join(root, '__backsoon/maintenance.on'), '');
    const { kept } = await removePage(root);
    expect(kept).toEqual(['brand.css (edited)', 'maintenance.on (maintenance is on)']);
    expect(await readdir(root)).toEqual(['__backsoon']);
    expect((await lstat(join(root, '__backsoon'))).isDirectory()).toBe(true);
    expect((await readdir(join(root, '__backsoon'))).sort()).toEqual(['brand.css', 'maintenance.on']);
  });

  it('leaves nothing when nothing is the operator’s', async () => {
    await (await installRelease(dist, root)).commit();
    await removePage(root);
    expect(await readdir(root)).toEqual([]);
  });
});
