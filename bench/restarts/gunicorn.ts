import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from '../../test-support/nginx.js';

/** Debian's gunicorn (package gunicorn, Python 3). */
export const GUNICORN = process.env.GUNICORN_BIN ?? '/usr/bin/gunicorn';
const HERE = join(REPO, 'bench/restarts');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Whether a process (by pid) still runs. A master started by USR2 is not
 * this process's child: once it exits it may stay a zombie, which counts
 * as gone.
 */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until a condition holds, checking every 20 ms; throws after `ms`. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface GunicornOptions {
  /** The unix socket it listens on. */
  socket: string;
  /** Sync workers. */
  workers: number;
  /** A folder for its pid file, ready file and log. */
  folder: string;
  /** A name for its files. */
  name: string;
  /** Runs it under bench/restarts/socket-launcher.py, which holds the socket across restarts. */
  socketActivation?: boolean;
  /**
   * `--preload`: the master loads the app before it opens the socket, so a
   * restart refuses connections for the whole load time.
   */
  preload?: boolean;
}

/**
 * One app server: Debian's gunicorn running bench/restarts/app.py on a unix
 * socket, with the signals an operator sends it. Each worker writes a line
 * to the ready file once the app is loaded: a generation of workers is
 * ready when all of its lines are there.
 */
export class Gunicorn {
  private child: ChildProcess | undefined;

  constructor(readonly options: GunicornOptions) {}

  get pidFile(): string {
    return join(this.options.folder, `${this.options.name}.pid`);
  }

  get readyFile(): string {
    return join(this.options.folder, `${this.options.name}.ready`);
  }

  /** Ready lines so far: [worker pid, master pid]. */
  async readyWorkers(): Promise<[number, number][]> {
    const text = await readFile(this.readyFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ').slice(1).map(Number) as [number, number]);
  }

  /** The master's pid, from its pid file (gunicorn moves it on USR2). */
  async masterPid(): Promise<number> {
    return Number((await readFile(this.pidFile, 'utf8')).trim());
  }

  /** Starts it and waits until all its workers have loaded the app. */
  async start(): Promise<void> {
    const before = (await this.readyWorkers()).length;
    const { socket, workers, folder, name, socketActivation, preload } = this.options;
    const args = [
      ...(preload ? ['--preload'] : []),
      '--workers',
      String(workers),
      '--backlog',
      '2048',
      '--pid',
      this.pidFile,
      '--chdir',
      HERE,
      '--graceful-timeout',
      '30',
      '--log-level',
      'warning',
      'app:application',
    ];
    const env = { ...process.env, BENCH_READY_FILE: this.readyFile };
    const command = socketActivation
      ? [
          'python3',
          [join(HERE, 'socket-launcher.py'), socket, '2048', '--', GUNICORN, '--bind', 'unix:unused', ...args],
        ]
      : [GUNICORN, ['--bind', `unix:${socket}`, ...args]];
    const log = join(folder, `${name}.log`);
    await writeFile(log, '');
    const child = spawn(command[0] as string, command[1] as string[], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => void writeFile(log, chunk, { flag: 'a' }));
    this.child = child;
    await this.waitForWorkers(before);
  }

  /** Waits until `workers` more workers than `before` have loaded the app. */
  async waitForWorkers(before: number): Promise<void> {
    // With --preload, the master loads the app once, for all its workers.
    const lines = this.options.preload ? 1 : this.options.workers;
    await until(`${this.options.name}'s workers`, async () => (await this.readyWorkers()).length >= before + lines);
    if (this.options.preload) await until(`${this.options.name}'s socket`, () => existsSync(this.options.socket));
  }

  /** Sends a signal to the master (or to the socket launcher). */
  async signal(signal: NodeJS.Signals): Promise<void> {
    process.kill(this.options.socketActivation ? this.child!.pid! : await this.masterPid(), signal);
  }

  /** `kill -HUP`: gunicorn starts new workers and stops the old ones. */
  async reload(): Promise<void> {
    const before = (await this.readyWorkers()).length;
    await this.signal('SIGHUP');
    await this.waitForWorkers(before);
  }

  /**
   * `kill -USR2`: a new master with new workers beside the old ones; once
   * they have all loaded the app, `kill -TERM` the old master. (gunicorn
   * moves the old master's pid file to .oldbin; the new master writes .2,
   * and takes the pid file's name once the old master has gone.)
   */
  async upgrade(): Promise<void> {
    const old = await this.masterPid();
    const freshPidFile = `${this.pidFile}.2`;
    process.kill(old, 'SIGUSR2');
    await until('the new master', async () => Number(await readFile(freshPidFile, 'utf8').catch(() => '0')) > 0);
    const fresh = Number(await readFile(freshPidFile, 'utf8'));
    await until(
      'the new workers',
      async () => (await this.readyWorkers()).filter(([, master]) => master === fresh).length >= this.options.workers,
    );
    process.kill(old, 'SIGTERM');
    await until('the old master to exit', () => !alive(old));
    await until('the new master to take over', async () => (await this.masterPid().catch(() => 0)) === fresh);
  }

  /** A full stop (TERM: the workers finish their requests) and a start. */
  async restart(): Promise<void> {
    if (this.options.socketActivation) {
      // The launcher stops gunicorn and starts a new one on the socket it holds.
      const before = (await this.readyWorkers()).length;
      await this.signal('SIGHUP');
      await this.waitForWorkers(before);
      return;
    }
    await this.stop();
    await this.start();
  }

  /** Stops it (TERM) and waits until it has exited. */
  async stop(): Promise<void> {
    const pid = this.options.socketActivation ? this.child?.pid : await this.masterPid().catch(() => undefined);
    if (pid === undefined || !alive(pid)) return;
    process.kill(pid, 'SIGTERM');
    await until(`${this.options.name} to exit`, () => !alive(pid));
    await rm(this.pidFile, { force: true });
  }
}
