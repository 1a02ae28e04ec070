import { renameSync, rmSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import {
  chmod,
  lchown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { includePath, installPage, installSnippets } from './install.js';

let work: string;
let dist: string;
let root: string;

/** A build with recognisable contents: every file says which build it belongs to. */
async function makeBuild(dir: string, tag: string, size = 64): Promise<void> {
  await mkdir(join(dir, 'locales'), { recursive: true });
  for (const name of [
    'index.html',
    'maintenance.html',
    'outage.json',
    'outage.txt',
    'brand.css',
    'sw.js',
    'locales/de.json',
  ]) {
    await writeFile(join(dir, name), `${tag}:${name}:`.padEnd(size, '.'));
  }
  await writeFile(join(dir, 'sw-kill.js'), 'kill switch');
}

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'backsoon-install-'));
  dist = join(work, 'dist');
  root = join(work, 'www');
  await makeBuild(dist, 'v1');
  await mkdir(root);
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const page = (name: string): Promise<string> => readFile(join(root, '__backsoon', name), 'utf8');

describe('installPage', () => {
  it('copies the build to <root>/__backsoon/, readable by the web server, leaving nothing else behind', async () => {
    const result = await installPage(dist, root);
    expect(result).toEqual({ folder: join(root, '__backsoon'), upgraded: false, kept: [], skipped: [] });
    expect(await page('index.html')).toMatch(/^v1:index\.html:/);
    expect(await page('locales/de.json')).toMatch(/^v1:locales/);
    expect((await stat(join(root, '__backsoon'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(root, '__backsoon/locales'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(root, '__backsoon/index.html'))).mode & 0o777).toBe(0o644);
    expect(await readdir(root)).toEqual(['__backsoon']);
  });

  it('makes every folder 0755 and every file 0644 whatever the umask: the web server reads them all', async () => {
    const old = process.umask(0o077);
    try {
      await installPage(dist, root);
    } finally {
      process.umask(old);
    }
    expect((await stat(join(root, '__backsoon'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(root, '__backsoon/locales'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(root, '__backsoon/locales/de.json'))).mode & 0o777).toBe(0o644);
    expect((await stat(join(root, '__backsoon/index.html'))).mode & 0o777).toBe(0o644);
  });

  it('upgrades in place, keeping maintenance, an edited brand.css, the operator’s own files and the kill switch', async () => {
    await installPage(dist, root);
    const folder = join(root, '__backsoon');
    await writeFile(join(folder, 'maintenance.on'), '');
    await writeFile(join(folder, 'maintenance.json'), '{"message":"db"}');
    await writeFile(join(folder, 'brand.css'), ':root { --backsoon-accent: red; }');
    await writeFile(join(folder, 'logo.svg'), '<svg/>');
    await writeFile(join(folder, 'sw.js'), 'kill switch');

    await makeBuild(dist, 'v2');
    const result = await installPage(dist, root);
    expect(result.upgraded).toBe(true);
    expect(result.kept).toEqual(['brand.css', 'logo.svg', 'sw.js']);
    expect(await page('index.html')).toMatch(/^v2:index\.html:/);
    expect(await page('locales/de.json')).toMatch(/^v2:/);
    expect(await page('maintenance.on')).toBe('');
    expect(await page('maintenance.json')).toBe('{"message":"db"}');
    expect(await page('brand.css')).toContain('red');
    expect(await page('logo.svg')).toBe('<svg/>');
    expect(await page('sw.js')).toBe('kill switch');
    expect(await readdir(root)).toEqual(['__backsoon']);
  });

  it('replaces the worker with the new build’s unless the kill switch is in its place', async () => {
    await installPage(dist, root);
    await makeBuild(dist, 'v2');
    expect((await installPage(dist, root)).kept).toEqual(['brand.css']);
    expect(await page('sw.js')).toMatch(/^v2:/);
  });

  it('never lets a reader see a half-copied page while it upgrades', async () => {
    const size = 2 * 1024 * 1024;
    await makeBuild(dist, 'v1', size);
    await installPage(dist, root);
    const before = await page('index.html');
    await makeBuild(dist, 'v2', size);
    const after = await readFile(join(dist, 'index.html'), 'utf8');

    const seen = new Set<string>();
    let done = false;
    const reader = (async () => {
      while (!done) {
        try {
          const text = await page('index.html');
          seen.add(text === before ? 'old' : text === after ? 'new' : `partial ${text.length}`);
        } catch (error) {
          seen.add((error as NodeJS.ErrnoException).code ?? 'error');
        }
      }
    })();
    for (let i = 0; i < 3; i++) {
      await installPage(dist, root);
      await makeBuild(dist, i % 2 === 0 ? 'v1' : 'v2', size);
    }
    done = true;
    await reader;
    expect([...seen].filter((s) => s !== 'old' && s !== 'new' && s !== 'ENOENT')).toEqual([]);
    expect(seen.has('old') || seen.has('new')).toBe(true);
  });

  it('follows a __backsoon that root made a symlink (the by-hand install), keeping its maintenance, and leaves its folder alone', async () => {
    const release = join(work, 'releases/first');
    await mkdir(join(work, 'releases'));
    await installPage(dist, root);
    await rename(join(root, '__backsoon'), release);
    await symlink(release, join(root, '__backsoon'));
    await writeFile(join(release, 'maintenance.on'), '');
    await writeFile(join(release, 'logo.svg'), '<svg/>');
    await symlink('/etc/hostname', join(release, 'hostname.txt'));

    await makeBuild(dist, 'v2');
    const result = await installPage(dist, root);
    expect(result).toMatchObject({ upgraded: true, kept: ['brand.css', 'logo.svg'], skipped: ['hostname.txt'] });
    expect((await lstat(join(root, '__backsoon'))).isDirectory()).toBe(true);
    expect(await page('index.html')).toMatch(/^v2:/);
    expect(await page('maintenance.on')).toBe('');
    // The link went, never what it pointed to.
    expect((await readdir(release)).sort()).toContain('index.html');
    expect(await readdir(root)).toEqual(['__backsoon']);
  });

  it('refuses a root that does not exist, and a folder that is not a build, changing nothing', async () => {
    await expect(installPage(dist, join(work, 'nope'))).rejects.toThrow(/--root .*nope: no such folder/);
    await rm(join(dist, 'outage.txt'));
    await expect(installPage(dist, root)).rejects.toThrow(/is not a backsoon build \(no outage\.txt\)/);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses to replace a file that is in the way', async () => {
    await writeFile(join(root, '__backsoon'), 'not a folder');
    await expect(installPage(dist, root)).rejects.toThrow(/exists and is not a folder/);
    expect(await readFile(join(root, '__backsoon'), 'utf8')).toBe('not a folder');
    expect(await readdir(root)).toEqual(['__backsoon']);
  });
});

// The web root often belongs to the web server's user, and `backsoon
// install` runs as root: whoever can write the root must not be able to
// make root publish, change or fill a file or folder of anyone else.
describe('installPage, with someone else writing into the web root', () => {
  /** A folder only root may enter, with a secret in it, as /root/.ssh is. */
  async function privateFolder(): Promise<string> {
    const folder = join(work, 'private');
    await mkdir(folder);
    await writeFile(join(folder, 'id_ed25519'), 'the secret');
    await chmod(join(folder, 'id_ed25519'), 0o600);
    await chmod(folder, 0o700);
    return folder;
  }
  /** nobody's, as a link of the web server's user would be. */
  const NOBODY = 65534;

  it('does not follow a __backsoon that someone else made a symlink: refuses, publishing and changing nothing', async () => {
    const secret = await privateFolder();
    await symlink(secret, join(root, '__backsoon'));
    await lchown(join(root, '__backsoon'), NOBODY, NOBODY);
    await expect(installPage(dist, root)).rejects.toThrow(
      `${join(root, '__backsoon')} is a symlink made by user ${NOBODY}, not by root: not followed`,
    );
    expect(await readdir(root)).toEqual(['__backsoon']);
    expect((await lstat(join(root, '__backsoon'))).isSymbolicLink()).toBe(true);
    expect(await readdir(secret)).toEqual(['id_ed25519']);
    expect((await stat(secret)).mode & 0o777).toBe(0o700);
  });

  it('never chmods nor fills a folder that the staging folder was swapped for while it was made', async () => {
    const secret = await privateFolder();
    const swapped = new Set<string>();
    let planted = 0;
    const watcher = watch(root, (_event, name) => {
      if (typeof name !== 'string' || !/^\.__backsoon\.new-/.test(name) || swapped.has(name)) return;
      swapped.add(name);
      try {
        renameSync(join(root, name), join(work, `stolen-${planted}`));
        symlinkSync(secret, join(root, name));
        planted++;
      } catch {
        // Already gone: too late.
      }
    });
    try {
      for (let i = 0; i < 5; i++) {
        await installPage(dist, root).catch(() => undefined);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      watcher.close();
    }
    expect(planted).toBeGreaterThan(0);
    expect((await stat(secret)).mode & 0o777).toBe(0o700);
    expect(await readdir(secret)).toEqual(['id_ed25519']);
  });

  it('never copies a file that someone else swaps for a symlink while it upgrades', async () => {
    const secret = await privateFolder();
    const leaked: number[] = [];
    const failures: string[] = [];
    let flips = 0;
    for (let round = 0; round < 20; round++) {
      // Their own folder in place of the installed one, with a file an upgrade keeps (a logo)…
      await rm(join(root, '__backsoon'), { recursive: true, force: true });
      const theirs = join(root, '__backsoon');
      await mkdir(theirs);
      await writeFile(join(theirs, 'logo.svg'), '<svg/>');
      // …that they keep swapping for a symlink to the secret and back, each with one rename.
      let flipping = true;
      const flip = (): void => {
        if (!flipping) return;
        try {
          if (flips % 2 === 0) symlinkSync(join(secret, 'id_ed25519'), join(work, 'next'));
          else writeFileSync(join(work, 'next'), '<svg/>');
          renameSync(join(work, 'next'), join(theirs, 'logo.svg'));
          flips++;
        } catch {
          // Their folder is gone (swapped away, removed): this round is over.
          rmSync(join(work, 'next'), { force: true });
          return;
        }
        setImmediate(flip);
      };
      setImmediate(flip);
      try {
        await installPage(dist, root).catch((error: Error) => failures.push(error.message));
      } finally {
        flipping = false;
      }
      // A copy is a file of its own; the symlink itself, left in their folder, is theirs.
      const copy = join(root, '__backsoon/logo.svg');
      if ((await lstat(copy).catch(() => undefined))?.isFile() && (await readFile(copy, 'utf8')) === 'the secret')
        leaked.push(round);
    }
    expect(flips).toBeGreaterThan(0);
    expect(leaked).toEqual([]);
  }, 60_000);
});

describe('installSnippets', () => {
  it('installs and replaces the snippet folder as a whole', async () => {
    const source = join(work, 'src-snippets');
    await mkdir(join(source, 'server'), { recursive: true });
    await writeFile(join(source, 'server/backsoon.conf'), 'one');
    const target = join(work, 'etc/nginx/snippets/backsoon');
    expect(await installSnippets(source, target)).toBe(false);
    await writeFile(join(source, 'server/backsoon.conf'), 'two');
    expect(await installSnippets(source, target)).toBe(true);
    expect(await readFile(join(target, 'server/backsoon.conf'), 'utf8')).toBe('two');
    expect(await readdir(join(work, 'etc/nginx/snippets'))).toEqual(['backsoon']);
  });
});

describe('includePath', () => {
  it('is relative to /etc/nginx when under it, absolute elsewhere', () => {
    expect(includePath('/etc/nginx/snippets/backsoon', 'server/backsoon.conf')).toBe(
      'snippets/backsoon/server/backsoon.conf',
    );
    expect(includePath('/opt/backsoon', 'server/backsoon.conf')).toBe('/opt/backsoon/server/backsoon.conf');
  });
});
