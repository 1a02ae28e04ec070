import { spawn, spawnSync } from 'node:child_process';
import {
  chmod,
  copyFile,
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, NGINX, REPO, SNIPPETS } from '../test-support/nginx.js';

/**
 * A Debian nginx in a temporary folder, for running the README's install
 * and upgrade steps word for word without touching the machine's own
 * /etc/nginx or /var/www: Debian's files (e2e/debian/) are laid out as the
 * package lays them out, under the folder, and absolute paths, in the
 * README's commands and in every configuration file, are rewritten under
 * it. Nothing else is changed but what a sandbox needs: the site listens on
 * a free loopback port instead of 80, and nginx's temporary files go under
 * the folder. Another server's sandbox (e2e/apache-sandbox.ts) lays out its
 * own files and names its own paths (a `SandboxLayout`).
 */

const DEBIAN = join(REPO, 'e2e/debian');

/** What a server's sandbox moves and runs: the parts that are not nginx's everywhere. */
export interface SandboxLayout {
  /** The absolute paths of the system's layout that the sandbox moves under its folder. */
  paths: readonly string[];
  /** The server's configuration folder, whose files are moved too. */
  configDir: string;
  /** Where the running server writes its master's pid. */
  pidFile: string;
  /** Shell lines run before the README's: the server's own commands, pointed at the sandbox. */
  prelude: (sandbox: DebianSandbox) => string;
}

/** nginx's main file and its prefix (-p), as system paths. */
interface NginxMain {
  conf: string;
  prefix: string;
}

const NGINX_LAYOUT: SandboxLayout = {
  paths: [
    '/etc/nginx',
    '/var/www/html',
    '/var/www/backsoon',
    '/var/log/nginx',
    '/var/lib/nginx',
    '/run/nginx.pid',
    // nginx.org's layout, and the hand-written configurations of e2e/nginx-install.spec.ts.
    '/var/cache/nginx',
    '/usr/share/nginx',
    '/var/run/nginx.pid',
    '/srv',
  ],
  configDir: '/etc/nginx',
  pidFile: '/run/nginx.pid',
  prelude: (sandbox) => {
    const flags = sandbox
      .nginxFlags()
      .map((f) => `'${f}'`)
      .join(' ');
    return [
      `nginx() { command ${NGINX} -e '${sandbox.path('/var/log/nginx/error.log')}' ${flags} "$@"; }`,
      // The command the README installs, this checkout's build; the commands that read nginx's configuration are told the sandbox's flags, as nginx is.
      `backsoon() { local flags=(); case " $* " in *' --nginx '*) flags=(${flags}) ;; esac; case "$1" in check | down | up | status) flags=(${flags}) ;; esac; command node '${BACKSOON_BIN}' "$@" "\${flags[@]}"; }`,
    ].join('\n');
  },
};

/** nginx.org's own files (e2e/nginx-org/). */
const NGINX_ORG = join(REPO, 'e2e/nginx-org');

/** The built `backsoon` command (npm run build, which the e2e global setup runs). */
export const BACKSOON_BIN = join(REPO, 'cli/dist/backsoon.js');

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The fenced block of a document that follows `<!-- OWNER: NAME -->`, as
 * written: the README's and docs/install-by-hand.md's commands, run by the
 * tests word for word. OWNER names the test that runs it.
 */
export function readmeBlock(readme: string, name: string, owner = 'e2e/debian-install.spec.ts'): string {
  const marker = `<!-- ${owner}: ${name} -->`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`no block marked "${marker}"`);
  const fence = /^([ \t]*)```[a-z]*\n([\s\S]*?)^\1```$/m.exec(readme.slice(at + marker.length));
  if (!fence) throw new Error(`no fenced block after "${marker}"`);
  const indent = fence[1]!;
  return fence[2]!
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n');
}

