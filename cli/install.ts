import { chmod, copyFile, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { siblingTempName } from './atomic-write.js';
import { CliError } from './errors.js';
import { KIT_FOLDER } from '../src/protocol.js';

/** The folder under the server's root that every URL of the kit lives in. */
export const PAGE_FOLDER = KIT_FOLDER;

/** Files a build must have: what the nginx snippets answer with. */
export const REQUIRED_FILES = ['index.html', 'maintenance.html', 'outage.json', 'outage.txt'];

/**
 * Files of an installed folder that the operator owns once installed:
 * kept across upgrades even though the build has its own copy.
 * brand.css is edited in place (README: "Branding"); the build's own is
 * made of comments only, so keeping an older one loses nothing.
 */
const OPERATOR_EDITS = ['brand.css'];

/** Files that only ever belong to the running site (planned maintenance), never to a build. */
export const RUNTIME_FILES = ['maintenance.on', 'maintenance.json'];

/** What an install did, for the command's report. */
export interface InstallResult {
  /** The installed folder, `<root>/__backsoon`. */
  folder: string;
  /** A previous install was replaced. */
  upgraded: boolean;
  /** Files carried over from the previous install, relative to the folder. */
  kept: string[];
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
    else if (entry.isFile() && !/^\..*\.(tmp|new|old)-\d+-[0-9a-f]+/.test(entry.name)) files.push(relative(base, path));
  }
  return files;
}

/** Copies a file, creating its folder; everything readable by the web server's user. */
async function copyReadable(from: string, to: string): Promise<void> {
  await mkdir(join(to, '..'), { recursive: true, mode: 0o755 });
  await copyFile(from, to);
  await chmod(to, 0o644);
}

async function sameContent(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([readFile(a), readFile(b)]);
    return x.equals(y);
  } catch {
    return false;
  }
}

/**
 * Puts a complete folder in place of `target` with two renames: readers see
 * the whole old folder or the whole new one, never a half-copied one.
 * (Between the two renames, microseconds, the folder is absent and nginx
 * answers with its stock error page, which is also what the snippets fall
 * back to.) `staging` must be beside `target`, on the same filesystem.
 * Says whether a previous folder was replaced.
 */
export async function swapFolder(staging: string, target: string): Promise<boolean> {
  if (!(await exists(target))) {
    await rename(staging, target);
    return false;
  }
  if (!(await isDirectory(target))) throw new CliError(`${target} exists and is not a folder: move it away first`);
  const old = siblingTempName(target, 'old');
  await rename(target, old);
  try {
    await rename(staging, target);
  } catch (error) {
    await rename(old, target);
    throw error;
  }
  await rm(old, { recursive: true, force: true });
  return true;
}

/** A new empty folder beside `target`, readable by the web server, for swapFolder. */
export async function stagingFolder(target: string): Promise<string> {
  const staging = await mkdtemp(siblingTempName(target, 'new'));
  // mkdtemp makes 0700: the web server could not enter it.
  await chmod(staging, 0o755);
  return staging;
}

/**
 * Copies `from` into a new folder beside `target` and swaps it in
 * (swapFolder). `prepare` may change the new folder before the swap; it
 * gets the previous folder, if any.
 */
export async function replaceFolder(
  from: string,
  target: string,
  prepare?: (staging: string, previous: string | undefined) => Promise<void>,
): Promise<boolean> {
  const staging = await stagingFolder(target);
  try {
    for (const file of await listFiles(from)) await copyReadable(join(from, file), join(staging, file));
    const previous = (await isDirectory(target)) ? target : undefined;
    await prepare?.(staging, previous);
    return await swapFolder(staging, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Installs a build (dist/) as `<root>/__backsoon/`, or upgrades one in
 * place. From the previous install it keeps what the operator made: files
 * the build does not have (maintenance.on and .json, a logo, fonts),
 * brand.css, and the service worker's kill switch if it was put in place
 * of sw.js.
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
  const built = new Set(await listFiles(dist));
  const upgraded = await replaceFolder(dist, folder, async (staging, previous) => {
    if (!previous) return;
    for (const file of await listFiles(previous)) {
      const keep =
        !built.has(file) ||
        OPERATOR_EDITS.includes(file) ||
        (file === 'sw.js' && (await sameContent(join(previous, 'sw.js'), join(previous, 'sw-kill.js'))));
      if (keep) {
        await copyReadable(join(previous, file), join(staging, file));
        if (!RUNTIME_FILES.includes(file)) kept.push(file);
      }
    }
    // Maintenance switched on or off while the files were copied wins.
    for (const file of RUNTIME_FILES) {
      const source = join(previous, file);
      if (await exists(source)) await copyReadable(source, join(staging, file));
      else await rm(join(staging, file), { force: true });
    }
  });
  return { folder, upgraded, kept: kept.sort() };
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
