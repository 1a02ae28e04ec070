import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from './transaction.js';

/**
 * What the install changed, kept in its state folder (beside nginx's
 * configuration, `backsoon-install/`) with a backup of every file it edited
 * as it was before the first install: what `backsoon uninstall --nginx`
 * takes out, and what a second install leaves alone.
 */
export interface InstallRecord {
  /** backsoon's version that last changed the install. */
  version: string;
  /** Files edited in place: their backup (as before the first install) and their text's sha256 after the last install. */
  edits: { path: string; backup: string; original: string; installed: string }[];
  /** Files written whole (the http block's), with the sha256 they were written with. */
  files: { path: string; sha256: string }[];
  /** Folders the install made, parents first. */
  dirs: string[];
  /** The kit's snippets folder, and whether the install made it (else it was there, from a by-hand install). */
  snippets: { dir: string; created: boolean } | undefined;
  /** The roots that have the page. */
  roots: string[];
}

export const RECORD_FILE = 'record.json';

/** The first line of the http files `backsoon install --nginx` writes: how one is known as the install's. */
export const WRITTEN_BY = '# Written by `backsoon install --nginx`';

export function emptyRecord(version: string): InstallRecord {
  return { version, edits: [], files: [], dirs: [], snippets: undefined, roots: [] };
}

export async function readRecord(state: string): Promise<InstallRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(state, RECORD_FILE), 'utf8')) as InstallRecord;
  } catch {
    return undefined;
  }
}

/** Writes the record; the state folder holds backups of configuration (tokens included): root only. */
export async function writeRecord(state: string, record: InstallRecord): Promise<void> {
  await mkdir(state, { recursive: true, mode: 0o700 });
  await writeAtomic(join(state, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

/** Where a file's backup goes in the state folder: its absolute path under backups/. */
export function backupPath(state: string, path: string): string {
  return join(state, 'backups', `${path}.orig`);
}
