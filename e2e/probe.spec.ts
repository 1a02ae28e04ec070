import { FaultyUpstream } from '../test-support/faulty-upstream.js';
import { startNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { rawRequest, type RawAnswer } from '../test-support/raw-request.js';
import { expect, SITE_VHOST, test } from './fixtures.js';

// The shared probe is public: anyone can send it anything. It must stay a
// narrow door to the app (only HEAD of the health path, nothing of the
// visitor's, nothing of the app's back out), never say "up" for an app that
// does not answer, and not let one client take the turns of the others.

const PROBE = '/__backsoon/probe';
const TURN = `${PROBE}?admit=1`;

/** The page's reading of a probe answer: the app answered (up), or nginx's error (down), or a turn refused. */
function reading(answer: RawAnswer): 'up' | 'down' | 'busy' {
  if (answer.headers['x-backsoon'] === 'busy') return 'busy';
  return answer.headers['x-backsoon-probe'] === '1' && answer.status < 502 ? 'up' : 'down';
}

test('the app gets only HEAD of the health path, with its own Host and nothing of the visitor’s', async ({
  site,
  app,
}) => {
  await app.start();
  const answer = await rawRequest(site.port, {
    method: 'HEAD',
    path: `${PROBE}?slow=5&admit=&x=%0a`,
    headers: {
      host: 'evil.test',
      cookie: 'session=secret; backsoon_bypass=0123456789abcdef0123',
      authorization: 'Bearer secret',
      'x-forwarded-host': 'evil.test',
      'x-forwarded-for': '203.0.113.9',
      'x-original-url': '/admin',
      'user-agent': 'attacker',
    },
  });
  expect(reading(answer)).toBe('up');
  expect(app.requests).toHaveLength(1);
  const [asked] = app.requests;
  expect([asked!.method, asked!.url]).toEqual(['HEAD', '/healthz']);
  expect(asked!.headers.host).toBe(`127.0.0.1:${app.port}`);
  for (const name of ['cookie', 'authorization', 'x-forwarded-host', 'x-forwarded-for', 'x-original-url', 'user-agent'])
    expect(asked!.headers[name], name).toBeUndefined();
});

test('any other method gets 405 from nginx and never reaches the app, body or not', async ({ site, app }) => {
  await app.start();
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    const answer = await rawRequest(site.port, {
      method,
      path: PROBE,
      headers: { 'content-type': 'application/json' },
      body: '{"drop":"table"}',
    });
    expect(answer.status, method).toBe(405);
  }
  expect(app.requests).toEqual([]);
});

test('the visitor gets the status and the probe’s headers, none of the app’s that set or tell anything', async ({
  site,
  app,
}) => {
  app.status = 302;
  app.headers = {
    'Set-Cookie': 'sid=secret; HttpOnly',
    Location: '/login?next=/healthz',
    Link: '</internal>; rel=preload',
    'WWW-Authenticate': 'Basic realm="staff"',
    Refresh: '0; url=/elsewhere',
  };
  await app.start();
  const answer = await rawRequest(site.port, { method: 'HEAD', path: PROBE });
  expect(answer.status).toBe(302);
  expect(reading(answer)).toBe('up');
  expect(answer.headers['cache-control']).toBe('no-store');
  for (const name of ['set-cookie', 'location', 'link', 'www-authenticate', 'refresh'])
    expect(answer.headers[name], name).toBeUndefined();
});

test('made-up Host headers and query strings make no new request to the app', async ({ site, app }) => {
  await app.start();
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      rawRequest(site.port, { method: 'HEAD', path: `${PROBE}?n=${i}`, headers: { host: `h${i}.evil.test` } }),
    ),
  );
  expect(answers.map(reading)).toEqual(answers.map(() => 'up'));
  // One answer for the server block, whatever the Host: one request, two if a second began meanwhile.
  expect(app.requests.length).toBeLessThanOrEqual(2);
});

