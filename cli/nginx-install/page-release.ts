import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readdir, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { CREATE_NEW } from '../atomic-write.js';
import { CliError } from '../errors.js';
import { OpenFolder } from '../open-folder.js';
import { KIT_FOLDER, RELEASES_FOLDER } from '../../src/protocol.js';
import { sha256 } from './plan.js';

/**
 * The page under a site's root as a link, `<root>/__backsoon` →
 * `.__backsoon-releases/<release>`, swapped with one rename on every
 * install: a visitor gets the old page or the new one, whole, and never
 * nginx's own (a folder replaced with two renames is absent between them,
 * long enough for a visitor in a loop to get a stock 502 now and then).
 * Each release is a copy of the build with what the operator added to the
 * page's folder: brand.css, files of their own, maintenance's switch and
 * message, the worker's kill switch.
 */

/** Files a build must have: what the snippets answer with. */
export const BUILD_FILES = ['index.html', 'maintenance.html', 'outage.json', 'outage.txt'];

/** Files of the running site, never of a build: planned maintenance. */
export const RUNTIME_FILES = ['maintenance.on', 'maintenance.json'];

/** Files the operator edits in place (README: Branding): kept over the build's own. */
const OPERATOR_EDITS = ['brand.css'];

/** The build's files and their sha256, beside each release: what is the operator's and what is the build's. */
type Manifest = Record<string, string>;

export type PageKind = 'absent' | 'link' | 'folder';

export interface PageState {
  kind: PageKind;
  /** The folder the page is served from (a link's target), when there is one. */
  folder: string | undefined;
  /** A link's text, as written. */
  link: string | undefined;
}

async function lstatOrUndefined(path: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  return lstat(path).catch(() => undefined);
}

/** What `<root>/__backsoon` is now. */
export async function pageState(root: string): Promise<PageState> {
  const path = join(root, KIT_FOLDER);
  const info = await lstatOrUndefined(path);
  if (!info) return { kind: 'absent', folder: undefined, link: undefined };
  if (info.isSymbolicLink()) {
    const link = await readlink(path);
    const folder = resolve(root, link);
    const target = await stat(folder).catch(() => undefined);
    return { kind: 'link', folder: target?.isDirectory() ? folder : undefined, link };
  }
  if (info.isDirectory()) return { kind: 'folder', folder: path, link: undefined };
  throw new CliError(`${path} exists and is neither a folder nor a link: move it away first`);
}

/** Every file under a folder, relative to it. */
export async function listFiles(dir: string, base = dir): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path, base)));
    else if (entry.isFile()) files.push(relative(base, path));
  }
  return files.sort();
}

async function fileHash(path: string): Promise<string | undefined> {
  return readFile(path)
    .then((bytes) => sha256(bytes))
    .catch(() => undefined);
}

/** The build's files with their hashes. */
export async function buildManifest(dist: string): Promise<Manifest> {
  const manifest: Manifest = {};
  for (const file of await listFiles(dist)) manifest[file] = (await fileHash(join(dist, file)))!;
  return manifest;
}

function manifestPath(release: string): string {
  return `${release}.build.json`;
}

