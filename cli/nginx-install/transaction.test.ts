import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { holdSignals, Transaction } from './transaction.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'backsoon-tx-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

it('rollback puts every file back byte for byte, with its mode, and removes what it made', async () => {
  const edited = join(work, 'site');
  await writeFile(edited, 'server {}\n');
  await chmod(edited, 0o640);
  await mkdir(join(work, 'gone'));
  await writeFile(join(work, 'gone/x'), 'x');
  const tx = new Transaction();
  await tx.write(edited, 'server { include kit; }\n');
  await tx.mkdir(join(work, 'a/b'));
  await tx.write(join(work, 'a/b/new.conf'), 'new');
  await tx.remove(join(work, 'gone'));
  expect(await readFile(edited, 'utf8')).toBe('server { include kit; }\n');
  expect((await stat(edited)).mode & 0o777).toBe(0o640);
  expect(await tx.rollback()).toEqual([]);
  expect(await readFile(edited, 'utf8')).toBe('server {}\n');
  expect((await stat(edited)).mode & 0o777).toBe(0o640);
  expect((await readdir(work)).sort()).toEqual(['gone', 'site']);
  expect(await readFile(join(work, 'gone/x'), 'utf8')).toBe('x');
});

it('commit keeps the changes and drops what was set aside', async () => {
  await mkdir(join(work, 'old'));
  const tx = new Transaction();
  await tx.remove(join(work, 'old'));
  await tx.write(join(work, 'f'), 'f');
  expect(tx.createdDirs).toEqual([]);
  await tx.commit();
  expect(await readdir(work)).toEqual(['f']);
});

it('Ctrl-C is held while files change, and acted on after', () => {
  const before = process.listenerCount('SIGINT');
  const said: string[] = [];
  const resume = holdSignals((text) => said.push(text));
  expect(process.listenerCount('SIGINT')).toBe(before + 1);
  process.emit('SIGINT', 'SIGINT');
  expect(said).toEqual([
    '\n(the files are being changed: the command finishes, or puts every file back, before it stops)\n',
  ]);
  // The signal is sent again once the files are done: caught here, where the process would stop.
  const sentAgain: string[] = [];
  const catcher = (signal: NodeJS.Signals): void => void sentAgain.push(signal);
  process.on('SIGINT', catcher);
  const kill = vi.spyOn(process, 'kill').mockImplementation((pid, signal) => {
    if (pid === process.pid) process.emit(signal as NodeJS.Signals, signal as NodeJS.Signals);
    return true;
  });
  try {
    resume();
  } finally {
    kill.mockRestore();
    process.off('SIGINT', catcher);
  }
  expect(sentAgain).toEqual(['SIGINT']);
  expect(process.listenerCount('SIGINT')).toBe(before);
});
