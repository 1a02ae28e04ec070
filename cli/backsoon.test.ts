import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, main } from './backsoon.js';
import { nginxTestWithSnippets } from '../test-support/nginx-dump.js';
import { captureIo } from '../test-support/capture-io.js';

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
    expect(unknown.stderr()).toMatch(/^backsoon: unknown command: deploy\n\nUsage: backsoon <command>/);

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

  it('down --help says what stays open during maintenance: ACME’s challenge, not all of /.well-known/', async () => {
    const io = captureIo();
    expect(await main(['down', '--help'], io)).toBe(0);
    expect(io.stdout()).toContain('(/.well-known/acme-challenge/<token>, so that certificates renew)');
    expect(io.stdout()).not.toMatch(/\/\.well-known\/[^a]/);
  });

  it('stops quietly when the reader of its output goes away (backsoon token | head -c 0): exit 0, no EPIPE', () => {
    const cli = join(import.meta.dirname, 'backsoon.ts');
    const tsx = join(import.meta.dirname, '../node_modules/.bin/tsx');
    // head -c 0 exits at once, long before the command has started and writes: every write meets a closed pipe.
    const run = spawnSync('bash', ['-o', 'pipefail', '-c', `${tsx} ${cli} token | head -c 0`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('install needs --nginx or --root; uninstall needs --nginx', async () => {
    const io = captureIo();
    expect(await main(['install'], io)).toBe(2);
    expect(io.stderr()).toMatch(/^backsoon install: --nginx or --root is required/);
    const nginxHelp = captureIo();
    expect(await main(['install', '--nginx', '--help'], nginxHelp)).toBe(0);
    expect(nginxHelp.stdout()).toMatch(/^Usage: backsoon install --nginx \[--dry-run\]/);
    expect(nginxHelp.stdout()).not.toContain('--rate');
    expect(nginxHelp.stdout()).toContain('--health PATH     the path the probe and its turns ask the app');
    // Turns follow the app's own pace: no rate to give, and --rate is unknown like any other stray option.
    const bad = captureIo();
    expect(await main(['install', '--nginx', '--rate', '40'], bad)).toBe(2);
    expect(bad.stderr()).toMatch(/^backsoon install: Unknown option '--rate'/);
    const badHealth = captureIo();
    expect(await main(['install', '--nginx', '--health', 'healthz'], badHealth)).toBe(2);
    expect(badHealth.stderr()).toMatch(/^backsoon install: --health healthz: give a path that starts with \//);
    const un = captureIo();
    expect(await main(['uninstall'], un)).toBe(2);
    expect(un.stderr()).toMatch(/^backsoon uninstall: say which server: --nginx/);
  });

  it('takes the root from BACKSOON_ROOT for down, status and up', async () => {
    const run = await nginxTestWithSnippets(`include snippets/backsoon/http/backsoon-staff.conf;
    server {
        root PREFIX/www;
        include snippets/backsoon/server/backsoon.conf;
        include snippets/backsoon/server/backsoon-maintenance.conf;
    }`);
    const root = join(run.prefix, 'www');
    const nginx = ['-c', run.conf, '-p', run.prefix];
    try {
      const env = { BACKSOON_ROOT: root };
      const downIo = captureIo(env);
      expect(await main(['down', '--message', 'New database', '--until', '30m', ...nginx], downIo)).toBe(0);
      expect(downIo.stdout()).toContain(
        `Maintenance is on for ${root}, announced until 2026-11-21T14:30:00.000Z (in 30 min).`,
      );
      expect(JSON.parse(await readFile(join(root, '__backsoon/maintenance.json'), 'utf8'))).toEqual({
        message: 'New database',
        until: '2026-11-21T14:30:00.000Z',
      });
      const statusIo = captureIo(env);
      expect(await main(['status', ...nginx], statusIo)).toBe(0);
      expect(statusIo.stdout()).toContain('message: New database');
      expect(statusIo.stdout()).toContain('until:   2026-11-21T14:30:00.000Z (in 30 min)');
      const upIo = captureIo(env);
      expect(await main(['up', ...nginx], upIo)).toBe(0);
      expect(upIo.stdout()).toBe(`Maintenance is off for ${root}: visitors go back by themselves.\n`);
    } finally {
      await rm(run.prefix, { recursive: true, force: true });
    }
  });

  it('up and status exit with 1 for a mistyped root, saying so', async () => {
    const site = await mkdtemp(join(tmpdir(), 'backsoon-cli-'));
    try {
      for (const command of ['up', 'status']) {
        const missing = captureIo();
        expect(await main([command, '--root', join(site, 'wwww')], missing)).toBe(1);
        expect(missing.stderr()).toBe(
          `backsoon ${command}: ${join(site, 'wwww')}: no such folder (the server block's root, as in \`root ${join(site, 'wwww')};\`)\n`,
        );
        const bare = captureIo();
        expect(await main([command, '--root', site], bare)).toBe(1);
        expect(bare.stderr()).toMatch(new RegExp(`^backsoon ${command}: ${site} has no __backsoon/: `));
        expect(bare.stdout()).toBe('');
      }
    } finally {
      await rm(site, { recursive: true, force: true });
    }
  });

  it('token prints a token of 48 hex digits and its exact line for the staff file’s token map', async () => {
    const io = captureIo();
    expect(await main(['token'], io)).toBe(0);
    const [token] = io.stdout().split('\n');
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(io.stdout()).toContain(
      'Add this line to the map $backsoon_token $backsoon_staff_token block of backsoon-staff.conf',
    );
    expect(io.stdout()).toContain(`\n    "~^${token}\\z" 1;\n`);
    expect(io.stdout()).toContain(`/__backsoon/bypass?token=${token}`);

    const long = captureIo();
    expect(await main(['token', '--length', '64'], long)).toBe(0);
    expect(long.stdout()).toMatch(/^[0-9a-f]{64}\n/);
  });
});
