import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, REPO } from '../test-support/nginx.js';
import { runReadmeLines, Sandbox } from './debian-sandbox.js';

/**
 * Debian's HAProxy in a temporary folder, for running haproxy-snippets/
 * README.md's steps word for word without touching the machine's own
 * /etc/haproxy: Debian's haproxy.cfg (e2e/debian/haproxy.cfg) and error
 * files laid out as the package lays them out, under the folder, and
 * HAProxy started on it as the package starts it (master-worker). The
 * README's absolute paths are rewritten under the folder, its `bind :80`
 * becomes a free loopback port, and `systemctl` stands for Debian's unit:
 * check the configuration, then USR2 to the master (or start it).
 */

/** The absolute paths of Debian's layout (and the README's site) that the sandbox moves under its folder. */
const SYSTEM_PATHS = ['/etc/haproxy', '/var/www/example', '/run/haproxy', '/var/lib/haproxy'];

export class HaproxySandbox extends Sandbox {
  private constructor(
    root: string,
    checkout: string,
    readonly port: number,
  ) {
    super(root, checkout, SYSTEM_PATHS, '/run/haproxy.pid');
  }

  /** Debian's haproxy.cfg, running, and a checkout with dist/ built. */
  static async create(port: number): Promise<HaproxySandbox> {
    const root = await mkdtemp(join(tmpdir(), 'backsoon-debian-haproxy-'));
    await chmod(root, 0o755);
    const sandbox = new HaproxySandbox(root, join(root, 'checkout'), port);
    for (const dir of ['/etc/haproxy', '/var/lib/haproxy', '/run/haproxy'])
      await mkdir(sandbox.path(dir), { recursive: true });
    await cp(join(REPO, 'e2e/debian/haproxy.cfg'), sandbox.config);
    // The package's own error files, which Debian's haproxy.cfg names.
    await cp('/etc/haproxy/errors', sandbox.path('/etc/haproxy/errors'), { recursive: true });
    await cp(DIST, join(sandbox.checkout, 'dist'), { recursive: true });
    await sandbox.remapConfig();
    const started = spawnSync('haproxy', ['-W', '-f', sandbox.config, '-p', sandbox.path(sandbox.pidFile)], {
      encoding: 'utf8',
    });
    if (started.status !== 0) throw new Error(`haproxy did not start:\n${started.stdout}${started.stderr}`);
    return sandbox;
  }

  get config(): string {
    return this.path('/etc/haproxy/haproxy.cfg');
  }

  /** Moves the paths of haproxy.cfg under the sandbox, and its `bind :80` to the sandbox's port. */
  async remapConfig(): Promise<void> {
    const text = await readFile(this.config, 'utf8');
    await writeFile(
      this.config,
      this.remap(text).replace(/^(\s*)bind :80$/gm, `$1bind 127.0.0.1:${this.port} # sandbox only`),
    );
  }

  /** Runs README lines in bash in the checkout, paths moved, `systemctl reload(-or-restart) haproxy` as Debian's unit does it. */
  override run(lines: string): Promise<{ status: number | null; output: string }> {
    const pid = this.path(this.pidFile);
    const systemctl = `systemctl() {
  case "$1 $2" in
    "reload haproxy"|"reload-or-restart haproxy") ;;
    *) echo "sandbox: no systemctl $*" >&2; return 1 ;;
  esac
  command haproxy -c -q -f '${this.config}' || return 1
  if [ -s '${pid}' ] && kill -0 "$(cat '${pid}')" 2>/dev/null; then
    kill -USR2 "$(cat '${pid}')"
  else
    command haproxy -W -f '${this.config}' -p '${pid}'
  fi
}`;
    return runReadmeLines(this.remap(lines), this.checkout, [systemctl]);
  }
}
