import { spawnSync } from 'node:child_process';
import { CliError } from './errors.js';
import { loadDump, type Directive } from './nginx-conf.js';

/** nginx's binary, its configuration and prefix, as `nginx -T` is told them. */
export interface NginxTarget {
  /** @default "nginx" on the PATH */
  bin?: string;
  /** The main configuration file (-c). @default nginx's own (/etc/nginx/nginx.conf on Debian) */
  conf?: string;
  /** nginx's prefix (-p). @default nginx's own (/usr/share/nginx on Debian) */
  prefix?: string;
}

export interface DumpResult {
  ok: boolean;
  /** The configuration files nginx read (stdout). */
  dump: string;
  /** nginx's own messages (stderr). */
  messages: string;
}

function args(target: NginxTarget, flag: string): string[] {
  return [flag, ...(target.prefix ? ['-p', target.prefix] : []), ...(target.conf ? ['-c', target.conf] : [])];
}

/** Runs `nginx -T`: the configuration test, and every file it read. */
export function dumpConfig(target: NginxTarget): DumpResult {
  const bin = target.bin ?? 'nginx';
  const result = spawnSync(bin, args(target, '-T'), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error)
    throw new CliError(
      `cannot run ${bin}: ${result.error.message}${bin === 'nginx' ? ' (apt-get install nginx, or --nginx BIN)' : ''}`,
    );
  return { ok: result.status === 0, dump: result.stdout, messages: result.stderr };
}

/** True when the nginx binary has njs compiled in, rather than as a module to load (`nginx -V`). */
export function njsBuiltIn(target: NginxTarget): boolean {
  const result = spawnSync(target.bin ?? 'nginx', ['-V'], { encoding: 'utf8' });
  return /--add-module=\S*njs/.test(`${result.stderr}${result.stdout}`);
}

/** nginx's configuration, read as `backsoon check` reads it, or why it could not be. */
export type NginxReading = { tree: Directive[]; why?: undefined } | { tree?: undefined; why: string };

/**
 * Runs `nginx -T` and parses what it prints. Never throws: a missing
 * nginx, a configuration nginx refuses, or a user who may not run it (not
 * root: nginx -T opens nginx's pid file and logs, which are root's) is a
 * reason, said in words.
 */
export function readConfig(target: NginxTarget): NginxReading {
  let result: DumpResult;
  try {
    result = dumpConfig(target);
  } catch (error) {
    return { why: (error as Error).message };
  }
  if (!result.ok) {
    const said =
      result.messages.split('\n').find((line) => /\[(emerg|alert|crit)\]/.test(line)) ?? result.messages.trim();
    const cause = said.replace(/^(nginx: )?(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d )?\[\w+\] (\d+#\d+: )?/, '');
    if (/\(13: Permission denied\)/.test(cause))
      return {
        why: `nginx -T may not run as this user: ${cause}. nginx -T opens nginx's pid file and logs, which are root's: run this with sudo`,
      };
    return { why: `nginx -T failed: ${cause || 'without saying why'} (backsoon check says more)` };
  }
  try {
    return { tree: loadDump(result.dump) };
  } catch (error) {
    return { why: `nginx -T's output could not be read: ${(error as Error).message}` };
  }
}
