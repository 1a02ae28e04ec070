import { lstat, mkdir, mkdtemp, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { CREATE_NEW, requireSameFile, siblingTempName } from './atomic-write.js';
import { CliError } from './errors.js';
import { OpenFolder, removeTree } from './open-folder.js';
import { BRAND_CSS, KIT_FOLDER, KIT_PATH, PAGE_FILES, PATHS, WORKER_FILES } from '../src/protocol.js';

/** The folder under the server's root that every URL of the kit lives in. */
export const PAGE_FOLDER = KIT_FOLDER;

/** Files a build must have: what the nginx snippets answer with. */
export const REQUIRED_FILES: readonly string[] = Object.values(PAGE_FILES);

/**
 * Files of an installed folder that the operator owns once installed:
 * kept across upgrades even though the build has its own copy.
 * brand.css is edited in place (docs/branding.md); the build's own is
 * made of comments only, so keeping an older one loses nothing.
 */
const OPERATOR_EDITS = [BRAND_CSS];

/** Files that only ever belong to the running site (planned maintenance), never to a build. */
export const RUNTIME_FILES = [PATHS.maintenanceFlag, PATHS.maintenanceInfo].map((path) => path.slice(KIT_PATH.length));

/** What an install did, for the command's report. */
export interface InstallResult {
  /** The installed folder, `<root>/__backsoon`. */
  folder: string;
  /** A previous install was replaced. */
  upgraded: boolean;
  /** Files carried over from the previous install, relative to the folder. */
  kept: string[];
  /** Files of the previous install that were not: symlinks, hard links, or changed while read. */
  skipped: string[];
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every file under a folder, relative to it, skipping the temporary files of atomic writes. */
async function listFiles(dir: string, base = dir): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path, base)));
    else if (entry.isFile() && !isTempName(entry.name)) files.push(relative(base, path));
  }
  return files;
}

/** The temporary files of atomic writes and folder swaps (siblingTempName). */
function isTempName(name: string): boolean {
  return /^\..*\.(tmp|new|old)-\d+-[0-9a-f]+/.test(name);
}

/**
 * A new folder beside `target`, root's alone (0700) while it is filled,
 * held open: files go in through the open folder (OpenFolder), so that
 * renaming it away and planting a symlink in its place, which whoever
 * owns the web root can do, changes nothing of where they land. Published
 * (0755, renamed over `target`) once whole.
 */
export class StagingFolder {
  private published = false;

  private constructor(
    readonly path: string,
    private readonly folder: OpenFolder,
  ) {}

  /** @throws CliError when the new folder was swapped for something else before it was opened */
  static async create(target: string): Promise<StagingFolder> {
    const path = await mkdtemp(siblingTempName(target, 'new'));
    const folder = await OpenFolder.open(path).catch(() => undefined);
    const info = await folder?.handle.stat();
    const ours =
      folder &&
      info &&
      info.isDirectory() &&
      info.uid === process.getuid?.() &&
      (info.mode & 0o077) === 0 &&
      (await readdir(folder.at('.'))).length === 0;
    if (!ours) {
      await folder?.close();
      throw new CliError(
        `${path} was replaced while it was made: something else writes into ${dirname(path)}. Nothing was changed; check who can write there`,
      );
    }
    return new StagingFolder(path, folder);
  }

  /** Writes a file into the folder (replacing one of the same name), readable by the web server. */
  async write(file: string, data: Uint8Array): Promise<void> {
    // The folder is root's alone: nobody else can put anything in it, so names below it are safe to use.
    await this.makeFolders(dirname(file));
    await rm(this.folder.at(file), { force: true });
    const handle = await open(this.folder.at(file), CREATE_NEW, 0o644);
    try {
      await handle.writeFile(data);
      // open()'s mode is reduced by the umask: set on the open file, never by a path.
      await handle.chmod(0o644);
    } finally {
      await handle.close();
    }
  }

