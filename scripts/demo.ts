/**
 * `npm run demo`: the built page behind a real nginx, in front of a small
 * app that you stop and start from this terminal. Run after `vite build`
 * (the npm script does both).
 *
 * Keys: s stops or starts the app, r restarts it for five seconds, b for
 * two (a blip: with njs installed, nginx holds the requests that arrive
 * meanwhile and nobody sees the page), m switches planned maintenance on
 * or off, e toggles the app's own 500,
 * q or Ctrl-C quits. Without a terminal, `kill -USR1 <pid>` stops or
 * starts the app and `kill -USR2 <pid>` switches maintenance.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DemoApp } from '../test-support/app.js';
import { DIST, NJS_MODULE, REPO, hasModule, startNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';

const time = (): string => new Date().toISOString().slice(11, 19);
const say = (line: string): void => console.log(`${time()}  ${line}`);

if (!existsSync(join(DIST, 'index.html'))) {
  console.error('dist/index.html is missing: run `npm run demo` (it builds first) or `npm run build`.');
  process.exit(1);
}

const app = new DemoApp(await freePort());
app.onRequest = (method, url, status) => say(`app   ${status} ${method} ${url}`);
await app.start();
// With Debian's njs module (libnginx-mod-http-js), the example with the hold.
const hold = hasModule(NJS_MODULE);
const nginx = await startNginx({
  vhost: join(REPO, `nginx-snippets/examples/${hold ? 'site-hold.conf' : 'site.conf'}`),
  appPort: app.port,
  modules: hold ? [NJS_MODULE] : [],
});

async function toggle(): Promise<void> {
  if (app.running) {
    await app.stop();
    say(
      hold
        ? 'app   stopped: nginx holds GETs for up to 5 s, then answers 502 with backsoon’s page'
        : 'app   stopped: nginx now answers 502 with backsoon’s page',
    );
  } else {
    await app.start();
    say('app   started: open pages go back to their URLs by themselves');
  }
}

/** Stops the app and starts it again after `ms`. */
function restart(ms: number): void {
  if (!app.running) return;
  void toggle().then(() => setTimeout(() => void toggle(), ms));
}

let maintenance = false;
async function toggleMaintenance(): Promise<void> {
  maintenance = !maintenance;
  const until = new Date(Date.now() + 10 * 60_000).toISOString();
  await nginx.maintenance(maintenance, maintenance ? { message: 'A planned upgrade (demo).', until } : undefined);
  say(
    maintenance
      ? 'nginx maintenance on: 503 with the maintenance page (touch __backsoon/maintenance.on)'
      : 'nginx maintenance off: waiting pages go back by themselves',
  );
}

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping nginx and the app…');
  await nginx.stop();
  await app.stop();
  process.exit(0);
}

console.log(`
  backsoon demo
  nginx:  ${nginx.url('/')}  (app on 127.0.0.1:${app.port})
  open:   ${nginx.url('/deep/path?q=1&x=%20y#section')}
  hold:   ${hold ? 'on (njs): GETs that arrive while the app restarts wait up to 5 s for it' : 'off (apt-get install libnginx-mod-http-js to try it)'}

  ${process.stdin.isTTY ? 's  stop / start the app\n  r  restart the app (down for 5 s)\n  b  a blip: restart the app for 2 s (with the hold, reload the page meanwhile: no error page)\n  m  planned maintenance on / off\n  e  the app answers its own 500 / answers normally\n  q  quit (or Ctrl-C)' : `no terminal: kill -USR1 ${process.pid} stops / starts the app, kill -USR2 ${process.pid} switches maintenance, kill ${process.pid} quits`}
`);

process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
process.on('SIGUSR1', () => void toggle());
process.on('SIGUSR2', () => void toggleMaintenance());

if (process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (key: string) => {
    if (key === 'q' || key === '\u0003') void shutdown();
    else if (key === 's') void toggle();
    else if (key === 'm') void toggleMaintenance();
    else if (key === 'e') {
      app.status = app.status === 500 ? 200 : 500;
      say(`app   now answers ${app.status}`);
    } else if (key === 'r') restart(5000);
    else if (key === 'b') restart(2000);
  });
}
