import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DemoApp } from '../scripts/lib/app.js';
import { startNginx, type RunningNginx } from '../scripts/lib/nginx.js';
import { freePort } from '../scripts/lib/ports.js';
import { BROWSER, VHOSTS, expect, test } from './fixtures.js';

// Every way the app can be away, against one nginx (e2e/vhosts/faults.conf).

let hang: Server;
let early: Server;
let app: DemoApp;
let nginx: RunningNginx;

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const [hangPort, earlyPort] = [await freePort(), await freePort()];
  hang = createServer(() => {}); // accepts, never answers
  early = createServer((socket) => {
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/ht');
      socket.destroy();
    });
  });
  await listen(hang, hangPort);
  await listen(early, earlyPort);
  app = new DemoApp(await freePort());
  nginx = await startNginx({
    vhost: join(VHOSTS, 'faults.conf'),
    appPort: app.port,
    vars: { HANG: `127.0.0.1:${hangPort}`, EARLY: `127.0.0.1:${earlyPort}` },
  });
});

test.afterAll(async () => {
  await nginx.stop();
  await app.stop();
  hang.close();
  early.close();
});

test.afterEach(async () => {
  app.status = 200;
  await app.stop();
});

async function expectPage(path: string, status: number, kind = 'crash'): Promise<Response> {
  const response = await fetch(nginx.url(path), { headers: BROWSER });
  expect(response.status, path).toBe(status);
  expect(response.headers.get('x-backsoon'), path).toBe(kind);
  expect(await response.clone().text(), path).toContain(`<backsoon-page kind="${kind}"`);
  return response;
}

test('upstream port refused → 502, for proxy_pass, uwsgi_pass and fastcgi_pass', async () => {
  await expectPage('/', 502);
  await expectPage('/uwsgi/app', 502);
  await expectPage('/fastcgi/index.php', 502);
});

test('upstream on a unix socket that is gone → 502', async () => {
  await expectPage('/socket/app', 502);
});

test('upstream read timeout → 504', async () => {
  await expectPage('/slow/report', 504);
});

test('upstream accepts and closes mid-response → 502', async () => {
  await expectPage('/early-close/x', 502);
});

test('the intercept opt-in replaces the app’s own 503 with the page and still sends a Retry-After', async () => {
  await app.start();
  app.status = 503;
  const response = await expectPage('/intercept/x', 503, 'maintenance');
  expect(response.headers.get('retry-after')).toBe('30');
  app.status = 502;
  await expectPage('/intercept/x', 502);
  app.status = 500;
  const passed = await fetch(nginx.url('/intercept/x'), { headers: BROWSER });
  expect(passed.status).toBe(500);
  expect(passed.headers.get('x-backsoon')).toBeNull();
});

test('a location with its own error_page gets the page back through the per-location include', async () => {
  await expectPage('/own-errors/x', 502);
  const bare = await fetch(nginx.url('/own-errors-bare/x'), { headers: BROWSER });
  expect(bare.status).toBe(502);
  expect(await bare.text()).toContain('<h1>502 Bad Gateway</h1>');
});
