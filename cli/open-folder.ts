import { constants } from 'node:fs';
import { lstat, open, readdir, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { CliError } from './errors.js';

/**
 * Folders that someone else may write into, read and changed without ever
 * following a symlink they plant.
 *
 * The web root often belongs to the web server's user (www-data), and
 * `backsoon install`, `down` and `up` run as root: whoever can write the
 * root can rename anything in it and put a symlink in its place, at any
 * moment. A folder held open is immune to that: its files are reached
 * through the open folder (Linux's /proc/self/fd/N, as openat(2) would),
 * never through its path again, and each name below it is opened with
 * O_NOFOLLOW. The one operation left by path is a rename into place,
 * which moves a planted symlink at worst: the other user could put it
 * there themselves.
 *
 * https://man7.org/linux/man-pages/man2/open.2.html (O_NOFOLLOW, O_DIRECTORY)
 * https://man7.org/linux/man-pages/man5/proc_pid_fd.5.html
 */

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;
/** A folder, never through a symlink in the last place of its path. */
const FOLDER = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** A file to read, never through a symlink; O_NONBLOCK so that a FIFO put in its place cannot hang the read. */
const FILE = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

/** The error codes of a name that is a symlink or not a folder where a folder was opened with O_NOFOLLOW. */
const NOT_A_FOLDER = new Set(['ENOTDIR', 'ELOOP']);

/** A file found in an open folder, relative to it. */
export interface FolderEntry {
  path: string;
  /** A symlink is listed, never followed. */
  kind: 'file' | 'symlink';
}

export class OpenFolder {
  private constructor(
    /** The open folder. */
    readonly handle: FileHandle,
    /** Its path when it was opened, for messages. */
    readonly shown: string,
  ) {}

  /**
   * Opens a folder. `follow` lets the last name of the path be a symlink
   * (one of the operator's own: the caller checks whose it is).
   * @throws CliError when the path is not a folder (or is a symlink and `follow` is off)
   */
  static async open(path: string, follow = false): Promise<OpenFolder> {
    let handle: FileHandle;
    try {
      handle = await open(path, follow ? O_RDONLY | O_DIRECTORY : FOLDER);
    } catch (error) {
      if (NOT_A_FOLDER.has((error as NodeJS.ErrnoException).code ?? ''))
        throw new CliError(`${path} is not a folder${follow ? '' : ' (or is a symlink, which is not followed)'}`);
      throw error;
    }
    const folder = new OpenFolder(handle, path);
    if (!(await lstat(folder.at('.')).catch(() => undefined))) {
      await handle.close();
      throw new CliError(`cannot reach ${path} through /proc/self/fd: backsoon needs Linux's /proc mounted`);
    }
    return folder;
  }

  /** A path inside the folder that goes through the open folder, whatever its path has become. */
  at(relative: string): string {
    return `/proc/self/fd/${this.handle.fd}/${relative}`;
  }

  /**
   * Opens a subfolder, one name at a time, none of them followed if it is a symlink.
   * @returns undefined when a name is missing, a symlink or not a folder
   */
  async folder(relative: string): Promise<OpenFolder | undefined> {
    const names = relative.split('/').filter((n) => n !== '' && n !== '.');
    let current: OpenFolder | undefined;
    for (const name of names) {
      const next = await open((current ?? this).at(name), FOLDER).catch(() => undefined);
      await current?.close();
      if (!next) return undefined;
      current = new OpenFolder(next, `${this.shown}/${relative}`);
    }
    return current;
  }

  /**
   * A file's content, read without following a symlink anywhere below the
   * folder. Undefined when it is missing, a symlink, not a regular file,
   * or a hard link (which may be to any file of the filesystem).
   */
  async read(relative: string): Promise<Buffer | undefined> {
    const slash = relative.lastIndexOf('/');
    const parent = slash < 0 ? this : await this.folder(relative.slice(0, slash));
    if (!parent) return undefined;
    try {
      const handle = await open(parent.at(relative.slice(slash + 1)), FILE).catch(() => undefined);
      if (!handle) return undefined;
      try {
        const info = await handle.stat();
        if (!info.isFile() || info.nlink > 1) return undefined;
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    } finally {
      if (parent !== this) await parent.close();
    }
  }

  /** Every file and symlink below the folder, relative to it, subfolders entered without following a symlink. */
  async entries(relative = ''): Promise<FolderEntry[]> {
    const folder = relative === '' ? this : await this.folder(relative);
    if (!folder) return [];
    const found: FolderEntry[] = [];
    try {
      for (const entry of await readdir(folder.at('.'), { withFileTypes: true })) {
        const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) found.push(...(await this.entries(path)));
        else if (entry.isFile()) found.push({ path, kind: 'file' });
        else if (entry.isSymbolicLink()) found.push({ path, kind: 'symlink' });
      }
    } finally {
      if (folder !== this) await folder.close();
    }
    return found;
  }

  /** Removes everything in the folder (not the folder itself), following no symlink. */
  async empty(): Promise<void> {
    for (const entry of await readdir(this.at('.'), { withFileTypes: true })) {
      const path = this.at(entry.name);
      if (entry.isDirectory()) {
        const sub = await this.folder(entry.name);
        if (sub) {
          try {
            await sub.empty();
          } finally {
            await sub.close();
          }
          await rmdir(path).catch(ignoreChanged);
          continue;
        }
      }
      // unlink never follows a symlink: the link goes, never what it points to.
      await unlink(path).catch(ignoreChanged);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Errors of a name that someone else changed meanwhile: theirs to keep. */
function ignoreChanged(error: NodeJS.ErrnoException): void {
  if (!['ENOENT', 'ENOTEMPTY', 'EEXIST', 'EISDIR', 'ENOTDIR'].includes(error.code ?? '')) throw error;
}

/**
 * Removes a folder and everything in it (or a symlink, never what it
 * points to), following no symlink inside: what `rm -r` should do where
 * someone else can rename things meanwhile. A name someone else changed
 * meanwhile is left to them.
 */
export async function removeTree(path: string): Promise<void> {
  const entry = await lstat(path).catch(() => undefined);
  if (!entry) return;
  if (!entry.isDirectory()) {
    await unlink(path).catch(ignoreChanged);
    return;
  }
  const folder = await OpenFolder.open(path).catch(() => undefined);
  if (!folder) {
    await unlink(path).catch(ignoreChanged);
    return;
  }
  try {
    await folder.empty();
  } finally {
    await folder.close();
  }
  await rmdir(path).catch(ignoreChanged);
}
