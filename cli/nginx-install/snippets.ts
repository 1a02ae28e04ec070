import { chmod, copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { listFiles } from './page-release.js';
import type { Transaction } from './transaction.js';

/**
 * The kit's snippets folder (`snippets/backsoon/` beside nginx.conf):
 * the package's server/, location/, http/ and njs/, replaced whole on an
 * upgrade. nginx reads them at reload: the new ones are tested with
 * `nginx -t` before anything is reloaded.
 */

/** The package's folders that go to the snippets folder (examples/ and the README stay in the package). */
export const SNIPPET_FOLDERS = ['server', 'location', 'http', 'njs'];

/** The package's snippet files, relative to its nginx-snippets/ (tests left out). */
export async function packageSnippetFiles(source: string): Promise<string[]> {
  const files: string[] = [];
  for (const folder of SNIPPET_FOLDERS)
    files.push(...(await listFiles(join(source, folder))).map((f) => join(folder, f)));
  return files.filter((f) => !f.endsWith('.test.ts')).sort();
}

/** Whether the installed folder holds exactly the package's snippets. */
export async function snippetsUpToDate(source: string, target: string): Promise<'same' | 'upgrade' | 'new'> {
  const installed = await stat(target).catch(() => undefined);
  if (!installed) return 'new';
  const wanted = await packageSnippetFiles(source);
  const have = await listFiles(target).catch(() => [] as string[]);
  if (wanted.join('\n') !== have.join('\n')) return 'upgrade';
  for (const file of wanted) {
    const [a, b] = await Promise.all([readFile(join(source, file)), readFile(join(target, file))]);
    if (!a.equals(b)) return 'upgrade';
  }
  return 'same';
}

/** Puts the package's snippets at `target`, in the transaction: the old folder comes back on rollback. */
export async function installSnippets(source: string, target: string, tx: Transaction): Promise<void> {
  await tx.mkdir(dirname(target));
  const staging = join(dirname(target), `.${'backsoon'}.snippets-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { mode: 0o755 });
  await chmod(staging, 0o755);
  try {
    for (const file of await packageSnippetFiles(source)) {
      await mkdir(dirname(join(staging, file)), { recursive: true, mode: 0o755 });
      await copyFile(join(source, file), join(staging, file));
      await chmod(join(staging, file), 0o644);
    }
    await tx.remove(target);
    await tx.step(
      `remove ${target}`,
      () => rename(staging, target),
      () => rm(target, { recursive: true, force: true }),
    );
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
