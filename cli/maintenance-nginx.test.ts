import { chmod, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from './backsoon.js';
import { nginxTestWithSnippets, type NginxTestRun } from '../test-support/nginx-dump.js';
import { captureIo } from '../test-support/capture-io.js';

// `backsoon down`, `up` and `status` asking the real nginx (nginx -T) what
// it serves, as `backsoon check` does: the shipped snippets, included as
// on Debian.

const runs: NginxTestRun[] = [];

afterEach(async () => {
  for (const run of runs.splice(0)) await rm(run.prefix, { recursive: true, force: true });
});

const STAFF = 'include snippets/backsoon/http/backsoon-staff.conf;';
const CRASH = 'include snippets/backsoon/server/backsoon.conf;';
const MAINTENANCE = 'include snippets/backsoon/server/backsoon-maintenance.conf;';
const server = (root: string, ...lines: string[]): string => `
    server {
        listen 127.0.0.1:9;
        server_name example.test;
        root ${root};
        ${lines.join('\n        ')}
        location / { proxy_pass http://127.0.0.1:9; proxy_set_header Cookie $backsoon_app_cookie; }
    }`;

async function configure(http: string): Promise<NginxTestRun> {
  const run = await nginxTestWithSnippets(http);
  runs.push(run);
  expect(run.ok, run.messages).toBe(true);
  return run;
}

/** Runs the command with the test's nginx; resolves to its exit code and output. */
async function backsoon(
  run: NginxTestRun,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const code = await main([...args, '-c', run.conf, '-p', run.prefix], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const flagOf = (run: NginxTestRun): Promise<boolean> =>
  readdir(join(run.prefix, 'www/__backsoon')).then((names) => names.includes('maintenance.on'));

describe('backsoon down, asking nginx', () => {
  it('switches maintenance on where the server block has the maintenance include', async () => {
    const run = await configure(`${STAFF}\n${server('PREFIX/www', CRASH, MAINTENANCE)}`);
    const result = await backsoon(run, 'down', '--root', join(run.prefix, 'www'));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Visitors get the maintenance page (503)');
    expect(await flagOf(run)).toBe(true);
  });

  it('refuses, changing nothing, where the server block has backsoon’s include but not the maintenance one, and names the fix', async () => {
    const run = await configure(`${STAFF}\n${server('PREFIX/www', CRASH)}`);
    const result = await backsoon(run, 'down', '--root', join(run.prefix, 'www'), '--message', 'New database');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^backsoon down: nothing switched on, since nginx would not show the maintenance page: server example\.test/,
    );
    expect(result.stderr).toMatch(/server example\.test \(listen 127\.0\.0\.1:9\) \([^)]*nginx\.conf:\d+\) has root /);
    expect(result.stderr).toContain('\n    include snippets/backsoon/server/backsoon-maintenance.conf;\n');
    expect(result.stderr).toContain('backsoon-staff.conf /etc/nginx/conf.d/');
    expect(await readdir(join(run.prefix, 'www/__backsoon'))).not.toEqual(
      expect.arrayContaining(['maintenance.on', 'maintenance.json']),
    );
  });

  it('refuses a root that no server block of nginx has', async () => {
    const run = await configure(`${STAFF}\n${server('PREFIX/www', CRASH, MAINTENANCE)}`);
    const other = join(run.prefix, 'other');
    const result = await backsoon(run, 'down', '--root', other);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `no server block of nginx's configuration has root ${other} (those with backsoon have ${run.prefix}/www)`,
    );
  });

  it('with --force, switches it on anyway and warns', async () => {
    const run = await configure(`${STAFF}\n${server('PREFIX/www', CRASH)}`);
    const result = await backsoon(run, 'down', '--root', join(run.prefix, 'www'), '--force');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: switched on anyway \(--force\), but server example\.test/);
    expect(result.stdout).not.toContain('Visitors get the maintenance page');
    expect(await flagOf(run)).toBe(true);
  });

  it('warns, and goes on, when nginx is not installed', async () => {
    const run = await configure(`${STAFF}\n${server('PREFIX/www', CRASH)}`);
    const result = await backsoon(run, 'down', '--root', join(run.prefix, 'www'), '--nginx', '/nonexistent/nginx');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: not checked that nginx shows the maintenance page for .*: cannot run \/nonexistent\/nginx/,
    );
    expect(await flagOf(run)).toBe(true);
  });
});

describe('as a user who may not run nginx -T', () => {
  /** Debian's own nginx and configuration, run as nobody, as `backsoon` would run them without sudo. */
  async function nginxAsNobody(run: NginxTestRun): Promise<string> {
    const wrapper = join(run.prefix, 'nginx-as-nobody');
    await writeFile(wrapper, '#!/bin/sh\nexec setpriv --reuid=nobody --regid=nogroup --clear-groups nginx -T\n');
    await chmod(wrapper, 0o755);
    return wrapper;
  }

  it('status without --root says that nginx -T needs root, not that nginx has no server block with backsoon', async () => {
    const run = await configure(`${STAFF}\n${server('PREFIX/www', CRASH, MAINTENANCE)}`);
    const io = captureIo();
    expect(await main(['status', '--nginx', await nginxAsNobody(run)], io)).toBe(2);
    expect(io.stderr()).toMatch(
      /^backsoon status: no --root given, no BACKSOON_ROOT set, and nginx's configuration could not be read to find the root: nginx -T may not run as this user: open\(\) "[^"]+" failed \(13: Permission denied\)\. nginx -T opens nginx's pid file and logs, which are root's: run this with sudo\. Or give --root DIR\n$/,
    );
  });

  it('down with --root warns that it could not check nginx, and goes on', async () => {
    const run = await configure(`${STAFF}\n${server('PREFIX/www', CRASH, MAINTENANCE)}`);
    const io = captureIo();
    const root = join(run.prefix, 'www');
    expect(await main(['down', '--root', root, '--nginx', await nginxAsNobody(run)], io)).toBe(0);
    expect(io.stderr()).toMatch(/^warning: not checked .*\(13: Permission denied\).*run this with sudo\n$/);
    expect(await flagOf(run)).toBe(true);
  });
});
