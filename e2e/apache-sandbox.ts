import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, REPO } from '../test-support/nginx.js';
import { DebianSandbox, type SandboxLayout } from './debian-sandbox.js';

/**
 * Debian's Apache in a temporary folder, for running apache-snippets/
 * README.md's steps word for word, the way e2e/debian-sandbox.ts does for
 * nginx: the package's own /etc/apache2 (copied from this Debian machine,
 * where `dpkg -V apache2` finds it unchanged) under the folder, and the
 * absolute paths of the README's commands and of every configuration file
 * moved under it. Debian's own commands do the work: `a2enmod` and
 * `apachectl` (apache2ctl) read the sandbox's folder from APACHE_CONFDIR,
 * and `systemctl reload apache2` is apache2ctl's graceful restart, which
 * starts Apache when it is not running. Besides, only what a sandbox needs
 * is changed: Apache listens on a free loopback port instead of 80.
 */
const APACHE_LAYOUT: SandboxLayout = {
  paths: ['/etc/apache2', '/var/www', '/var/log/apache2', '/var/lib/apache2', '/var/run/apache2', '/var/lock/apache2'],
  configDir: '/etc/apache2',
  // Debian's envvars: APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid.
  pidFile: '/var/run/apache2/apache2.pid',
  prelude: (sandbox) =>
    [
      `export APACHE_CONFDIR='${sandbox.path('/etc/apache2')}'`,
      // a2enmod's record of what the admin enabled (Debian keeps it in /var/lib/apache2).
      `export APACHE_STATE_DIRECTORY='${sandbox.path('/var/lib/apache2')}'`,
      // apache2ctl would hand `start` to systemd where systemd is init.
      'export APACHE_STARTED_BY_SYSTEMD=1',
      'systemctl() { case "$1 $2" in "reload apache2") apache2ctl graceful ;; "restart apache2") apache2ctl restart ;; *) echo "systemctl $*: not in the sandbox" >&2; return 1 ;; esac; }',
    ].join('\n'),
};

export class ApacheSandbox extends DebianSandbox {
  /** Debian's /etc/apache2 laid out under a new folder, its default site enabled, and a checkout with dist/ built. */
  static override async create(port: number): Promise<ApacheSandbox> {
    const root = await DebianSandbox.folder();
    const sandbox = new ApacheSandbox(root, join(root, 'checkout'), port, APACHE_LAYOUT);
    const etc = sandbox.path('/etc/apache2');
    // Debian's files as the package ships them, or the test would follow the README on something else.
    const changed = spawnSync('dpkg', ['-V', 'apache2', 'apache2-data'], { encoding: 'utf8' });
    if (changed.status !== 0 || changed.stdout.trim() !== '')
      throw new Error(
        `/etc/apache2 is not as Debian's apache2 ships it (dpkg -V):\n${changed.stdout}${changed.stderr}`,
      );
    // As the package lays it out: modules, configurations and sites, enabled by relative links.
    await cp('/etc/apache2', etc, { recursive: true, verbatimSymlinks: true });
    for (const dir of ['/var/www/html', '/var/log/apache2', '/var/lib/apache2', '/var/run', '/var/lock'])
      await mkdir(sandbox.path(dir), { recursive: true });
    // Debian's default page, which the package puts there.
    await writeFile(
      sandbox.path('/var/www/html/index.html'),
      '<!doctype html><title>Apache2 Debian Default Page</title>\n',
    );
    await replaceIn(join(etc, 'ports.conf'), '\nListen 80\n', `\nListen 127.0.0.1:${port}\n`);
    await replaceIn(join(etc, 'sites-available/000-default.conf'), '<VirtualHost *:80>', `<VirtualHost *:${port}>`);
    await cp(DIST, join(sandbox.checkout, 'dist'), { recursive: true });
    await cp(join(REPO, 'apache-snippets'), join(sandbox.checkout, 'apache-snippets'), { recursive: true });
    await sandbox.remapConfig();
    return sandbox;
  }
}

/** Replaces the one occurrence of `find` in a file. */
async function replaceIn(file: string, find: string, replace: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  if (text.split(find).length !== 2) throw new Error(`${file}: not one "${find.trim()}"`);
  await writeFile(file, text.replace(find, replace));
}
