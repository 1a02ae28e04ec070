import { chmod, lchown, mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMaintenanceInfo } from '../src/decide/maintenance-info.js';
import { down, maintenanceInfoJson, parseUntil, relativeTime, status, up } from './maintenance.js';

const NOW = Date.parse('2026-11-21T14:00:00Z');

describe('parseUntil', () => {
  it('reads durations from now', () => {
    expect(parseUntil('15m', NOW).toISOString()).toBe('2026-11-21T14:15:00.000Z');
    expect(parseUntil('1h30m', NOW).toISOString()).toBe('2026-11-21T15:30:00.000Z');
    expect(parseUntil('45s', NOW).toISOString()).toBe('2026-11-21T14:00:45.000Z');
    expect(parseUntil('2d', NOW).toISOString()).toBe('2026-11-23T14:00:00.000Z');
  });

  it('reads ISO times with their zone', () => {
    expect(parseUntil('2026-11-21T16:30:00+01:00', NOW).toISOString()).toBe('2026-11-21T15:30:00.000Z');
    expect(parseUntil('2026-11-21T14:30Z', NOW).toISOString()).toBe('2026-11-21T14:30:00.000Z');
  });

  it('refuses what the page would ignore, saying why', () => {
    expect(() => parseUntil('soon', NOW)).toThrow(
      '--until soon: give a duration (15m, 2h, 1h30m) or a time with its zone',
    );
    expect(() => parseUntil('2026-11-21T14:30:00', NOW)).toThrow(/give a duration/);
    expect(() => parseUntil('2026-11-21T13:00:00Z', NOW)).toThrow('that is not in the future');
    expect(() => parseUntil('0m', NOW)).toThrow('that is not in the future');
    expect(() => parseUntil('8d', NOW)).toThrow('more than 7 days ahead');
    expect(() => parseUntil('2026-13-01T10:00:00Z', NOW)).toThrow('not a real date and time');
  });

  it('refuses a day or a time that does not exist, instead of rolling it over (February 30 is not March 2)', () => {
    const feb27 = Date.parse('2026-02-27T12:00:00Z');
    expect(() => parseUntil('2026-02-30T10:00:00Z', feb27)).toThrow(
      '--until 2026-02-30T10:00:00Z: not a real date and time (2026-02 has 28 days)',
    );
    expect(() => parseUntil('2026-02-29T10:00Z', feb27)).toThrow('(2026-02 has 28 days)');
    expect(() => parseUntil('2026-11-31T10:00Z', NOW)).toThrow('(2026-11 has 30 days)');
    expect(() => parseUntil('2026-11-21T24:00Z', NOW)).toThrow('--until 2026-11-21T24:00Z: not a real date and time');
    expect(() => parseUntil('2026-11-21T15:60Z', NOW)).toThrow('not a real date and time');
    expect(() => parseUntil('2026-11-21T15:00+24:00', NOW)).toThrow('not a real date and time');
    // Leap years have their day.
    expect(parseUntil('2028-02-29T10:00Z', Date.parse('2028-02-27T00:00Z')).toISOString()).toBe(
      '2028-02-29T10:00:00.000Z',
    );
  });
});

describe('maintenanceInfoJson', () => {
  it('writes what the page’s own parser reads back, exactly', () => {
    const until = parseUntil('15m', NOW);
    const text = maintenanceInfoJson('Moving to a faster database.', until, NOW);
    expect(parseMaintenanceInfo(text, NOW)).toEqual({
      message: { '*': 'Moving to a faster database.' },
      until: until.getTime(),
    });
  });

  it('refuses a message the page would drop', () => {
    expect(() => maintenanceInfoJson('x'.repeat(301), undefined, NOW)).toThrow(
      '--message is 301 characters: the page shows at most 300',
    );
    expect(() => maintenanceInfoJson('  ', undefined, NOW)).toThrow('--message is empty');
  });
});

