import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFile, chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { DIST, REPO, fillTemplate } from './nginx.js';
import { freePort } from './ports.js';
import { KIT_FOLDER, PATHS } from '../src/protocol.js';

/**
 * Caddy, HAProxy and Apache from Debian in front of the app, each set up
 * from the example its snippet folder ships (caddy-snippets/examples/,
 * haproxy-snippets/haproxy.cfg, apache-snippets/examples/), run as it is
 * with the placeholders filled in, on a free loopback port, in a
 * temporary folder of its own.
 */
export type ProxyKind = 'caddy' | 'haproxy' | 'apache';

export interface ProxyOptions {
  /** The app's port (127.0.0.1). */
  appPort: number;
  /** Leaves the page's files out of __backsoon/ (the "missing page" case). */
  withoutPage?: boolean;
  /** A staff bypass token, added to the server's staff list as its README says. */
  staffToken?: string;
  /** HAProxy only: words after the listening address in `bind` (`ssl crt <pem>` for TLS). */
  haproxyBind?: string;
  /** Rewrites the server's example before it runs, a test's variation of it. */
  editSite?: (site: string) => string;
}

interface Spec {
  /** Checks the configuration; returns the failure's words, or undefined when it is valid. */
  check: (conf: string, prefix: string) => string | undefined;
  /** The command that runs the server in the foreground. */
  run: (conf: string, prefix: string) => [string, string[]];
  /** Writes the configuration, the example's text passed through `edit`; returns its path. */
  write: (prefix: string, vars: Record<string, string>, edit: (site: string) => string) => Promise<string>;
  /** Adds a bypass token where the server's README says (after `write`). */
  addToken: (prefix: string, conf: string, token: string) => Promise<void>;
}

function validity(command: string, args: string[], env?: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.error)
    return `cannot run ${command}: ${result.error.message} (apt-get install ${command === 'apache2' ? 'apache2' : command})`;
  return result.status === 0 ? undefined : `${result.stdout}${result.stderr}`;
}

/** Caddy keeps its state under XDG folders: the run's own, not the user's. */
const caddyEnv = (prefix: string): NodeJS.ProcessEnv => ({
  XDG_CONFIG_HOME: join(prefix, 'config'),
  XDG_DATA_HOME: join(prefix, 'data'),
});

/** HAProxy's staff tokens file (an ACL file, one token a line) in a run's folder. */
const haproxyStaffTokens = (prefix: string): string => join(prefix, 'backsoon-staff.lst');

const SPECS: Record<ProxyKind, Spec> = {
  caddy: {
    async write(prefix, vars, edit) {
      // The probe's name (its sockets' too) is the run's own: Caddy servers of other runs share the machine.
      const site = fillTemplate(edit(await readFile(join(REPO, 'caddy-snippets/examples/Caddyfile'), 'utf8')), {
        ...vars,
        NAME: basename(prefix),
      });
      const conf = join(prefix, 'Caddyfile');
      // No admin endpoint (a fixed port, shared by every Caddy on the machine), plain HTTP, loopback only.
      await writeFile(conf, `{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n}\n\n${site}`);
      return conf;
    },
    async addToken(prefix, _conf, token) {
      // The staff file sits beside backsoon.caddy, in the run's copy of the snippets: `<token> yes` in its map.
      const staff = join(prefix, 'snippets/backsoon-staff.caddy');
      const text = await readFile(staff, 'utf8');
      if (!text.includes('\tdefault no\n')) throw new Error('backsoon-staff.caddy: no token map to add to');
      await writeFile(staff, text.replace('\tdefault no\n', `\tdefault no\n\t${token} yes\n`));
    },
    check: (conf, prefix) =>
      validity('caddy', ['validate', '--config', conf, '--adapter', 'caddyfile'], caddyEnv(prefix)),
    run: (conf) => ['caddy', ['run', '--config', conf, '--adapter', 'caddyfile']],
  },
  haproxy: {
    async write(prefix, vars) {
      const conf = join(prefix, 'haproxy.cfg');
      // The ACL files must exist before HAProxy starts, even empty.
      const tokens = haproxyStaffTokens(prefix);
      await writeFile(vars.MAINTENANCE_ACL!, '');
      await writeFile(tokens, '');
      const template = await readFile(join(REPO, 'haproxy-snippets/haproxy.cfg'), 'utf8');
      await writeFile(conf, fillTemplate(template, { ...vars, STAFF_TOKENS: tokens }));
      return conf;
    },
    async addToken(prefix, _conf, token) {
      // One token a line, as the README says.
      await appendFile(haproxyStaffTokens(prefix), `${token}\n`);
    },
    check: (conf) => validity('haproxy', ['-c', '-f', conf]),
    run: (conf) => ['haproxy', ['-db', '-f', conf]],
  },
  apache: {
    async write(prefix, vars, edit) {
      // The probe's program runs as Apache's workers do (Debian's own variable names that user).
      const runAs = process.getuid?.() === 0 ? 'nobody' : userInfo().username;
      const example = edit(await readFile(join(REPO, 'apache-snippets/examples/site.conf'), 'utf8'));
      const site = fillTemplate(example, { ...vars, APACHE_RUN_USER: runAs });
      // The staff's token list, copied beside backsoon.conf's includes (under the ServerRoot) as the README says.
      await mkdir(join(prefix, 'backsoon'), { recursive: true });
      await cp(join(REPO, 'apache-snippets/backsoon-tokens.txt'), join(prefix, 'backsoon/backsoon-tokens.txt'));
      const modules = ['mpm_event', 'authz_core', 'mime', 'proxy', 'proxy_http', 'rewrite', 'headers'];
      const conf = join(prefix, 'httpd.conf');
      await writeFile(
        conf,
        `# Written by test-support/proxies.ts for one run: Debian's apache2 with its
# own modules, nothing of /etc/apache2 but the MIME types.
ServerRoot ${prefix}
PidFile ${prefix}/httpd.pid
Mutex file:${prefix}
Listen ${vars.LISTEN}
ErrorLog ${prefix}/error.log
LogLevel warn
ServerName localhost
${process.getuid?.() === 0 ? 'User nobody\nGroup nogroup\n' : ''}${modules.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`).join('\n')}
TypesConfig /etc/mime.types
# As Debian's mime.conf does.
AddType application/x-gzip .gz .tgz
<Directory ${vars.ROOT}>
    Require all granted
</Directory>
${site}`,
      );
      return conf;
    },
    async addToken(prefix, _conf, token) {
      // A line of backsoon-tokens.txt: the token, then who it is for.
      await appendFile(join(prefix, 'backsoon/backsoon-tokens.txt'), `${token} staff\n`);
    },
    check: (conf, prefix) => validity('apache2', ['-t', '-d', prefix, '-f', conf]),
    run: (conf, prefix) => ['apache2', ['-d', prefix, '-f', conf, '-DFOREGROUND']],
  },
};

function waitForPort(port: number, child: ChildProcess, output: () => string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) return reject(new Error(`the server exited with ${child.exitCode}:\n${output()}`));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline)
          reject(new Error(`the server did not listen on ${port} within ${ms} ms:\n${output()}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/** Sends one command to HAProxy's admin socket; resolves to its answer. */
function haproxyCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = connect(socket);
    let answer = '';
    client.on('data', (chunk) => (answer += chunk.toString()));
    client.on('end', () => resolve(answer));
    client.on('error', reject);
    client.write(`${command}\n`);
  });
}

