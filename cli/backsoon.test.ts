import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, main } from './backsoon.js';
import type { Io } from './command.js';

function captureIo(env: NodeJS.ProcessEnv = {}): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    now: () => Date.parse('2026-11-21T14:00:00Z'),
    env,
    stdin: async () => '',
    stdout: () => out,
    stderr: () => err,
  };
}

describe('backsoon', () => {
  it('lists its commands, and fails without one', async () => {
    const io = captureIo();
    expect(await main([], io)).toBe(2);
    for (const command of COMMANDS) expect(io.stdout()).toContain(`  ${command.name}`);
    expect(await main(['--help'], captureIo())).toBe(0);
  });

  it('has --help for every command, which exits with 0 and starts with its usage', async () => {
    for (const command of COMMANDS) {
      const io = captureIo();
      expect(await main([command.name, '--help'], io)).toBe(0);
      expect(io.stdout()).toMatch(new RegExp(`^Usage: backsoon ${command.name}`));
    }
  });

  it('names an unknown command or option, exits with 2, and shows the usage', async () => {
    const unknown = captureIo();
    expect(await main(['deploy'], unknown)).toBe(2);
    expect(unknown.stderr()).toMatch(/^backsoon unknown command "deploy"/);

    const option = captureIo();
    expect(await main(['token', '--lenght', '20'], option)).toBe(2);
    expect(option.stderr()).toMatch(/^backsoon token: Unknown option '--lenght'/);
    expect(option.stderr()).toContain('Usage: backsoon token');
  });

  it('says what is wrong, prefixed by the command, and exits with 1', async () => {
    const io = captureIo();
    expect(await main(['down', '--until', 'soon', '--root', '/nonexistent'], io)).toBe(1);
    expect(io.stderr()).toBe(
      'backsoon down: --until soon: give a duration (15m, 2h, 1h30m) or a time with its zone (2026-11-21T14:30:00Z)\n',
    );
    expect(io.stdout()).toBe('');
  });

  it('install needs --nginx or --root; uninstall needs --nginx', async () => {
    const io = captureIo();
    expect(await main(['install'], io)).toBe(2);
    expect(io.stderr()).toMatch(/^backsoon install: --nginx or --root is required/);
    const nginxHelp = captureIo();
    expect(await main(['install', '--nginx', '--help'], nginxHelp)).toBe(0);
    expect(nginxHelp.stdout()).toMatch(/^Usage: backsoon install --nginx \[--dry-run\]/);
    const bad = captureIo();
    expect(await main(['install', '--nginx', '--rate', 'fast'], bad)).toBe(2);
    expect(bad.stderr()).toMatch(/^backsoon install: --rate fast: give a whole number/);
    const un = captureIo();
    expect(await main(['uninstall'], un)).toBe(2);
    expect(un.stderr()).toMatch(/^backsoon uninstall: say which server: --nginx/);
  });

  it('takes the root from BACKSOON_ROOT for down, status and up', async () => {
    const root = await mkdtemp(join(tmpdir(), 'backsoon-cli-'));
    try {
      await mkdir(join(root, '__backsoon'));
      await writeFile(join(root, '__backsoon/index.html'), 'page');
      await writeFile(join(root, '__backsoon/maintenance.html'), 'page');
      const env = { BACKSOON_ROOT: root };
      const downIo = captureIo(env);
      expect(await main(['down', '--message', 'New database', '--until', '30m'], downIo)).toBe(0);
      expect(downIo.stdout()).toContain(
        `Maintenance is on for ${root}, announced until 2026-11-21T14:30:00.000Z (in 30 min).`,
      );
      expect(JSON.parse(await readFile(join(root, '__backsoon/maintenance.json'), 'utf8'))).toEqual({
        message: 'New database',
        until: '2026-11-21T14:30:00.000Z',
      });
      const statusIo = captureIo(env);
      expect(await main(['status'], statusIo)).toBe(0);
      expect(statusIo.stdout()).toContain('message: New database');
      expect(statusIo.stdout()).toContain('until:   2026-11-21T14:30:00.000Z (in 30 min)');
      const upIo = captureIo(env);
      expect(await main(['up'], upIo)).toBe(0);
      expect(upIo.stdout()).toBe(`Maintenance is off for ${root}: visitors go back by themselves.\n`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('token prints a token and its exact map line', async () => {
    const io = captureIo();
    expect(await main(['token'], io)).toBe(0);
    const [token] = io.stdout().split('\n');
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect(io.stdout()).toContain(`\n    "~^${token}$" 1;\n`);
    expect(io.stdout()).toContain(`/__backsoon/bypass?token=${token}`);
  });
});