describe('down, up and status', () => {
  let root: string;
  const folder = (): string => join(root, '__backsoon');

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'backsoon-maint-'));
    await mkdir(folder());
    await writeFile(join(folder(), 'index.html'), 'page');
    await writeFile(join(folder(), 'maintenance.html'), 'page');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('switches maintenance on with a message and an end, and off again, leaving no temporary file', async () => {
    const info = maintenanceInfoJson('Back soon', parseUntil('15m', NOW), NOW);
    await down(root, info);
    expect(await readFile(join(folder(), 'maintenance.json'), 'utf8')).toBe(info);
    expect(await readFile(join(folder(), 'maintenance.on'), 'utf8')).toBe('');
    const on = await status(root, NOW);
    expect(on).toMatchObject({ installed: true, message: 'Back soon', infoIgnored: false });
    expect(on.until?.toISOString()).toBe('2026-11-21T14:15:00.000Z');
    expect(on.since).toBeInstanceOf(Date);

    expect(await up(root)).toBe(true);
    expect((await readdir(folder())).sort()).toEqual(['index.html', 'maintenance.html']);
    expect(await status(root, NOW)).toEqual({ installed: true });
    expect(await up(root)).toBe(false);
  });

  it('removes an old message when switched on without one', async () => {
    await writeFile(join(folder(), 'maintenance.json'), '{"message":"last time"}');
    await down(root, undefined);
    expect((await readdir(folder())).sort()).toEqual(['index.html', 'maintenance.html', 'maintenance.on']);
  });

  it('says when maintenance.json holds what the page ignores', async () => {
    await down(root, undefined);
    await writeFile(join(folder(), 'maintenance.json'), '{"until":"tomorrow"}');
    expect(await status(root, NOW)).toMatchObject({ infoIgnored: true });
  });

  it('refuses a root without the page, writing nothing', async () => {
    await rm(join(folder(), 'maintenance.html'));
    await expect(down(root, undefined)).rejects.toThrow(/maintenance\.html does not exist: install the page first/);
    expect((await readdir(folder())).sort()).toEqual(['index.html']);
  });

  it('down, up and status refuse a mistyped root: one that does not exist, or has no __backsoon/', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'backsoon-maint-'));
    try {
      for (const run of [() => down(empty, undefined), () => up(empty), () => status(empty, NOW)]) {
        await expect(run()).rejects.toThrow(`${empty} has no __backsoon/: not the root of a site with backsoon`);
      }
      await expect(up(join(empty, 'nope'))).rejects.toThrow(`${join(empty, 'nope')}: no such folder`);
      await expect(status(join(empty, 'nope'), NOW)).rejects.toThrow(`${join(empty, 'nope')}: no such folder`);
      expect(await readdir(empty)).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('writes nothing through a __backsoon that someone else made a symlink, and reads no message through a symlink', async () => {
    const elsewhere = join(root, 'elsewhere');
    await rename(folder(), elsewhere);
    await symlink(elsewhere, folder());
    await lchown(folder(), 65534, 65534);
    await expect(down(root, undefined)).rejects.toThrow(/is a symlink made by user 65534, not by root: not followed/);
    await expect(up(root)).rejects.toThrow(/not followed/);
    expect((await readdir(elsewhere)).sort()).toEqual(['index.html', 'maintenance.html']);

    await rm(folder());
    await rename(elsewhere, folder());
    const secret = join(root, 'secret.json');
    await writeFile(secret, '{"message":"root only"}');
    await chmod(secret, 0o600);
    await down(root, undefined);
    await symlink(secret, join(folder(), 'maintenance.json'));
    const seen = await status(root, NOW);
    expect(seen.message).toBeUndefined();
  });
});

describe('relativeTime', () => {
  it('says how far', () => {
    expect(relativeTime(NOW + 14 * 60_000, NOW)).toBe('in 14 min');
    expect(relativeTime(NOW - 125 * 60_000, NOW)).toBe('2 h 5 min ago');
    expect(relativeTime(NOW + 10_000, NOW)).toBe('in less than a minute');
  });
});
