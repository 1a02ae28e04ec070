import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { chmodSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A small app to put behind nginx: the demo's app and the tests' upstream.
 * It can be stopped and started again on the same port, as an app server
 * restarting for a deploy. Its pages name the URL they were asked for.
 */
export class DemoApp {
  /**
   * The status of the app's answer to every URL: 200 for its own page, or
   * an error of its own (500 for a broken deploy, 503 with a Retry-After
   * for the app's own maintenance page).
   */
  status = 200;
  /** Requests seen since the app was created: method, URL and the headers nginx passed on. */
  readonly requests: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  /**
   * Which service worker the app's pages register: none, backsoon's own
   * (one script tag, as the README says), or the app's own worker at
   * /app-sw.js, which imports backsoon's routes.
   */
  worker: 'none' | 'backsoon' | 'own' = 'none';
  /**
   * Requests the app takes and then drops, closing the connection without
   * an answer, as an app server whose worker dies mid-request (nginx: 502
   * after the request reached the app).
   */
  dropWhen: ((method: string, url: string) => boolean) | undefined;
  /** How long the app takes to answer, in ms (a busy or slow app). */
  delay = 0;
  /**
   * Requests the app keeps waiting (as in a queue behind other work) until
   * the promise this returns settles; undefined answers at once.
   */
  holdWhen: ((method: string, url: string) => Promise<void> | undefined) | undefined;
  /** Requests the app has taken and not answered yet (held, or delayed). */
  pending = 0;
  /** Headers of its own that the app adds to every answer (a session cookie, a redirect…). */
  headers: Record<string, string> = {};
  /** Called for every request the app answers (the demo prints them). */
  onRequest: ((method: string, url: string, status: number) => void) | undefined;

  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  /**
   * @param port the loopback port it listens on
   * @param socketPath a unix socket to listen on instead (the gunicorn/uWSGI way)
   */
  constructor(
    readonly port: number,
    private readonly socketPath?: string,
  ) {}

  get running(): boolean {
    return this.server !== undefined;
  }

  start(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      const listening = (): void => {
        // nginx's workers (nobody) need write access to connect to a socket.
        if (this.socketPath) chmodSync(this.socketPath, 0o777);
        resolve();
      };
      if (this.socketPath) {
        rmSync(this.socketPath, { force: true });
        server.listen(this.socketPath, listening);
      } else {
        server.listen(this.port, '127.0.0.1', listening);
      }
    });
  }

  /** Stops at once, dropping open connections, as a killed app server does. */
  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) =>
      server.close(() => {
        // A stopped app server leaves no socket behind: the socket is "gone".
        if (this.socketPath) rmSync(this.socketPath, { force: true });
        resolve();
      }),
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.pending += 1;
    const answer = (): void => {
      this.pending -= 1;
      this.answer(req, res);
    };
    const held = this.holdWhen?.(req.method ?? 'GET', req.url ?? '/');
    if (held) void held.then(answer);
    else if (this.delay > 0) setTimeout(answer, this.delay);
    else answer();
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    this.requests.push({ method, url, headers: req.headers });
    if (this.dropWhen?.(method, url)) {
      req.socket.destroy();
      return;
    }
    if (url === '/app-sw.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
      res.end(`importScripts('/__backsoon/sw-import.js');
self.addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname === '/app-sw-ping') event.respondWith(new Response('pong from the app’s worker'));
});
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
`);
      return;
    }
    const status = this.status;
    this.onRequest?.(method, url, status);
    const heading = status >= 400 ? `The app’s own ${status} page` : 'The app is up';
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      ...(status === 503 ? { 'Retry-After': '120' } : {}),
      ...this.headers,
    });
    const form =
      status === 200 && url.startsWith('/form')
        ? '<form method="post" action="/submit?from=form"><label>Message <input name="message" value="hello"></label> <button>Send</button></form>'
        : '';
    const worker =
      this.worker === 'backsoon'
        ? '<script src="/__backsoon/register.js" defer></script>'
        : this.worker === 'own'
          ? "<script>addEventListener('load', () => navigator.serviceWorker.register('/app-sw.js'))</script>"
          : '';
    res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo app</title><link rel="icon" href="data:,">${worker}</head>
<body><main id="app" data-status="${status}"><h1>${heading}</h1>
<p>You asked for <code id="asked">${escapeHtml(url)}</code> (<span id="method">${escapeHtml(method)}</span>).</p>
${form}
<p><a href="/deep/path?q=1&amp;x=%20y#section">A deep link</a> · <a href="/form">A form</a></p></main></body></html>
`);
  }
}
