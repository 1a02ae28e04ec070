import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Changes to the file system that can all be taken back, as certbot's
 * Reverter does for its nginx edits: every write keeps the bytes, mode and
 * owner of what it replaced, every folder it makes is noted, and what it
 * removes is set aside until the end. `rollback()` undoes everything in
 * reverse order, byte for byte; `commit()` drops what was set aside.
 */
export class Transaction {
  private readonly undo: { what: string; run: () => Promise<void> }[] = [];
  private readonly onCommit: (() => Promise<void>)[] = [];
  /** Folders it made, parents first. */
  readonly createdDirs: string[] = [];

  /** Makes a folder and its missing parents, noting each one made. */
  async mkdir(path: string, mode = 0o755): Promise<void> {
    const missing: string[] = [];
    for (let dir = path; !(await exists(dir)); dir = dirname(dir)) missing.unshift(dir);
    for (const dir of missing) {
      await mkdir(dir, { mode });
      // mkdir's mode is reduced by the umask; nginx's workers must read through.
      await chmod(dir, mode);
      this.createdDirs.push(dir);
      this.undo.push({ what: `remove ${dir}`, run: () => rmdir(dir) });
    }
  }

  /**
   * Writes a file whole, atomically (a temporary file beside it, renamed
   * over it). A file it replaces keeps its mode and owner, and comes back
   * byte for byte on rollback; a new one is removed.
   */
  async write(path: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
    const before = await stat(path).catch(() => undefined);
    const old = before ? await readFile(path) : undefined;
    await writeAtomic(path, content, before ? before.mode & 0o7777 : mode, before);
    this.undo.push({
      what: `${old ? 'restore' : 'remove'} ${path}`,
      run: async () => {
        if (old && before) await writeAtomic(path, old, before.mode & 0o7777, before);
        else await rm(path, { force: true });
      },
    });
  }

  /** Removes a file or a folder: set aside beside it, and gone at commit. */
  async remove(path: string): Promise<void> {
    if (!(await lstatOrUndefined(path))) return;
    const aside = join(dirname(path), `.${basename(path)}.backsoon-removed-${randomBytes(4).toString('hex')}`);
    await rename(path, aside);
    this.undo.push({ what: `put back ${path}`, run: () => rename(aside, path) });
    this.onCommit.push(() => rm(aside, { recursive: true, force: true }));
  }

  /** A step of its own: `run` now, `back` on rollback, `done` at commit. */
  async step(
    what: string,
    run: () => Promise<void>,
    back: () => Promise<void>,
    done?: () => Promise<void>,
  ): Promise<void> {
    await run();
    this.undo.push({ what, run: back });
    if (done) this.onCommit.push(done);
  }

  /** Undoes every change, the last first. Returns what could not be undone (empty when all went back). */
  async rollback(): Promise<string[]> {
    const failed: string[] = [];
    while (this.undo.length > 0) {
      const { what, run } = this.undo.pop()!;
      try {
        await run();
      } catch (error) {
        failed.push(`${what}: ${(error as Error).message}`);
      }
    }
    this.onCommit.length = 0;
    return failed;
  }

  /** Keeps every change and removes what was set aside. */
  async commit(): Promise<void> {
    this.undo.length = 0;
    for (const done of this.onCommit.splice(0)) await done();
  }
}

async function lstatOrUndefined(path: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  return lstat(path).catch(() => undefined);
}

async function exists(path: string): Promise<boolean> {
  return (await lstatOrUndefined(path)) !== undefined;
}

/** Writes beside the target, flushes, sets mode and owner, renames over it. */
export async function writeAtomic(
  path: string,
  content: string | Uint8Array,
  mode: number,
  owner?: { uid: number; gid: number },
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.backsoon-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
      await handle.chmod(mode);
      if (owner && process.getuid?.() === 0) await handle.chown(owner.uid, owner.gid);
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Keeps Ctrl-C (and a TERM) from stopping the process while files are
 * being changed or put back: the change finishes, or is undone whole,
 * and then the process stops as asked. Returns the function that lets
 * signals through again.
 */
export function holdSignals(say: (text: string) => void): () => void {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let arrived: NodeJS.Signals | undefined;
  const held = (signal: NodeJS.Signals): void => {
    arrived ??= signal;
    say('\n(the files are being changed: the command finishes, or puts every file back, before it stops)\n');
  };
  for (const signal of signals) process.on(signal, held);
  return () => {
    for (const signal of signals) process.off(signal, held);
    // Then as asked: the signal again, with nothing to hold it.
    if (arrived) process.kill(process.pid, arrived);
  };
}
