import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, REPO } from '../test-support/nginx.js';
import { remapUnder, runReadmeLines } from './debian-sandbox.js';

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

export class HaproxySandbox {
  private constructor(
    /** The folder that stands for `/`. */
    readonly root: string,
    /** A checkout of backsoon, built: where the README's commands run. */
    readonly checkout: string,
    readonly port: number,
  ) {}

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
    const started = spawnSync('haproxy', ['-W', '-f', sandbox.config, '-p', sandbox.pidFile], { encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`haproxy did not start:\n${started.stdout}${started.stderr}`);
    return sandbox;
  }

  /** Where a path of Debian's layout is in the sandbox. */
  path(system: string): string {
    return join(this.root, system);
  }

  get config(): string {
    return this.path('/etc/haproxy/haproxy.cfg');
  }

  private get pidFile(): string {
    return this.path('/run/haproxy.pid');
  }

  /** Text with the README's absolute paths moved under the sandbox; text already moved stays as it is. */
  remap(text: string): string {
    return remapUnder(this.root, SYSTEM_PATHS, text);
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
  run(lines: string): Promise<{ status: number | null; output: string }> {
    const systemctl = `systemctl() {
  case "$1 $2" in
    "reload haproxy"|"reload-or-restart haproxy") ;;
    *) echo "sandbox: no systemctl $*" >&2; return 1 ;;
  esac
  command haproxy -c -q -f '${this.config}' || return 1
  if [ -s '${this.pidFile}' ] && kill -0 "$(cat '${this.pidFile}')" 2>/dev/null; then
    kill -USR2 "$(cat '${this.pidFile}')"
  else
    command haproxy -W -f '${this.config}' -p '${this.pidFile}'
  fi
}`;
    return runReadmeLines(this.remap(lines), this.checkout, [systemctl]);
  }

  /** The HAProxy master's pid, while one runs. */
  async masterPid(): Promise<number | undefined> {
    const pid = Number.parseInt(await readFile(this.pidFile, 'utf8').catch(() => ''), 10);
    if (!Number.isInteger(pid)) return undefined;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** Stops the HAProxy this sandbox started, waits for it to exit, and removes the folder. */
  async destroy(): Promise<void> {
    const pid = await this.masterPid();
    if (pid !== undefined) {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 5000;
      while ((await this.masterPid()) !== undefined && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
    }
    await rm(this.root, { recursive: true, force: true });
  }
}
