import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_MESSAGE_CHARS, MAX_UNTIL_AHEAD, parseMaintenanceInfo } from '../src/decide/maintenance-info.js';
import { writeFileAtomic } from './atomic-write.js';
import { CliError } from './errors.js';
import { KIT_PATH, PATHS } from '../src/protocol.js';
import { PAGE_FOLDER } from './install.js';

/**
 * Planned maintenance as the nginx snippet (and the Caddy and Apache ones)
 * reads it: `__backsoon/maintenance.on` switches it on, and
 * `__backsoon/maintenance.json` ({ message, until }) is what the page says.
 */
export const FLAG = PATHS.maintenanceFlag.slice(KIT_PATH.length);
export const INFO = PATHS.maintenanceInfo.slice(KIT_PATH.length);

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

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
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    at = Date.parse(value);
    if (Number.isNaN(at)) throw new CliError(`--until ${text}: not a real date and time`);
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
    return (await stat(path)).mtime;
  } catch {
    return undefined;
  }
}

function folderOf(root: string): string {
  return join(root, PAGE_FOLDER);
}

async function requireInstalled(root: string): Promise<string> {
  const folder = folderOf(root);
  if (!(await modified(join(folder, 'maintenance.html')))) {
    throw new CliError(
      `${folder}/maintenance.html does not exist: install the page first (backsoon install --root ${root})`,
    );
  }
  return folder;
}

/** Switches maintenance on: the message and end first, then the flag, so visitors never see a stale message. */
export async function down(root: string, info: string | undefined): Promise<void> {
  const folder = await requireInstalled(root);
  if (info === undefined) await rm(join(folder, INFO), { force: true });
  else await writeFileAtomic(join(folder, INFO), info);
  await writeFileAtomic(join(folder, FLAG), '');
}

/** Switches maintenance off: the flag first (visitors go back), then the message. Says whether it was on. */
export async function up(root: string): Promise<boolean> {
  const folder = folderOf(root);
  const wasOn = (await modified(join(folder, FLAG))) !== undefined;
  await rm(join(folder, FLAG), { force: true });
  await rm(join(folder, INFO), { force: true });
  return wasOn;
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
  const folder = folderOf(root);
  const result: MaintenanceStatus = { installed: (await modified(join(folder, 'index.html'))) !== undefined };
  const since = await modified(join(folder, FLAG));
  if (since) result.since = since;
  let text: string | undefined;
  try {
    text = await readFile(join(folder, INFO), 'utf8');
  } catch {
    text = undefined;
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
