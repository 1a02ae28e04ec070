import { randomBytes } from 'node:crypto';
import { chmod, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A name beside `path`, in the same folder (so on the same filesystem,
 * where rename is atomic), that nothing else will pick: a dot file, so
 * that directory listings and globs skip it.
 */
export function siblingTempName(path: string, tag = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes a file so that readers see the old content or the new, never a
 * part: the data goes to a temporary file beside it, is flushed to disk,
 * and is renamed over the target. On failure the target is untouched and
 * the temporary file removed.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const temp = siblingTempName(path);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open()'s mode is reduced by the umask; the web server must read the file.
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
