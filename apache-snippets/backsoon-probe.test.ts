// backsoon-probe.pl, the program Apache asks about the app (the shared
// probe) and about turns to go back, driven as mod_rewrite drives it: one
// question a line on its input, one answer a line on its output. The clock
// is the test's (clock=input: each question starts with the time); the app
// is a real socket.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from '../test-support/nginx.js';

const PROGRAM = join(REPO, 'apache-snippets/backsoon-probe.pl');

/** An app that answers each connection as `reply` says, and keeps what it was sent. */
class FakeApp {
  readonly requests: string[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly reply: (socket: Socket) => void) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      let request = '';
      socket.on('data', (chunk) => {
        request += chunk.toString('latin1');
        if (request.endsWith('\r\n\r\n')) {
          this.requests.push(request);
          this.reply(socket);
        }
      });
    });
  }

  /** Listens on a loopback port (any free one by default) or a unix socket; resolves to the address. */
  listen(where: number | string = 0): Promise<string> {
    return new Promise((resolve) => {
      const listening = (): void => {
        const address = this.server.address();
        resolve(typeof address === 'string' ? address : `127.0.0.1:${address!.port}`);
      };
      if (typeof where === 'string') this.server.listen(where, listening);
      else this.server.listen(where, '127.0.0.1', listening);
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const answers = (status: number) => (socket: Socket) =>
  socket.end(`HTTP/1.1 ${status} Whatever\r\nSet-Cookie: s=1\r\nContent-Length: 0\r\n\r\n`);

/** The program, started as Apache starts it, asked one question at a time at the test's times. */
class Probe {
  private readonly child: ChildProcessWithoutNullStreams;
  private output = '';
  private waiting: ((line: string) => void) | undefined;

  constructor(args: string[]) {
    this.child = spawn('perl', [PROGRAM, ...args, 'clock=input']);
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      this.deliver();
    });
  }

  private deliver(): void {
    const end = this.output.indexOf('\n');
    if (end < 0 || !this.waiting) return;
    const line = this.output.slice(0, end);
    this.output = this.output.slice(end + 1);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting(line);
  }

  /** The answer to `question` asked at `seconds` on the test's clock. */
  ask(seconds: number, question: string): Promise<string> {
    const answer = new Promise<string>((resolve) => (this.waiting = resolve));
    this.child.stdin.write(`${seconds.toFixed(3)} ${question}\n`);
    this.deliver();
    return answer;
  }

  /** Asks the same question at each time; resolves to how many times each answer came. */
  async count(times: number[], question: (i: number) => string): Promise<Record<string, number>> {
    const tally: Record<string, number> = {};
    for (const [i, t] of times.entries()) {
      const answer = await this.ask(t, question(i));
      tally[answer] = (tally[answer] ?? 0) + 1;
    }
    return tally;
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    // mod_rewrite closes the map's input when Apache stops: the program ends by itself.
    this.child.stdin.end();
    return exited;
  }
}

/** `n` times from `from`, `step` seconds apart. */
const times = (from: number, n: number, step: number): number[] => Array.from({ length: n }, (_, i) => from + i * step);

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function setUp(reply: (socket: Socket) => void, options: string[] = [], path = '/healthz') {
  const app = new FakeApp(reply);
  const address = await app.listen();
  const probe = new Probe([`http://${address}${path}`, ...options]);
  cleanup.push(
    () => app.close(),
    () => probe.stop(),
  );
  return { app, probe, address };
}

describe('the shared probe', () => {
  it('asks the app once a second at most, whatever the number of questions: HEAD of the path, with the Host header alone', async () => {
    const { app, probe, address } = await setUp(answers(200));
    // 600 waiting visitors' questions over three seconds.
    expect(await probe.count(times(100, 600, 0.005), () => 'probe')).toEqual({ up: 600 });
    expect(app.requests).toHaveLength(3);
    for (const request of app.requests)
      expect(request).toBe(`HEAD /healthz HTTP/1.1\r\nHost: ${address}\r\nConnection: close\r\n\r\n`);
  });

  it('takes any status from the app for "up", its own 404 and 500 too', async () => {
    for (const status of [404, 500, 503]) {
      const { probe } = await setUp(answers(status));
      await probe.ask(10, 'probe');
      expect(await probe.ask(10.1, 'probe'), `${status}`).toBe('up');
    }
  });

  it('says "down" when the app refuses, closes without a status line, or sends something else', async () => {
    const replies: [string, (socket: Socket) => void][] = [
      ['closes', (socket) => socket.destroy()],
      ['garbage', (socket) => socket.end('hello\r\n')],
    ];
    for (const [name, reply] of replies) {
      const { probe } = await setUp(reply);
      await probe.ask(10, 'probe');
      expect(await probe.ask(10.1, 'probe'), name).toBe('down');
    }
    const { app, probe } = await setUp(answers(200));
    await app.close();
    await probe.ask(10, 'probe');
    expect(await probe.ask(10.1, 'probe'), 'refused').toBe('down');
  });

  it('says "down" when the app does not answer within its time limit', async () => {
    const { probe } = await setUp(() => undefined);
    await probe.ask(10, 'probe');
    // The program gives the app 1 s to accept and 3 s to answer (real time).
    const started = Date.now();
    expect(await probe.ask(10.1, 'probe')).toBe('down');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  }, 10_000);

  it('answers from the last answer while the next is on its way, never from one more than two seconds old', async () => {
    const { app, probe, address } = await setUp(answers(200));
    expect(await probe.ask(100, 'probe')).toBe('up');
    await app.close();
    // The app went away: the answer of 100 s stands while the new request is out, then "down".
    expect(await probe.ask(101.5, 'probe')).toBe('up');
    expect(await probe.ask(101.6, 'probe')).toBe('down');
    await app.listen(Number(address.split(':')[1]));
    // Nobody asked for more than two seconds: the question waits for a new answer.
    expect(await probe.ask(103.7, 'probe')).toBe('up');
    expect(app.requests).toHaveLength(2);
  });

  it('tells a lone visitor asking every few seconds "up", each time from a new answer', async () => {
    const { app, probe } = await setUp(answers(200));
    expect(await probe.count([100, 103, 106, 113.5], () => 'probe')).toEqual({ up: 4 });
    expect(app.requests).toHaveLength(4);
  });

  it('asks an app on a unix socket, as ProxyPass spells it', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'backsoon-probe-'));
    cleanup.push(() => rm(folder, { recursive: true, force: true }));
    const app = new FakeApp(answers(200));
    const socket = join(folder, 'app.sock');
    await app.listen(socket);
    const probe = new Probe([`unix:${socket}|http://app.internal/up`]);
    cleanup.push(
      () => app.close(),
      () => probe.stop(),
    );
    await probe.ask(1, 'probe');
    expect(await probe.ask(1.1, 'probe')).toBe('up');
    expect(app.requests).toEqual(['HEAD /up HTTP/1.1\r\nHost: app.internal\r\nConnection: close\r\n\r\n']);
  });
});

