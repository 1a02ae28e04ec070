import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors.js';

/**
 * A name beside `path`, in the same folder (so on the same filesystem,
 * where rename is atomic), that nothing else will pick: a dot file, so
 * that directory listings and globs skip it.
 */
export function siblingTempName(path: string, tag = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * A new file, created by this call and by nothing else: O_CREAT|O_EXCL
 * fails on any name that exists, a symlink planted there included, and
 * O_NOFOLLOW says the same again.
 */
export const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;

/**
 * Writes a file so that readers see the old content or the new, never a
 * part: the data goes to a temporary file beside it, is flushed to disk,
 * and is renamed over the target. On failure the target is untouched and
 * the temporary file removed.
 *
 * The folder may belong to someone else (the web root is often www-data's,
 * and `backsoon down` runs as root): they can watch it and swap the
 * temporary file for a symlink while it is written. So nothing is done to
 * the temporary file by its path but the final rename: the mode is set on
 * the open file, and a file that is no longer ours by then is refused.
 * (A swap between that check and the rename puts their own file in place,
 * which they could do anyway; no file of anyone else is touched.)
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
  /** The path to name in messages, when `path` goes through an open folder (/proc/self/fd/N/…). */
  shown = path,
): Promise<void> {
  const temp = siblingTempName(path);
  const handle = await open(temp, CREATE_NEW, mode);
  try {
    try {
      await handle.writeFile(data);
      // open()'s mode is reduced by the umask; the web server must read the file.
      await handle.chmod(mode);
      await handle.sync();
      await requireSameFile(handle, temp, join(dirname(shown), basename(temp)));
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    // unlink never follows a symlink: whatever is under the name goes, nothing else.
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** @throws CliError when `path` is not (or no longer) the file open as `handle` */
export async function requireSameFile(handle: FileHandle, path: string, shown = path): Promise<void> {
  const [open, named] = await Promise.all([handle.stat(), lstat(path).catch(() => undefined)]);
  if (!named || named.dev !== open.dev || named.ino !== open.ino)
    throw new CliError(
      `${shown} was replaced while it was written: something else writes into ${dirname(shown)}. Nothing was changed; check who can write there`,
    );
}
