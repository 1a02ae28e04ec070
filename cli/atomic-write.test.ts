import { symlinkSync, unlinkSync, watch } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';

let work: string;
let folder: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'backsoon-atomic-'));
  folder = join(work, 'www/__backsoon');
  await mkdir(folder, { recursive: true });
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('writeFileAtomic', () => {
  it('writes the whole file with its mode, whatever the umask, and leaves no temporary file', async () => {
    const old = process.umask(0o077);
    try {
      await writeFileAtomic(join(folder, 'maintenance.json'), '{"message":"db"}\n');
    } finally {
      process.umask(old);
    }
    expect(await readFile(join(folder, 'maintenance.json'), 'utf8')).toBe('{"message":"db"}\n');
    expect(await modeOf(join(folder, 'maintenance.json'))).toBe(0o644);
    expect(await readdir(folder)).toEqual(['maintenance.json']);
  });

  // Whoever owns the web root (www-data, often) can watch it and swap the
  // temporary file for a symlink while root's `backsoon down` writes it:
  // a mode set by path would then be set on the symlink's target.
  it('never sets its mode on a file that the temporary file was swapped for while it was written', async () => {
    const victim = join(work, 'victim');
    await writeFile(victim, 'secret');
    await chmod(victim, 0o600);

    const swapped = new Set<string>();
    const watcher = watch(folder, (_event, name) => {
      if (typeof name !== 'string' || !/^\.maintenance\.on\.tmp-/.test(name) || swapped.has(name)) return;
      // Once per file: the symlink's own creation is an event too.
      swapped.add(name);
      try {
        // The attacker's move: the temporary file out, a symlink to the victim in its place.
        unlinkSync(join(folder, name));
        symlinkSync(victim, join(folder, name));
        planted++;
      } catch {
        // Already renamed into place, or already swapped: too late, or done.
      }
    });
    let planted = 0;
    const refused: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        await writeFileAtomic(join(folder, 'maintenance.on'), '').catch((error: Error) => refused.push(error.message));
        // The watcher's events for this round are handled before the next one starts.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      watcher.close();
    }
    // The attack did land inside the write (else this test would prove nothing)…
    expect(planted).toBeGreaterThan(0);
    // …and the victim kept its mode.
    expect(await modeOf(victim)).toBe(0o600);
    for (const message of refused) expect(message).toMatch(/was replaced while it was written/);
  });
});