test('a slow app still gets one probe request a second, however many visitors ask meanwhile', async ({ site, app }) => {
  app.delay = 600;
  await app.start();
  const startedAt = Date.now();
  // 50 visitors, each asking every 100 ms for 4 s: 2,000 probes while each of the app's answers takes 0.6 s.
  await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      while (Date.now() - startedAt < 4000) {
        const answer = await rawRequest(site.port, { method: 'HEAD', path: PROBE, localAddress: `127.0.5.${i + 1}` });
        expect(reading(answer)).toBe('up');
        await new Promise((r) => setTimeout(r, 100));
      }
    }),
  );
  const seconds = Math.ceil((Date.now() - startedAt) / 1000);
  expect(app.requests.length).toBeLessThanOrEqual(seconds + 1);
});

test.describe('an app that accepts connections and never answers', () => {
  let faulty: FaultyUpstream;
  test.afterEach(async () => faulty.close());

  test('is down within the read timeout, never a previous "up" while it hangs', async () => {
    test.setTimeout(30_000);
    faulty = new FaultyUpstream(await freePort());
    faulty.fault = 'answer';
    await faulty.listen();
    const site = await startNginx({ vhost: SITE_VHOST, appPort: faulty.port });
    try {
      expect(reading(await rawRequest(site.port, { method: 'HEAD', path: PROBE }))).toBe('up');
      faulty.fault = 'hang';
      const hungAt = Date.now();
      // Past the cached answer's second (nginx counts it in whole seconds: up to two), visitors keep
      // asking, four a second, for 5 s: longer than the probe's 3 s read timeout.
      await new Promise((r) => setTimeout(r, 2100));
      const answers: { sentAt: number; reading: string }[] = [];
      const asking: Promise<void>[] = [];
      while (Date.now() - hungAt < 7100) {
        const sentAt = Date.now();
        asking.push(
          rawRequest(site.port, { method: 'HEAD', path: PROBE }).then((a) => {
            answers.push({ sentAt: sentAt - hungAt, reading: reading(a) });
          }),
        );
        await new Promise((r) => setTimeout(r, 250));
      }
      await Promise.all(asking);
      expect(answers.length).toBeGreaterThanOrEqual(15);
      expect(answers.filter((a) => a.reading === 'up')).toEqual([]);
    } finally {
      await site.stop();
    }
  });
});

test('one client asking for turns in a loop takes a few, and the waiting visitors get theirs', async ({
  site,
  app,
}) => {
  test.setTimeout(30_000);
  // Each turn holds its place in the window while the app answers it.
  app.delay = 10;
  await app.start();
  let hogging = true;
  let hogTurns = 0;
  let hogAsked = 0;
  // A client asking for turns 150 times a second, from one address.
  const hog = (async () => {
    while (hogging) {
      const answers = await Promise.all(
        Array.from({ length: 15 }, () =>
          rawRequest(site.port, { method: 'HEAD', path: TURN, localAddress: '127.0.3.1' }).catch(() => undefined),
        ),
      );
      hogAsked += answers.length;
      hogTurns += answers.filter((a) => a && reading(a) === 'up').length;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // The client has been at it for two seconds when the visitors come.
  await new Promise((r) => setTimeout(r, 2000));
  const startedAt = Date.now() - 2000;
  // Meanwhile 100 waiting visitors, each from its own address, arriving over
  // a second, ask once a second until they get a turn.
  const waited = await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      await new Promise((r) => setTimeout(r, i * 10));
      for (let tries = 1; ; tries += 1) {
        const answer = await rawRequest(site.port, { method: 'HEAD', path: TURN, localAddress: `127.0.4.${i + 1}` });
        if (reading(answer) === 'up') return tries;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }),
  );
  const seconds = (Date.now() - startedAt) / 1000;
  hogging = false;
  await hog;
  expect(hogAsked).toBeGreaterThan(100);
  // Its address's burst (3) and 2 a second: never most of the turns.
  expect(hogTurns).toBeLessThanOrEqual(3 + Math.ceil(2 * (seconds + 1)));
  // The window (4 at a time, each held 10 ms here) lets every visitor in within a few asks.
  expect(Math.max(...waited)).toBeLessThanOrEqual(3);
});
