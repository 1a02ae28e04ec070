import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { KIT_FOLDER } from '../src/protocol.js';
import { mapLine } from '../cli/token.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SNIPPETS = join(REPO, 'nginx-snippets');
export const DIST = join(REPO, 'dist');
export const NGINX = process.env.NGINX_BIN ?? 'nginx';
/** Where Debian's libnginx-mod-* packages put nginx's dynamic modules. */
export const NGINX_MODULES = process.env.NGINX_MODULES ?? '/usr/lib/nginx/modules';
/** nginx's JavaScript module (njs), from Debian's libnginx-mod-http-js: the hold needs it. */
export const NJS_MODULE = 'ngx_http_js_module';
/** nginx's brotli_static, from Debian's libnginx-mod-http-brotli-static: server/backsoon-brotli.conf needs it. */
export const BROTLI_MODULE = 'ngx_http_brotli_static_module';

/** Whether a dynamic module (by name, as `ngx_http_js_module`) is installed. */
export function hasModule(name: string): boolean {
  return existsSync(join(NGINX_MODULES, `${name}.so`));
}

export interface NginxOptions {
  /** A server block with `${NAME}` placeholders: LISTEN, ROOT, SNIPPETS, APP and any of `vars`. */
  vhost: string;
  /** The app's port, for `${APP}` (127.0.0.1:port). */
  appPort: number;
  /** More placeholders. */
  vars?: Record<string, string>;
  /** Edits the installed pages' HTML (crash and maintenance) before nginx starts; `null` removes them. */
  page?: ((html: string) => string | null) | undefined;
  /** Entries added to the staff file (http/backsoon-staff.conf), as an operator would. */
  staff?: StaffEntries;
  /** The build to install. @default dist/ */
  dist?: string;
  /** The window of turns (location/backsoon-probe.conf's `limit_conn backsoon_turns 4`), as an operator edits it. @default the shipped 4 */
  turnWindow?: number;
  /**
   * Turns at a fixed rate (a `limit_req` zone at `rate` a second with this
   * `burst`) instead of the window: the way an operator had to pace them by
   * hand before, for the load benchmark's hand-tuned rows.
   */
  turnRate?: { rate: number; burst: number };
  /** Dynamic modules to load (`load_module`), by name, from NGINX_MODULES. @default none */
  modules?: string[];
  /** worker_connections of the one worker (clients and upstreams together). @default 256 */
  workerConnections?: number;
}

export interface StaffEntries {
  /** Addresses or CIDR ranges that bypass maintenance. */
  ips?: string[];
  /** Bypass tokens for the secret link, written as the staff file says (`"~^<token>\z" 1;`). */
  tokens?: string[];
  /** More paths open during maintenance: map keys as the operator writes them (`"~^/healthz\z"`). */
  openPaths?: string[];
}

/** Where the README's install puts the snippets, relative to nginx's configuration folder; the staff file includes the kit's http half from there. */
export const INSTALLED_SNIPPETS = 'snippets/backsoon';

/**
 * The shipped staff file as an operator edits it: entries added under the
 * `default 0;` line of each of its blocks, and its include of the kit's
 * http half pointed at `snippets` (this checkout's, unless told).
 */
export function staffConfig(template: string, staff: StaffEntries = {}, snippets = SNIPPETS): string {
  const insert = (text: string, block: string, lines: string[]): string => {
    const at = text.indexOf(block);
    const defaultLine = text.indexOf('default 0;', at);
    if (at < 0 || defaultLine < 0) throw new Error(`staff template: no "${block}" block with a default`);
    const end = defaultLine + 'default 0;'.length;
    return text.slice(0, end) + lines.map((l) => `\n    ${l}`).join('') + text.slice(end);
  };
  if (!template.includes(`include ${INSTALLED_SNIPPETS}/`))
    throw new Error(`staff template: no include of ${INSTALLED_SNIPPETS}/`);
  let text = template.replaceAll(`include ${INSTALLED_SNIPPETS}/`, `include ${snippets}/`);
  text = insert(
    text,
    'geo $backsoon_staff_ip {',
    (staff.ips ?? []).map((ip) => `${ip} 1;`),
  );
  text = insert(text, 'map $backsoon_token $backsoon_staff_token {', (staff.tokens ?? []).map(mapLine));
  text = insert(
    text,
    'map $uri $backsoon_maintenance_open {',
    (staff.openPaths ?? []).map((key) => `${key} 1;`),
  );
  return text;
}

/**
 * Copies the http-level snippets into a run's prefix, as an operator copies
 * them to conf.d/: the staff file with `staff` added, the probe's file with
 * its cache in the prefix. Returns the `${STAFF}` and `${PROBE}` placeholders.
 */
