import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A WSGI app that answers every path and writes each request it gets (method, path, host) to a log. */
const APP = `import os
LOG = os.environ['APP_LOG']
def application(environ, start_response):
    with open(LOG, 'a') as log:
        log.write('%s %s %s\\n' % (environ.get('REQUEST_METHOD'), environ.get('PATH_INFO') or environ.get('SCRIPT_NAME'), environ.get('HTTP_HOST')))
    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8')])
    return [b'<!doctype html><title>Python app</title><main id="app">The Python app is up</main>']
`;

/**
 * A real Python app under Debian's uWSGI (`uwsgi`, `uwsgi-plugin-python3`)
 * on a unix socket, speaking uwsgi (as Django under uWSGI does) or
 * FastCGI: the app behind `uwsgi_pass` or `fastcgi_pass`.
 */
export class UwsgiApp {
  private child: ChildProcess | undefined;

  private constructor(
    readonly folder: string,
    readonly socket: string,
    readonly protocol: 'uwsgi' | 'fastcgi',
  ) {}

  static async create(protocol: 'uwsgi' | 'fastcgi', socket?: string): Promise<UwsgiApp> {
    const folder = await mkdtemp(join(tmpdir(), 'backsoon-uwsgi-'));
    await writeFile(join(folder, 'app.py'), APP);
    return new UwsgiApp(folder, socket ?? join(folder, 'app.sock'), protocol);
  }

  /** Starts uWSGI and waits for its socket. */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      'uwsgi',
      [
        '--plugin',
        'python3',
        this.protocol === 'uwsgi' ? '--socket' : '--fastcgi-socket',
        this.socket,
        '--chmod-socket=666',
        '--wsgi-file',
        join(this.folder, 'app.py'),
        '--master',
        '--processes',
        '1',
        '--die-on-term',
        '--disable-logging',
        '--need-app',
      ],
      { env: { ...process.env, APP_LOG: join(this.folder, 'requests.log') }, stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!existsSync(this.socket)) {
      if (child.exitCode !== null) throw new Error(`uwsgi exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('uwsgi did not make its socket within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops uWSGI (its socket goes too: a stopped app server). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(this.socket, { force: true });
  }

  /** The requests the app got: "METHOD path host". */
  async requests(): Promise<string[]> {
    const text = await readFile(join(this.folder, 'requests.log'), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean);
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.folder, { recursive: true, force: true });
  }
}
