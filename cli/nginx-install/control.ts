import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CliError } from '../errors.js';
import type { NginxTarget } from '../nginx-run.js';

/**
 * nginx itself, run as the operator runs it: `nginx -t` after the edits,
 * `nginx -V` for its compiled-in paths, and the reload, through systemd
 * when systemd runs nginx, else `nginx -s reload`.
 */

function args(target: NginxTarget, ...flags: string[]): string[] {
  return [...flags, ...(target.prefix ? ['-p', target.prefix] : []), ...(target.conf ? ['-c', target.conf] : [])];
}

function run(bin: string, argv: string[]): { status: number | null; output: string } {
  const result = spawnSync(bin, argv, { encoding: 'utf8' });
  if (result.error) throw new CliError(`cannot run ${bin}: ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** `nginx -t`: whether nginx takes the configuration, and its words. */
export function testConfig(target: NginxTarget): { ok: boolean; messages: string } {
  const { status, output } = run(target.bin ?? 'nginx', args(target, '-t'));
  return { ok: status === 0, messages: output };
}

/** `nginx -V`'s text. */
export function versionText(target: NginxTarget): string {
  return run(target.bin ?? 'nginx', ['-V']).output;
}

/** Whether systemd runs nginx here: then the reload goes through it. */
function systemdRunsNginx(target: NginxTarget): boolean {
  if (target.bin || target.conf || target.prefix) return false;
  if (!existsSync('/run/systemd/system')) return false;
  return spawnSync('systemctl', ['is-active', '--quiet', 'nginx']).status === 0;
}

/** Reloads nginx: `systemctl reload nginx` under systemd, else `nginx -s reload`. */
export function reload(target: NginxTarget): { ok: boolean; how: string; messages: string } {
  if (systemdRunsNginx(target)) {
    const { status, output } = run('systemctl', ['reload', 'nginx']);
    return { ok: status === 0, how: 'systemctl reload nginx', messages: output };
  }
  const argv = args(target, '-s', 'reload');
  const { status, output } = run(target.bin ?? 'nginx', argv);
  return { ok: status === 0, how: `${target.bin ?? 'nginx'} ${argv.join(' ')}`, messages: output };
}

/** The reload line to print when the operator reloads later. */
export function reloadHint(target: NginxTarget): string {
  if (!target.bin && !target.conf && !target.prefix) return 'systemctl reload nginx (without systemd: nginx -s reload)';
  return `${target.bin ?? 'nginx'} ${args(target, '-s', 'reload').join(' ')}`;
}