export async function installHttpSnippets(
  prefix: string,
  options: Pick<NginxOptions, 'staff' | 'turnRate'> = {},
): Promise<{ STAFF: string; PROBE: string; PROBE_LOCATION: string }> {
  const STAFF = join(prefix, 'backsoon-staff.conf');
  await writeFile(
    STAFF,
    staffConfig(await readFile(join(SNIPPETS, 'http/backsoon-staff.conf'), 'utf8'), options.staff),
  );
  const PROBE = join(prefix, 'backsoon-probe.conf');
  let probe = await readFile(join(SNIPPETS, 'http/backsoon-probe.conf'), 'utf8');
  probe = replaceOnce(probe, '/var/lib/nginx/backsoon-probe', join(prefix, 'tmp/probe-cache'));
  if (options.turnRate) {
    probe = replaceOnce(
      probe,
      'limit_conn_zone $backsoon_admit_key zone=backsoon_turns:1m;',
      `limit_req_zone $backsoon_admit_key zone=backsoon_turns_rate:1m rate=${options.turnRate.rate}r/s;`,
    );
  }
  await writeFile(PROBE, probe);
  return { STAFF, PROBE, PROBE_LOCATION: join(SNIPPETS, 'location/backsoon-probe.conf') };
}

/** The probe's location snippet with another window of turns, or a rate instead, as an operator edits it. */
async function installProbeLocation(
  prefix: string,
  options: Pick<NginxOptions, 'turnWindow' | 'turnRate'>,
): Promise<string> {
  const path = join(prefix, 'backsoon-probe-location.conf');
  const text = await readFile(join(SNIPPETS, 'location/backsoon-probe.conf'), 'utf8');
  const window = 'limit_conn backsoon_turns 4;';
  const turns = options.turnRate
    ? `limit_req zone=backsoon_turns_rate burst=${options.turnRate.burst} nodelay;`
    : `limit_conn backsoon_turns ${options.turnWindow ?? 4};`;
  let edited = replaceOnce(text, window, turns);
  // A rate's turns were answered from the probe's cache, never asked of the app.
  if (options.turnRate) {
    edited = replaceOnce(edited, 'proxy_cache_bypass $backsoon_turn;\n', '');
    edited = replaceOnce(edited, 'proxy_no_cache $backsoon_turn;\n', '');
  }
  await writeFile(path, edited);
  return path;
}

/** Edits a shipped snippet as an operator would; a snippet that changed under the edit is an error. */
function replaceOnce(text: string, find: string, replacement: string): string {
  if (text.split(find).length !== 2) throw new Error(`snippet edit: "${find}" is not in the snippet exactly once`);
  return text.replace(find, () => replacement);
}

/** Fills `${NAME}` placeholders; a name without a value is an error, not an empty string. */
export function fillTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`vhost template: no value for \${${name}}`);
    return value;
  });
}

/** The `load_module` lines for dynamic modules, by name. */
export function loadModules(modules: string[] = []): string {
  return modules.map((name) => `load_module ${join(NGINX_MODULES, `${name}.so`)};\n`).join('');
}

/**
 * Makes `snippets/backsoon/` inside a config folder point at the kit's
 * snippets, as on a server where they are in /etc/nginx/snippets/backsoon/:
 * paths in the snippets that are relative to nginx's config folder (the
 * hold's script) then resolve.
 */
export async function linkSnippets(confFolder: string): Promise<void> {
  await mkdir(join(confFolder, 'snippets'), { recursive: true });
  await symlink(SNIPPETS, join(confFolder, 'snippets/backsoon'));
}

/** The main configuration of a run in `prefix`: its pid, logs and temp folders there, `modules` loaded, and the vhost included in http. */
export function mainConfig(prefix: string, vhostPath: string, modules?: string[], workerConnections = 256): string {
  return `# Written by test-support/nginx.ts for one run.
${loadModules(modules)}worker_processes 1;
worker_rlimit_nofile ${workerConnections * 2 + 64};
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log notice;
events { worker_connections ${workerConnections}; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log ${prefix}/access.log;
    client_body_temp_path ${prefix}/tmp/body;
    proxy_temp_path ${prefix}/tmp/proxy;
    fastcgi_temp_path ${prefix}/tmp/fastcgi;
    uwsgi_temp_path ${prefix}/tmp/uwsgi;
    scgi_temp_path ${prefix}/tmp/scgi;
    include ${vhostPath};
}
`;
}

/** Runs `nginx -t` on a config; throws with nginx's own words when it fails. */
export function testConfig(prefix: string, conf: string): string {
  const result = spawnSync(NGINX, ['-t', '-q', '-p', prefix, '-e', join(prefix, 'error.log'), '-c', conf], {
    encoding: 'utf8',
  });
  if (result.error) throw new Error(`cannot run ${NGINX}: ${result.error.message} (apt-get install nginx)`);
  if (result.status !== 0) throw new Error(`nginx -t failed for ${conf}:\n${result.stderr}`);
  return result.stderr;
}

