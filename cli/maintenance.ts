import { lstat, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_MESSAGE_CHARS, MAX_UNTIL_AHEAD, parseMaintenanceInfo } from '../src/decide/maintenance-info.js';
import { writeFileAtomic } from './atomic-write.js';
import { CliError } from './errors.js';
import { KIT_PATH, PAGE_FILES, PATHS } from '../src/protocol.js';
import { openInstalled, PAGE_FOLDER } from './install.js';
import type { OpenFolder } from './open-folder.js';

/**
 * Planned maintenance as the nginx snippet (and the Caddy and Apache ones)
 * reads it: `__backsoon/maintenance.on` switches it on, and
 * `__backsoon/maintenance.json` ({ message, until }) is what the page says.
 */
export const FLAG = PATHS.maintenanceFlag.slice(KIT_PATH.length);
export const INFO = PATHS.maintenanceInfo.slice(KIT_PATH.length);

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO 8601 time with its zone, to the minute or finer: 2026-11-21T14:30Z, 2026-11-21T14:30:00.000+01:00. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * What is impossible in an ISO_TIME, or undefined. JavaScript's Date rolls
 * an impossible day over (February 30 is read as March 2): each field is
 * checked against the calendar instead.
 */
function impossibleField(value: string): string | undefined {
  // Seconds and the zone's offset are optional: absent, they are 0.
  const fields = ISO_TIME.exec(value)!.slice(1);
  const [year, month, day, hour, minute, second, zoneHours, zoneMinutes] = Array.from({ length: 8 }, (_, i) =>
    Number(fields[i] ?? 0),
  ) as [number, number, number, number, number, number, number, number];
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return `${year}-${String(month).padStart(2, '0')} has ${days} days`;
  if (hour > 23 || minute > 59 || second > 59) return 'no such time of day';
  if (zoneHours > 23 || zoneMinutes > 59) return 'no such time zone offset';
  return undefined;
}

/**
 * The announced end from `--until`: a duration from now (`15m`, `2h`,
 * `1h30m`, `45s`, `1d`) or an ISO 8601 time with its zone
 * (`2026-11-21T14:30:00Z`, `…+01:00`). It must be in the future and at
 * most 7 days ahead (the page ignores an end further away).
 * @throws CliError naming what is wrong
 */
export function parseUntil(text: string, now: number): Date {
  const value = text.trim();
  let at: number;
  if (/^(\d+[smhd])+$/.test(value)) {
    at = now;
    for (const [, amount, unit] of value.matchAll(/(\d+)([smhd])/g)) at += Number(amount) * UNITS[unit!]!;
  } else if (ISO_TIME.test(value)) {
    const impossible = impossibleField(value);
    at = Date.parse(value);
    if (impossible || Number.isNaN(at))
      throw new CliError(`--until ${text}: not a real date and time${impossible ? ` (${impossible})` : ''}`);
  } else {
    throw new CliError(
      `--until ${text}: give a duration (15m, 2h, 1h30m) or a time with its zone (2026-11-21T14:30:00Z)`,
    );
  }
  if (at <= now) throw new CliError(`--until ${text}: that is not in the future`);
  if (at - now > MAX_UNTIL_AHEAD)
    throw new CliError(`--until ${text}: more than 7 days ahead, which the page ignores (a typo?)`);
  return new Date(at);
}

/**
 * The maintenance.json text for a message and an end, checked with the
 * page's own parser: what is written is exactly what visitors will see.
 * @throws CliError when the page would drop the message
 */
export function maintenanceInfoJson(message: string | undefined, until: Date | undefined, now: number): string {
  const info: { message?: string; until?: string } = {};
  if (message !== undefined) {
    if (message.trim() === '') throw new CliError('--message is empty');
    if (message.length > MAX_MESSAGE_CHARS)
      throw new CliError(`--message is ${message.length} characters: the page shows at most ${MAX_MESSAGE_CHARS}`);
    info.message = message;
  }
  if (until) info.until = until.toISOString();
  const text = `${JSON.stringify(info, null, 2)}\n`;
  const seen = parseMaintenanceInfo(text, now);
  if (message !== undefined && seen.message?.['*'] === undefined)
    throw new CliError('--message would not be shown by the page');
  if (until && seen.until !== until.getTime()) throw new CliError('--until would not be understood by the page');
  return text;
}