  /** Makes the folders of a relative path, each readable by the web server whatever the umask. */
  private async makeFolders(relative: string): Promise<void> {
    let path = '';
    for (const name of relative.split('/').filter((n) => n !== '' && n !== '.')) {
      path = path === '' ? name : `${path}/${name}`;
      await mkdir(this.folder.at(path)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      const made = await this.folder.folder(path);
      if (!made) throw new CliError(`${this.path}/${path} is not a folder`);
      try {
        // mkdir's mode is reduced by the umask: set on the open folder.
        await made.handle.chmod(0o755);
      } finally {
        await made.close();
      }
    }
  }

  async remove(file: string): Promise<void> {
    await rm(this.folder.at(file), { force: true });
  }

  /**
   * Makes the folder readable by the web server and swaps it in for
   * `target` (swapFolder). Says whether a previous folder was replaced.
   * @throws CliError when its path no longer names it
   */
  async publish(target: string): Promise<boolean> {
    await this.folder.handle.chmod(0o755);
    await requireSameFile(this.folder.handle, this.path);
    const replaced = await swapFolder(this.path, target);
    this.published = true;
    return replaced;
  }

  /** Removes what was not published, through the open folder; closes it. */
  async discard(): Promise<void> {
    try {
      if (this.published) return;
      await this.folder.empty();
      // Its path goes only if it still names this folder.
      const [open, named] = await Promise.all([this.folder.handle.stat(), lstat(this.path).catch(() => undefined)]);
      if (named && named.dev === open.dev && named.ino === open.ino) await rmdir(this.path);
    } finally {
      await this.folder.close();
    }
  }
}

/**
 * The folder installed at `target`, held open, or undefined when there is
 * none. A symlink there is followed only when root (or the user running
 * this) made it, as the README's by-hand install does: a symlink of the
 * web server's user could point at any folder, whose files an upgrade
 * would then publish.
 * @throws CliError for a symlink of anyone else, or anything but a folder
 */
export async function openInstalled(target: string): Promise<OpenFolder | undefined> {
  const entry = await lstat(target).catch(() => undefined);
  if (!entry) return undefined;
  if (entry.isSymbolicLink()) {
    if (entry.uid !== 0 && entry.uid !== process.getuid?.())
      throw new CliError(
        `${target} is a symlink made by user ${entry.uid}, not by root: not followed. Move it away if it is not yours`,
      );
    const folder = await OpenFolder.open(target, true).catch(() => undefined);
    const after = await lstat(target).catch(() => undefined);
    if (!folder || !after || after.ino !== entry.ino || after.dev !== entry.dev) {
      await folder?.close();
      throw new CliError(`${target} exists and is not a folder (or changed while it was opened): move it away first`);
    }
    return folder;
  }
  if (!entry.isDirectory()) throw new CliError(`${target} exists and is not a folder: move it away first`);
  return OpenFolder.open(target);
}

/**
 * Puts a complete folder in place of `target` with two renames: readers see
 * the whole old folder or the whole new one, never a half-copied one.
 * (Between the two renames, microseconds, the folder is absent and nginx
 * answers with its stock error page, which is also what the snippets fall
 * back to.) `staging` must be beside `target`, on the same filesystem.
 * The old folder is removed without following a symlink in it (a symlink
 * in place of the folder goes, never what it points to).
 * Says whether a previous folder was replaced.
 */
export async function swapFolder(staging: string, target: string): Promise<boolean> {
  const entry = await lstat(target).catch(() => undefined);
  if (!entry) {
    await rename(staging, target);
    return false;
  }
  const folder =
    entry.isDirectory() || (entry.isSymbolicLink() && (await stat(target).catch(() => undefined))?.isDirectory());
  if (!folder) throw new CliError(`${target} exists and is not a folder: move it away first`);
  const old = siblingTempName(target, 'old');
  await rename(target, old);
  try {
    await rename(staging, target);
  } catch (error) {
    await rename(old, target);
    throw error;
  }
  await removeTree(old);
  return true;
}

/** A new empty folder beside `target`, readable by the web server, for swapFolder (backsoon build). */
export async function stagingFolder(target: string): Promise<string> {
  const staging = await mkdtemp(siblingTempName(target, 'new'));
  // mkdtemp makes 0700: the web server could not enter it. Set on the open folder, never by its path.
  const folder = await OpenFolder.open(staging);
  try {
    await folder.handle.chmod(0o755);
  } finally {
    await folder.close();
  }
  return staging;
}

/**
 * Copies `from` (the package's own files) into a new folder beside
 * `target` and swaps it in (StagingFolder). `prepare` may change the new
 * folder before the swap; it gets the previous folder, if any, held open.
 */
export async function replaceFolder(
  from: string,
  target: string,
  prepare?: (staging: StagingFolder, previous: OpenFolder | undefined) => Promise<void>,
): Promise<boolean> {
  const previous = await openInstalled(target);
  try {
    const staging = await StagingFolder.create(target);
    try {
      for (const file of await listFiles(from)) await staging.write(file, await readFile(join(from, file)));
      await prepare?.(staging, previous);
      return await staging.publish(target);
    } finally {
      await staging.discard();
    }
  } finally {
    await previous?.close();
  }
}

/**
 * Installs a build (dist/) as `<root>/__backsoon/`, or upgrades one in
 * place. From the previous install it keeps what the operator made: files
 * the build does not have (maintenance.on and .json, a logo, fonts),
 * brand.css, and the service worker's kill switch if it was put in place
 * of sw.js. It reads them without following a symlink: a symlink, or a
 * hard link, is not carried over (`skipped`).
 */
export async function installPage(dist: string, root: string): Promise<InstallResult> {
  if (!(await isDirectory(root)))
    throw new CliError(`--root ${root}: no such folder (the server block's root, as in \`root ${root};\`)`);
  const missing: string[] = [];
  for (const file of REQUIRED_FILES) if (!(await exists(join(dist, file)))) missing.push(file);
  if (missing.length > 0)
    throw new CliError(
      `${dist} is not a backsoon build (no ${missing.join(', ')}): run npm run build, or backsoon build`,
    );

  const folder = join(root, PAGE_FOLDER);
  const kept: string[] = [];
  const skipped: string[] = [];
  const built = new Set(await listFiles(dist));
  const upgraded = await replaceFolder(dist, folder, async (staging, previous) => {
    if (!previous) return;
    const sameContent = (a: Buffer | undefined, b: Buffer | undefined): boolean => !!a && !!b && a.equals(b);
    for (const { path: file, kind } of await previous.entries()) {
      if (isTempName(basename(file)) || RUNTIME_FILES.includes(file)) continue;
      const keep =
        !built.has(file) ||
        OPERATOR_EDITS.includes(file) ||
        (file === WORKER_FILES.worker &&
          sameContent(await previous.read(WORKER_FILES.worker), await previous.read(WORKER_FILES.kill)));
      if (!keep) continue;
      const data = kind === 'file' ? await previous.read(file) : undefined;
      if (data === undefined) {
        skipped.push(file);
        continue;
      }
      await staging.write(file, data);
      kept.push(file);
    }
    // Maintenance switched on or off while the files were copied wins.
    for (const file of RUNTIME_FILES) {
      const data = await previous.read(file);
      if (data !== undefined) await staging.write(file, data);
      else await staging.remove(file);
    }
  });
  return { folder, upgraded, kept: kept.sort(), skipped: skipped.sort() };
}

/** Installs the snippet folder (nginx-snippets/) at `target`, replacing a previous copy as a whole. */
export async function installSnippets(source: string, target: string): Promise<boolean> {
  await mkdir(join(target, '..'), { recursive: true, mode: 0o755 });
  return replaceFolder(source, target);
}

/**
 * How an nginx config names a snippet: relative to /etc/nginx (nginx's
 * configuration folder on Debian) when it is under it, else absolute.
 */
export function includePath(snippets: string, file: string, confDir = '/etc/nginx'): string {
  const path = join(snippets, file);
  return path.startsWith(`${confDir}/`) ? path.slice(confDir.length + 1) : path;
}