function waitForPort(port: number, child: ChildProcess, errorLog: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolvePromise, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) {
        void readFile(errorLog, 'utf8')
          .catch(() => '')
          .then((log) => reject(new Error(`nginx exited with ${child.exitCode}:\n${log}`)));
        return;
      }
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolvePromise();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen on ${port} within ${ms} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/** A real nginx, started in a temporary prefix of its own on a free loopback port. */
export class RunningNginx {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    readonly prefix: string,
    readonly root: string,
    private readonly conf: string,
  ) {}

  /** An absolute URL on this server. */
  url(path = '/'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Starts (or starts again) nginx in the foreground and waits until it listens. */
  async resume(): Promise<void> {
    if (this.child && this.child.exitCode === null) return;
    const errorLog = join(this.prefix, 'error.log');
    const child = spawn(NGINX, ['-p', this.prefix, '-e', errorLog, '-c', this.conf, '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.child = child;
    try {
      await waitForPort(this.port, child, errorLog);
    } catch (error) {
      await this.halt();
      throw error;
    }
  }

  /** Stops nginx itself, keeping its prefix: the server is then unreachable (connection refused). */
  async halt(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }

  /** Switches planned maintenance on or off as the operator does: with the flag file, no reload. */
  async maintenance(on: boolean, info?: unknown): Promise<void> {
    const folder = join(this.root, KIT_FOLDER);
    if (on) await writeFile(join(folder, 'maintenance.on'), '');
    else await rm(join(folder, 'maintenance.on'), { force: true });
    if (info === undefined) await rm(join(folder, 'maintenance.json'), { force: true });
    else await writeFile(join(folder, 'maintenance.json'), typeof info === 'string' ? info : JSON.stringify(info));
  }

  /** The whole configuration as `nginx -T` prints it: each file it read, after a `# configuration file PATH:` line. */
  dump(): string {
    const result = spawnSync(
      NGINX,
      ['-T', '-q', '-p', this.prefix, '-e', join(this.prefix, 'error.log'), '-c', this.conf],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`nginx -T failed:\n${result.stderr}`);
    return result.stdout;
  }

  errorLog(): Promise<string> {
    return readFile(join(this.prefix, 'error.log'), 'utf8');
  }

  /** Stops nginx and removes its prefix. */
  async stop(): Promise<void> {
    await this.halt();
    await rm(this.prefix, { recursive: true, force: true });
  }
}

/**
 * Installs dist/ as a user would (copied to `<root>/__backsoon/`), writes the
 * vhost, checks the whole config with `nginx -t`, and starts nginx in the
 * foreground. The worker processes run as nobody when started by root, so
 * every folder they read is made world-readable.
 */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const prefix = await mkdtemp(join(tmpdir(), 'backsoon-nginx-'));
  const root = join(prefix, 'www');
  await mkdir(join(prefix, 'tmp'), { recursive: true });
  await linkSnippets(prefix);
  await cp(options.dist ?? DIST, join(root, KIT_FOLDER), { recursive: true });
  await chmod(prefix, 0o755);
  if (options.page) {
    // Both pages, as a user setting an attribute edits both.
    for (const name of ['index.html', 'maintenance.html']) {
      const pagePath = join(root, KIT_FOLDER, name);
      const edited = options.page(await readFile(pagePath, 'utf8'));
      // The precompressed copies would be stale after an edit: drop them.
      await rm(`${pagePath}.gz`, { force: true });
      await rm(`${pagePath}.br`, { force: true });
      if (edited === null) await rm(pagePath);
      else await writeFile(pagePath, edited);
    }
  }
  const httpSnippets = await installHttpSnippets(prefix, options);
  const editedTurns = options.turnWindow !== undefined || options.turnRate !== undefined;
  if (editedTurns) httpSnippets.PROBE_LOCATION = await installProbeLocation(prefix, options);
  const port = await freePort();
  const vars = {
    ...httpSnippets,
    LISTEN: `127.0.0.1:${port}`,
    ROOT: root,
    SNIPPETS,
    APP: `127.0.0.1:${options.appPort}`,
    PREFIX: prefix,
    ...options.vars,
  };
  const vhostPath = join(prefix, 'vhost.conf');
  let vhost = fillTemplate(await readFile(options.vhost, 'utf8'), vars);
  // Edited turns mean the edited copy of the probe's snippet, wherever the vhost includes it.
  if (editedTurns)
    vhost = vhost.replaceAll(join(SNIPPETS, 'location/backsoon-probe.conf'), httpSnippets.PROBE_LOCATION);
  await writeFile(vhostPath, vhost);
  const conf = join(prefix, 'nginx.conf');
  await writeFile(conf, mainConfig(prefix, vhostPath, options.modules, options.workerConnections));
  testConfig(prefix, conf);
  const nginx = new RunningNginx(port, prefix, root, conf);
  try {
    await nginx.resume();
  } catch (error) {
    await rm(prefix, { recursive: true, force: true });
    throw error;
  }
  return nginx;
}