async function modified(path: string): Promise<Date | undefined> {
  try {
    return (await lstat(path)).mtime;
  } catch {
    return undefined;
  }
}

/**
 * The kit's folder under the root, held open (OpenFolder): the flag and
 * the message are written, read and removed through it, never through a
 * path that whoever owns the web root could point elsewhere meanwhile.
 * @throws CliError when the root, or the kit's folder in it, is missing: a mistyped root
 */
async function openKitFolder(root: string): Promise<OpenFolder> {
  if (!(await stat(root).catch(() => undefined))?.isDirectory())
    throw new CliError(`${root}: no such folder (the server block's root, as in \`root ${root};\`)`);
  const folder = await openInstalled(join(root, PAGE_FOLDER));
  if (!folder)
    throw new CliError(
      `${root} has no ${PAGE_FOLDER}/: not the root of a site with backsoon (a typo? else install the page: backsoon install --root ${root})`,
    );
  return folder;
}

/** Switches maintenance on: the message and end first, then the flag, so visitors never see a stale message. */
export async function down(root: string, info: string | undefined): Promise<void> {
  const folder = await openKitFolder(root);
  try {
    if (!(await modified(folder.at(PAGE_FILES.maintenance))))
      throw new CliError(
        `${join(root, PAGE_FOLDER, PAGE_FILES.maintenance)} does not exist: install the page first (backsoon install --root ${root})`,
      );
    const shown = (name: string): string => join(root, PAGE_FOLDER, name);
    if (info === undefined) await unlinkIfThere(folder.at(INFO));
    else await writeFileAtomic(folder.at(INFO), info, 0o644, shown(INFO));
    await writeFileAtomic(folder.at(FLAG), '', 0o644, shown(FLAG));
  } finally {
    await folder.close();
  }
}

/** Removes a file (a symlink: never what it points to); none there is fine. */
async function unlinkIfThere(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Switches maintenance off: the flag first (visitors go back), then the message. Says whether it was on. */
export async function up(root: string): Promise<boolean> {
  const folder = await openKitFolder(root);
  try {
    const wasOn = (await modified(folder.at(FLAG))) !== undefined;
    await unlinkIfThere(folder.at(FLAG));
    await unlinkIfThere(folder.at(INFO));
    return wasOn;
  } finally {
    await folder.close();
  }
}

export interface MaintenanceStatus {
  installed: boolean;
  /** When the flag was made, if maintenance is on. */
  since?: Date;
  message?: string;
  until?: Date;
  /** maintenance.json exists but the page would ignore (some of) it. */
  infoIgnored?: boolean;
}

export async function status(root: string, now: number): Promise<MaintenanceStatus> {
  const folder = await openKitFolder(root);
  let text: string | undefined;
  const result: MaintenanceStatus = { installed: false };
  try {
    result.installed = (await modified(folder.at(PAGE_FILES.crash))) !== undefined;
    const since = await modified(folder.at(FLAG));
    if (since) result.since = since;
    // Never through a symlink: root would read, and print, a file of anyone's choosing.
    text = (await folder.read(INFO))?.toString('utf8');
  } finally {
    await folder.close();
  }
  if (text !== undefined) {
    const info = parseMaintenanceInfo(text, now);
    const message = info.message && (info.message['*'] ?? Object.values(info.message)[0]);
    if (message !== undefined) result.message = message;
    if (info.until !== undefined) result.until = new Date(info.until);
    const raw = (() => {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })();
    result.infoIgnored =
      !raw || (raw.message !== undefined && !info.message) || (raw.until !== undefined && info.until === undefined);
  }
  return result;
}

/** "in 14 min", "2 h 5 min ago": for the status line. */
export function relativeTime(at: number, now: number): string {
  const minutes = Math.round(Math.abs(at - now) / 60_000);
  const text =
    minutes < 1
      ? 'less than a minute'
      : minutes < 60
        ? `${minutes} min`
        : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return at >= now ? `in ${text}` : `${text} ago`;
}
