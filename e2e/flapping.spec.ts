import { expect, expectBacksoonPage, test } from './fixtures.js';

// An app that comes up and falls over every second for 30 s, then stays up.

test('a flapping app: no redirect loop, a bounded number of navigations, the visitor ends on the app', async ({
  page,
  site,
  app,
}) => {
  test.setTimeout(90_000);
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  await page.goto(site.url('/flap?x=1#here'));
  await expectBacksoonPage(page);

  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    await app.start();
    await new Promise((r) => setTimeout(r, 1000));
    await app.stop();
    await new Promise((r) => setTimeout(r, 1000));
  }
  const duringFlap = navigations;
  await app.start();
  await expect(page.locator('#asked')).toHaveText('/flap?x=1', { timeout: 30_000 });
  expect(page.url()).toBe(site.url('/flap?x=1#here'));
  console.log(`navigations: ${duringFlap} during 30 s of flapping, ${navigations} in all`);
  // One a second would be 15 round trips; the loop guard slows each bounce.
  expect(duringFlap).toBeLessThanOrEqual(10);
});