async function readManifest(release: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(manifestPath(release), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/**
 * Copies a file, readable by the web server's user, without following a
 * symlink at either end: the web root may belong to another user (often
 * the web server's), who could put a symlink in place of a file at any
 * moment. The source is read only if it is a regular file of one link
 * (OpenFolder.read: a symlink or a hard link could be any file of the
 * system, which would then be published); the copy is created new
 * (O_EXCL, O_NOFOLLOW) and its mode set on the open file, never by its
 * path. Says whether it copied.
 */
async function copyReadable(from: string, to: string): Promise<boolean> {
  const source = await OpenFolder.open(dirname(from), true).catch(() => undefined);
  if (!source) return false;
  let data: Buffer | undefined;
  try {
    data = await source.read(basename(from));
  } finally {
    await source.close();
  }
  if (data === undefined) return false;
  await mkdir(dirname(to), { recursive: true, mode: 0o755 });
  await rm(to, { force: true });
  const handle = await open(to, CREATE_NEW, 0o644);
  try {
    await handle.writeFile(data);
    await handle.chmod(0o644);
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * The releases' folder under the root, made or found as root's own, and
 * held open: the release is written through it (OpenFolder.at), never
 * through its path in the root again, so that whoever can write the root
 * cannot put a symlink in its place halfway.
 * @throws CliError when it is a symlink, not a folder, or someone else's
 */
async function openReleases(releases: string): Promise<OpenFolder> {
  await mkdir(releases, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const folder = await OpenFolder.open(releases);
  const info = await folder.handle.stat();
  if (info.uid !== (process.getuid?.() ?? info.uid)) {
    await folder.close();
    throw new CliError(`${releases} belongs to user ${info.uid}, not to the user installing: move it away first`);
  }
  await folder.handle.chmod(0o755);
  return folder;
}

/** Whether `folder` holds exactly the build `manifest` describes (the operator's own files aside). */
async function holdsBuild(folder: string, manifest: Manifest): Promise<boolean> {
  for (const [file, hash] of Object.entries(manifest)) {
    if (OPERATOR_EDITS.includes(file) || file === 'sw.js') continue;
    if ((await fileHash(join(folder, file))) !== hash) return false;
  }
  return true;
}

/** Linux's renameat2 syscall number per architecture (RENAME_EXCHANGE swaps two paths in one step). */
const RENAMEAT2: Partial<Record<string, number>> = {
  x64: 316,
  arm64: 276,
  riscv64: 276,
  loong64: 276,
  ia32: 353,
  arm: 382,
  ppc64: 357,
  s390x: 347,
};

/**
 * Swaps two paths in one step (Linux's renameat2 with RENAME_EXCHANGE,
 * through perl, which every Debian has): how a folder becomes a link with
 * no moment where neither is there. Says whether it could.
 */
export function exchange(a: string, b: string): boolean {
  const number = RENAMEAT2[process.arch];
  if (process.platform !== 'linux' || number === undefined) return false;
  const result = spawnSync(
    'perl',
    ['-e', `exit(syscall(${number}, -100, $ARGV[0], -100, $ARGV[1], 2) == 0 ? 0 : 1)`, a, b],
    { stdio: 'ignore' },
  );
  return result.status === 0;
}

export interface ReleaseResult {
  /** `<root>/__backsoon`. */
  folder: string;
  /** Whether anything changed (false: the same build was already there). */
  changed: boolean;
  previous: PageState;
  /** Files carried over from the previous page, relative to it (maintenance's aside). */
  kept: string[];
  /** Said about the swap, when it was not the plain one (a folder made a link). */
  notes: string[];
  /** Puts the previous page back, as it was. */
  undo: () => Promise<void>;
  /** Removes the previous release (and older ones the install made). */
  commit: () => Promise<void>;
}

function stamp(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

/** Points `<root>/__backsoon` at `target` (relative to root) with one rename. */
async function pointLink(root: string, target: string): Promise<void> {
  const temp = join(root, `.${KIT_FOLDER}.link-${randomBytes(4).toString('hex')}`);
  await symlink(target, temp);
  try {
    await rename(temp, join(root, KIT_FOLDER));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Installs a build as a new release under `<root>/.__backsoon-releases/`
 * and points `<root>/__backsoon` at it in one rename, carrying over what
 * the operator added to the page's folder. The previous release stays
 * until commit(), so that undo() can put it back.
 */
export async function installRelease(dist: string, root: string): Promise<ReleaseResult> {
  const rootInfo = await stat(root).catch(() => undefined);
  if (!rootInfo?.isDirectory()) throw new CliError(`${root}: no such folder (the server block's root)`);
  const missing: string[] = [];
  for (const file of BUILD_FILES) if (!(await fileHash(join(dist, file)))) missing.push(file);
  if (missing.length > 0)
    throw new CliError(
      `${dist} is not a backsoon build (no ${missing.join(', ')}): run npm run build, or backsoon build`,
    );

  const folder = join(root, KIT_FOLDER);
  const previous = await pageState(root);
  const manifest = await buildManifest(dist);
  const releases = join(root, RELEASES_FOLDER);
  const noop = async (): Promise<void> => {};
  if (previous.kind === 'link' && previous.folder && (await holdsBuild(previous.folder, manifest))) {
    return { folder, changed: false, previous, kept: [], notes: [], undo: noop, commit: noop };
  }

  const held = await openReleases(releases);
  const id = stamp();
  // The release through the held folder: its path in the root is never used to write.
  const release = held.at(id);
  await mkdir(release, { mode: 0o700 });
  const kept: string[] = [];
  const notes: string[] = [];
  try {
    for (const file of Object.keys(manifest)) await copyReadable(join(dist, file), join(release, file));
    const manifestFile = await open(manifestPath(release), CREATE_NEW, 0o644);
    try {
      await manifestFile.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
      await manifestFile.chmod(0o644);
    } finally {
      await manifestFile.close();
    }
    if (previous.folder) {
      const killSwitch = await fileHash(join(previous.folder, 'sw-kill.js'));
      for (const file of await listFiles(previous.folder)) {
        if (RUNTIME_FILES.includes(file)) continue;
        const isKillSwitch =
          file === 'sw.js' && killSwitch !== undefined && (await fileHash(join(previous.folder, file))) === killSwitch;
        if (!(file in manifest) || OPERATOR_EDITS.includes(file) || isKillSwitch) {
          if (await copyReadable(join(previous.folder, file), join(release, file))) kept.push(file);
          else notes.push(`${file} not carried over: a symlink or a hard link is not followed`);
        }
      }
    }
    // Filled while root's alone; the web server may read it now.
    const made = await held.folder(id);
    await made?.handle.chmod(0o755);
    await made?.close();
  } catch (error) {
    await rm(release, { recursive: true, force: true });
    await rm(manifestPath(release), { force: true });
    await held.close();
    throw error;
  }

  /** Maintenance switched on or off while the files were copied wins: copied last, and again after the swap. */
  const syncRuntime = async (): Promise<void> => {
    if (!previous.folder) return;
    for (const file of RUNTIME_FILES) {
      const source = join(previous.folder, file);
      if (await lstatOrUndefined(source)) await copyReadable(source, join(release, file));
      else await rm(join(release, file), { force: true });
    }
  };
  await syncRuntime();

  const target = posix.join(RELEASES_FOLDER, id);
  let movedFolder: string | undefined;
  if (previous.kind === 'folder') {
    // A folder from an older install: swapped with the link in one step.
    const temp = join(root, `.${KIT_FOLDER}.link-${randomBytes(4).toString('hex')}`);
    await symlink(target, temp);
    movedFolder = join(releases, `${id}-previous`);
    if (exchange(temp, folder)) {
      await rename(temp, movedFolder);
    } else {
      await rename(folder, movedFolder);
      await rename(temp, folder);
      notes.push(
        `${folder} was a folder: it became a link with two renames (this system cannot swap them in one step), so a visitor in that instant may have had nginx's own page`,
      );
    }
  } else {
    await pointLink(root, target);
  }
  await syncRuntime();

  const undo = async (): Promise<void> => {
    if (previous.kind === 'absent') await rm(folder, { force: true });
    else if (previous.kind === 'link') await pointLink(root, previous.link!);
    else if (movedFolder) {
      const back = join(root, `.${KIT_FOLDER}.back-${randomBytes(4).toString('hex')}`);
      await rename(movedFolder, back);
      if (!exchange(back, folder)) {
        await rm(folder, { force: true });
        await rename(back, folder);
      } else {
        await rm(back, { force: true });
      }
    }
    await rm(release, { recursive: true, force: true });
    await rm(manifestPath(release), { force: true });
    await held.close();
    if ((await readdir(releases).catch(() => ['x'])).length === 0) await rm(releases, { recursive: true, force: true });
  };
  const commit = async (): Promise<void> => {
    // Every other release the install made goes; a folder elsewhere (the by-hand route's) is the operator's.
    for (const name of await readdir(held.at('.'))) {
      if (name === id || name === `${id}.build.json`) continue;
      await rm(held.at(name), { recursive: true, force: true });
    }
    await held.close();
  };
  return { folder, changed: true, previous, kept: kept.sort(), notes, undo, commit };
}

/** What the uninstall keeps of a page: the operator's files and maintenance's, by name, and why. */
export async function operatorFiles(root: string): Promise<{ file: string; why: string }[]> {
  const state = await pageState(root);
  if (!state.folder) return [];
  const inReleases = state.kind === 'link' && resolve(root, state.link!).startsWith(join(root, RELEASES_FOLDER) + '/');
  const manifest = inReleases ? await readManifest(state.folder) : undefined;
  const files: { file: string; why: string }[] = [];
  for (const file of await listFiles(state.folder)) {
    if (RUNTIME_FILES.includes(file)) {
      files.push({ file, why: file === 'maintenance.on' ? 'maintenance is on' : "maintenance's message" });
      continue;
    }
    if (!manifest) continue;
    if (!(file in manifest)) files.push({ file, why: 'yours' });
    else if (manifest[file] !== (await fileHash(join(state.folder, file))))
      files.push({ file, why: file === 'sw.js' ? "the worker's kill switch" : 'edited' });
  }
  return files;
}

/**
 * Takes the page out of a root: the link and the releases go; the
 * operator's files (brand.css edited, files of their own, maintenance's)
 * stay in a plain `<root>/__backsoon/` folder. Returns what stayed.
 */
export async function removePage(root: string): Promise<{ kept: string[]; removed: boolean }> {
  const state = await pageState(root);
  const folder = join(root, KIT_FOLDER);
  if (state.kind === 'absent') return { kept: [], removed: false };
  const keep = await operatorFiles(root);
  const releases = join(root, RELEASES_FOLDER);
  const ours = state.kind === 'link' && resolve(root, state.link!).startsWith(releases + '/');
  if (!ours) return { kept: [], removed: false };
  if (keep.length > 0) {
    const staging = join(root, `.${KIT_FOLDER}.kept-${randomBytes(4).toString('hex')}`);
    await mkdir(staging, { mode: 0o755 });
    await chmod(staging, 0o755);
    for (const { file } of keep) await copyReadable(join(state.folder!, file), join(staging, file));
    await rm(folder, { force: true });
    await rename(staging, folder);
  } else {
    await rm(folder, { force: true });
  }
  await rm(releases, { recursive: true, force: true });
  return { kept: keep.map(({ file, why }) => `${file} (${why})`), removed: true };
}