export class RunningProxy {
  private output = '';

  constructor(
    readonly kind: ProxyKind,
    readonly port: number,
    readonly prefix: string,
    readonly root: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  url(path = '/'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** What the server printed. */
  log(): string {
    return this.output;
  }

  /**
   * Switches planned maintenance as its README says: the flag file under
   * the root for Caddy and Apache, the ACL through the admin socket (and
   * its file) for HAProxy.
   */
  async maintenance(on: boolean): Promise<void> {
    if (this.kind === 'haproxy') {
      const acl = join(this.prefix, 'maintenance.acl');
      await writeFile(acl, on ? 'on\n' : '');
      await haproxyCommand(join(this.prefix, 'admin.sock'), on ? `add acl ${acl} on` : `clear acl ${acl}`);
      return;
    }
    const flag = join(this.root, PATHS.maintenanceFlag);
    if (on) await writeFile(flag, '');
    else await rm(flag, { force: true });
  }

  /** Stops the server and removes its folder. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.prefix, { recursive: true, force: true });
  }
}

/** Installs the page under a new root (as `backsoon install` does), writes and checks the server's configuration, starts it. */
export async function startProxy(kind: ProxyKind, options: ProxyOptions): Promise<RunningProxy> {
  const spec = SPECS[kind];
  const prefix = await mkdtemp(join(tmpdir(), `backsoon-${kind}-`));
  try {
    // The server's workers may run as nobody: every folder they read is world-readable.
    await chmod(prefix, 0o755);
    const root = join(prefix, 'www');
    await mkdir(root);
    await cp(DIST, join(root, KIT_FOLDER), { recursive: true });
    if (options.withoutPage) {
      for (const name of ['index.html', 'index.html.gz', 'maintenance.html', 'maintenance.html.gz'])
        await rm(join(root, KIT_FOLDER, name));
    }
    // The run's own copy of the snippets, as an operator copies them to /etc.
    const snippets = join(prefix, 'snippets');
    await cp(join(REPO, `${kind}-snippets`), snippets, { recursive: true });
    const port = await freePort();
    const vars = {
      LISTEN: `127.0.0.1:${port}${kind === 'haproxy' && options.haproxyBind ? ` ${options.haproxyBind}` : ''}`,
      ROOT: root,
      SNIPPETS: snippets,
      APP: `127.0.0.1:${options.appPort}`,
      SOCKET: join(prefix, 'admin.sock'),
      MAINTENANCE_ACL: join(prefix, 'maintenance.acl'),
    };
    const conf = await spec.write(prefix, vars, options.editSite ?? ((site) => site));
    if (options.staffToken) await spec.addToken(prefix, conf, options.staffToken);
    const invalid = spec.check(conf, prefix);
    if (invalid !== undefined) throw new Error(`${kind} refuses ${conf}:\n${invalid}`);
    const [command, args] = spec.run(conf, prefix);
    const child = spawn(command, args, {
      env: { ...process.env, ...(kind === 'caddy' ? caddyEnv(prefix) : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proxy = new RunningProxy(kind, port, prefix, root, child);
    try {
      await waitForPort(port, child, () => proxy.log());
    } catch (error) {
      await proxy.stop();
      throw error;
    }
    return proxy;
  } catch (error) {
    await rm(prefix, { recursive: true, force: true });
    throw error;
  }
}