describe('turns to go back', () => {
  it('grants the burst at once, then the rate, and says "busy" to the rest, without asking the app', async () => {
    const { app, probe } = await setUp(answers(200), ['rate=10', 'burst=20', 'per-address=0']);
    await probe.ask(100, 'probe');
    // 30 visitors, each from an address of its own, at the same moment.
    expect(await probe.count(times(100.1, 30, 0), (i) => `admit,10.0.0.${i}`)).toEqual({ up: 20, busy: 10 });
    // Half a second later: five more turns.
    expect(await probe.count(times(100.6, 30, 0), (i) => `admit,10.0.1.${i}`)).toEqual({ up: 5, busy: 25 });
    // Then ten a second, however many ask.
    expect(await probe.count(times(100.61, 200, 0.005), (i) => `admit,10.0.2.${i}`)).toEqual({ up: 10, busy: 190 });
    // The app was asked by the probe alone, once a second.
    expect(app.requests).toHaveLength(2);
  });

  it('caps one client address: asking in a loop takes its own share, never the others’', async () => {
    const { probe } = await setUp(answers(200), ['rate=50', 'burst=100', 'per-address=2']);
    await probe.ask(100, 'probe');
    // One client asks 200 times in a second: twice the per-address rate at once, then that rate.
    expect(await probe.count(times(100.1, 200, 0.005), () => 'admit,192.0.2.1')).toEqual({ up: 5, busy: 195 });
    // Everyone else still gets theirs.
    expect(await probe.count(times(101.1, 10, 0), (i) => `admit,198.51.100.${i}`)).toEqual({ up: 10 });
  });

  it('grants no turn while the app is down, and keeps them for when it is back', async () => {
    const { app, probe, address } = await setUp(answers(200), ['rate=1', 'burst=3', 'per-address=0']);
    await app.close();
    expect(await probe.count(times(100, 10, 0.1), (i) => `admit,10.0.0.${i}`)).toEqual({ down: 10 });
    await app.listen(Number(address.split(':')[1]));
    expect(await probe.ask(101, 'probe')).toBe('down');
    // The whole burst, as if the app had never been away.
    expect(await probe.count(times(101.1, 5, 0), (i) => `admit,10.0.1.${i}`)).toEqual({ up: 3, busy: 2 });
  });
});

describe('its line in the configuration', () => {
  it('refuses an unknown option or address, saying why', () => {
    for (const [args, words] of [
      [[], /give the app's address/],
      [['ftp://127.0.0.1/'], /not http:\/\/HOST:PORT\/PATH/],
      [['http://127.0.0.1:8000/', 'rate=fast'], /rate must be a number/],
      [['http://127.0.0.1:8000/', 'speed=1'], /unknown option speed/],
    ] as const) {
      const run = spawnSync('perl', [PROGRAM, ...args], { encoding: 'utf8', input: '' });
      expect(run.status, args.join(' ')).not.toBe(0);
      expect(run.stderr).toMatch(words);
    }
  });

  it('answers NULL to a question it does not know (mod_rewrite: no value)', async () => {
    const { probe } = await setUp(answers(200));
    expect(await probe.ask(1, 'status')).toBe('NULL');
  });
});
