import { spawnSync } from 'node:child_process';
import { CliError } from './errors.js';

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