/** `text` with the absolute `paths` moved under `root`; text already moved stays as it is. */
export function remapUnder(root: string, paths: readonly string[], text: string): string {
  return paths.reduce(
    (out, system) =>
      // Not inside another path (/var/run/nginx.pid holds /run/nginx.pid), nor one already moved under the root.
      out.replace(new RegExp(`(?<![\\w.-])${escapeRegExp(system)}`, 'g'), root + system),
    text,
  );
}

/**
 * Runs README lines (paths already moved) in bash in `cwd`, stopping at the
 * first failure, with `sudo` running its command as it is (the tests run as
 * root, as the README's reader does after sudo) and `prelude`: shell
 * functions that stand for the system's commands in a sandbox.
 */
export function runReadmeLines(
  lines: string,
  cwd: string,
  prelude: string[] = [],
): Promise<{ status: number | null; output: string }> {
  // Asynchronous, so that a test can send requests while the lines run.
  const child = spawn('bash', ['-c', ['set -e', 'sudo() { "$@"; }', ...prelude, lines].join('\n')], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** Inserts `addition` on the line after the one line equal to `anchor` (indentation aside), indented like it. */
export function insertAfterLine(text: string, anchor: string, addition: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => line.trim() === anchor);
  if (at < 0 || lines.findIndex((line, i) => i > at && line.trim() === anchor) >= 0)
    throw new Error(`not one line "${anchor}" in the site`);
  const indent = /^\s*/.exec(lines[at]!)![0];
  lines.splice(
    at + 1,
    0,
    ...addition
      .trimEnd()
      .split('\n')
      .map((line) => indent + line),
  );
  return lines.join('\n');
}

/**
 * A folder that stands for `/`, for running a README's lines without
 * touching the machine: the absolute paths of a system's layout (`paths`),
 * in the lines and in the files they write, are moved under it, and the
 * lines run in bash in a built checkout of backsoon (runReadmeLines).
 * `shims` are bash lines run first: functions that run a server's binary
 * on the sandbox's files.
 */
export class Sandbox {
  constructor(
    /** The folder that stands for `/`. */
    readonly root: string,
    /** A checkout of backsoon, built: where the README's commands run. */
    readonly checkout: string,
    private readonly paths: readonly string[],
    /** Where the running server writes its master's pid (a system path). */
    protected readonly pidFile: string,
    private readonly shims: readonly string[] = [],
  ) {}

  /** Where a path of the system's layout is in the sandbox. */
  path(system: string): string {
    return join(this.root, system);
  }

  /** Text with the system's absolute paths moved under the sandbox; text already moved stays as it is. */
  remap(text: string): string {
    return remapUnder(this.root, this.paths, text);
  }

  /** Runs README lines in bash in the checkout, with the system's paths moved under the sandbox. */
  run(lines: string): Promise<{ status: number | null; output: string }> {
    return runReadmeLines(this.remap(lines), this.checkout, [...this.shims]);
  }

  /** The server's master pid, while one runs (from its pid file, a system path). */
  async masterPid(): Promise<number | undefined> {
    const text = await readFile(this.path(this.pidFile), 'utf8').catch(() => '');
    const pid = Number.parseInt(text, 10);
    if (!Number.isInteger(pid)) return undefined;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** Stops the server this sandbox started, if any, waits for it to exit, and removes the folder. */
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

export class DebianSandbox extends Sandbox {
  protected constructor(
    root: string,
    checkout: string,
    readonly port: number,
    private readonly layout: SandboxLayout = NGINX_LAYOUT,
    /** nginx's main file and prefix, as the layout has them (system paths). */
    readonly nginxMain: NginxMain = { conf: '/etc/nginx/nginx.conf', prefix: '/' },
  ) {
    super(root, checkout, layout.paths, layout.pidFile);
  }

  /** The flags that point nginx (and the backsoon command) at the sandbox's configuration. */
  nginxFlags(): string[] {
    return ['-p', `${this.path(this.nginxMain.prefix).replace(/\/?$/, '/')}`, '-c', this.path(this.nginxMain.conf)];
  }

  /** A new folder that stands for `/`, readable by the server's workers (www-data: Debian's user). */
  protected static async folder(): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'backsoon-debian-'));
    await chmod(root, 0o755);
    return root;
  }

  /** Debian's nginx files laid out under a new folder, its default site enabled, and a checkout with dist/ built. */
  static async create(port: number): Promise<DebianSandbox> {
    const root = await DebianSandbox.folder();
    const sandbox = new DebianSandbox(root, join(root, 'checkout'), port);
    const etc = sandbox.path('/etc/nginx');
    for (const dir of ['conf.d', 'modules-enabled', 'sites-available', 'sites-enabled', 'snippets'])
      await mkdir(join(etc, dir), { recursive: true });
    for (const dir of ['/var/www/html', '/var/log/nginx', '/var/lib/nginx', '/run'])
      await mkdir(sandbox.path(dir), { recursive: true });
    await copyFile(join(DEBIAN, 'proxy_params'), join(etc, 'proxy_params'));
    await copyFile('/etc/nginx/mime.types', join(etc, 'mime.types'));
    // Debian's nginx.conf, with nginx's temporary files (compiled in under
    // /var/lib/nginx) moved into the sandbox with the rest.
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((t) => `${t}_temp_path /var/lib/nginx/${t};`)
      .join(' ');
    const conf = await readFile(join(DEBIAN, 'nginx.conf'), 'utf8');
    if (!conf.includes('\nhttp {\n')) throw new Error('e2e/debian/nginx.conf: no http block');
    await writeFile(join(etc, 'nginx.conf'), conf.replace('\nhttp {\n', `\nhttp {\n\t${temp} # sandbox only\n`));
    // Debian's default site, enabled by a symlink as the package does, on a free loopback port.
    const site = (await readFile(join(DEBIAN, 'sites-available-default'), 'utf8'))
      .replace('\tlisten 80 default_server;\n', `\tlisten 127.0.0.1:${port} default_server; # sandbox only\n`)
      .replace('\tlisten [::]:80 default_server;\n', '');
    await writeFile(join(etc, 'sites-available/default'), site);
    await symlink('/etc/nginx/sites-available/default', join(etc, 'sites-enabled/default'));
    await cp(DIST, join(sandbox.checkout, 'dist'), { recursive: true });
    await cp(SNIPPETS, join(sandbox.checkout, 'nginx-snippets'), { recursive: true });
    await sandbox.remapConfig();
    return sandbox;
  }

  /**
   * nginx.org's own layout (e2e/nginx-org/) on Debian's binary: server
   * blocks in conf.d/, no sites-enabled/ nor snippets/, the prefix
   * /etc/nginx, temporary folders in /var/cache/nginx (which the package
   * makes), the stock default.conf, its location turned into a proxy by
   * `site` if given.
   */
  static async nginxOrg(port: number, site?: (text: string) => string): Promise<DebianSandbox> {
    const root = await mkdtemp(join(tmpdir(), 'backsoon-nginxorg-'));
    await chmod(root, 0o755);
    const sandbox = new DebianSandbox(
      root,
      join(root, 'checkout'),
      port,
      { ...NGINX_LAYOUT, pidFile: '/var/run/nginx.pid' },
      { conf: '/etc/nginx/nginx.conf', prefix: '/etc/nginx' },
    );
    for (const dir of [
      '/etc/nginx/conf.d',
      '/var/cache/nginx',
      '/var/log/nginx',
      '/var/run',
      '/usr/share/nginx/html',
      '/checkout',
    ])
      await mkdir(sandbox.path(dir), { recursive: true });
    await copyFile('/etc/nginx/mime.types', sandbox.path('/etc/nginx/mime.types'));
    // nginx.org's binary has these compiled in; Debian's has its own, so the sandbox says them.
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((t) => `${t}_temp_path /var/cache/nginx/${t}_temp;`)
      .join(' ');
    const conf = (await readFile(join(NGINX_ORG, 'nginx.conf'), 'utf8'))
      // Debian has no user nginx: its workers run as www-data here.
      .replace('user  nginx;', 'user  www-data; # sandbox only')
      .replace('\nhttp {\n', `\nhttp {\n    ${temp} # sandbox only\n`);
    await writeFile(sandbox.path('/etc/nginx/nginx.conf'), conf);
    const text = (await readFile(join(NGINX_ORG, 'default.conf'), 'utf8')).replace(
      '    listen       80;\n',
      `    listen       127.0.0.1:${port}; # sandbox only\n`,
    );
    await writeFile(sandbox.path('/etc/nginx/conf.d/default.conf'), site ? site(text) : text);
    await sandbox.remapConfig();
    return sandbox;
  }

  /**
   * A hand-written configuration: `files` by system path (the first is
   * nginx's main file), with `${PORT}` for a free port of the test's.
   */
  static async handWritten(port: number, files: Record<string, string>): Promise<DebianSandbox> {
    const root = await mkdtemp(join(tmpdir(), 'backsoon-hand-'));
    await chmod(root, 0o755);
    const [main] = Object.keys(files);
    const sandbox = new DebianSandbox(root, join(root, 'checkout'), port, NGINX_LAYOUT, {
      conf: main!,
      prefix: '/usr/share/nginx',
    });
    for (const dir of ['/var/log/nginx', '/var/lib/nginx', '/run', '/checkout'])
      await mkdir(sandbox.path(dir), { recursive: true });
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(sandbox.path(path), '..'), { recursive: true });
      await writeFile(sandbox.path(path), sandbox.remap(text));
    }
    return sandbox;
  }

  /** Starts nginx on the sandbox's configuration (it goes to the background, as a server's does). */
  async start(): Promise<void> {
    const result = spawnSync(NGINX, this.nginxFlags(), { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`nginx did not start:\n${result.stderr}`);
  }

  /** Runs the built `backsoon` command, as root, with the sandbox's nginx flags for the commands that read nginx. */
  async backsoon(args: string): Promise<{ status: number | null; output: string }> {
    return this.run(`backsoon ${args}`);
  }

  /** Moves the paths of every file under the sandbox's configuration folder (the README's steps add files there). */
  async remapConfig(): Promise<void> {
    const etc = this.path(this.layout.configDir);
    for (const entry of await readdir(etc, { recursive: true, withFileTypes: true })) {
      const file = join(entry.parentPath, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await readlink(file);
        if (this.remap(target) === target) continue;
        await rm(file);
        await symlink(this.remap(target), file);
      } else if (entry.isFile()) {
        const text = await readFile(file, 'utf8');
        const moved = this.remap(text);
        if (moved !== text) await writeFile(file, moved);
      }
    }
  }

  /**
   * Runs README lines in bash in the checkout, with Debian's paths moved
   * under the sandbox, `sudo` running its command as it is (the tests run
   * as root, as the README's reader does after sudo), and the server's
   * commands (`nginx`) running Debian's binary on the sandbox's configuration.
   */
  override run(lines: string): Promise<{ status: number | null; output: string }> {
    return runReadmeLines(this.remap(lines), this.checkout, [this.layout.prelude(this)]);
  }

  /**
   * Every file, link and folder under these system paths, by path, with
   * its bytes (a link's target) and mode: two snapshots are equal when
   * every byte is back as it was.
   */
  async snapshot(systemPaths: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const visit = async (path: string): Promise<void> => {
      const info = await lstat(path).catch(() => undefined);
      if (!info) return;
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isSymbolicLink()) out.set(path, `link ${mode} ${await readlink(path)}`);
      else if (info.isDirectory()) {
        out.set(path, `dir ${mode}`);
        for (const name of await readdir(path)) await visit(join(path, name));
      } else if (info.isFile()) out.set(path, `file ${mode} ${(await readFile(path)).toString('base64')}`);
      else out.set(path, `other ${mode}`);
    };
    for (const system of systemPaths) await visit(this.path(system));
    return out;
  }
}
