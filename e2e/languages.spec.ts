import { expect, test } from './fixtures.js';

// The visitor's language, from the browser's preferences, among the shipped ones.

const CASES = [
  {
    locale: 'de-DE',
    lang: 'de',
    title: 'Wir sind gleich wieder da',
    status: /Nächste Prüfung in \d+ Sek\. · Versuch \d+/,
    button: 'Jetzt prüfen',
  },
  {
    locale: 'fr-CA',
    lang: 'fr',
    title: 'Nous revenons tout de suite',
    status: /Nouvelle vérification dans \d+\s?s · essai \d+/,
    button: 'Vérifier maintenant',
  },
  {
    locale: 'es-MX',
    lang: 'es',
    title: 'Volvemos enseguida',
    status: /Nueva comprobación en \d+\s?s · intento \d+/,
    button: 'Comprobar ahora',
  },
  {
    locale: 'pt-BR',
    lang: 'pt',
    title: 'Voltamos já',
    status: /Nova verificação em \d+\s?s · tentativa \d+/,
    button: 'Verificar agora',
  },
  {
    locale: 'ja-JP',
    lang: 'ja',
    title: 'まもなく復旧します',
    status: /\d+\s?秒後に再確認 · \d+回目/,
    button: '今すぐ確認',
  },
  { locale: 'zh-CN', lang: 'zh-Hans', title: '马上回来', status: /\d+秒后再次检查 · 第 \d+ 次/, button: '立即检查' },
  {
    locale: 'zh-TW',
    lang: 'en',
    title: 'We’ll be right back',
    status: /Checking again in \d+ sec · attempt \d+/,
    button: 'Try now',
  },
  {
    locale: 'ko-KR',
    lang: 'en',
    title: 'We’ll be right back',
    status: /Checking again in \d+ sec · attempt \d+/,
    button: 'Try now',
  },
];

for (const c of CASES) {
  test.describe(`a browser in ${c.locale}`, () => {
    test.use({ locale: c.locale });

    test(`gets the page in "${c.lang}"`, async ({ page, site }) => {
      await page.goto(site.url('/x'));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(c.title);
      await expect(page.locator('backsoon-page')).toContainText(c.status);
      await expect(page.getByRole('button', { name: c.button })).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('lang', c.lang);
      await expect(page).toHaveTitle(c.title);
    });
  });
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false, locale: 'de-DE' });

  test('the HTML itself says what happened, in the default language, and refreshes slowly', async ({ page, site }) => {
    const response = await page.goto(site.url('/x'));
    const html = (await response?.text()) ?? '';
    expect(html).toContain('<noscript><meta http-equiv="refresh" content="30" /></noscript>');
    expect(html).toContain('<h1>We’ll be right back</h1>');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('We’ll be right back');
    await expect(page.getByText('Reload this page in a little while to try again.')).toBeVisible();
  });
});

// The clock follows the visitor's locale, not the page's language.
for (const c of [
  { locale: 'en-GB', clock: /back around ([01]?\d|2[0-3]):[0-5]\d, in about/ },
  { locale: 'en-US', clock: /back around (1[0-2]|[1-9]):[0-5]\d\s[AP]M, in about/ },
  // Swedish is not shipped: an English page, with the Swedish 24-hour clock.
  { locale: 'sv-SE', clock: /back around ([01]?\d|2[0-3]):[0-5]\d, in about/ },
]) {
  test.describe(`a browser in ${c.locale} during maintenance with an end time`, () => {
    test.use({ locale: c.locale, timezoneId: 'Europe/London' });

    test('reads the end time the way its locale writes times', async ({ page, site }) => {
      const until = new Date(Date.now() + 90 * 60_000);
      await site.maintenance(true, { until: until.toISOString() });
      await page.goto(site.url('/x'));
      await expect(page.locator('backsoon-page')).toContainText(c.clock);
      if (c.locale === 'en-GB') {
        const expected = new Intl.DateTimeFormat('en-GB', {
          hour: 'numeric',
          minute: '2-digit',
          timeZone: 'Europe/London',
        }).format(until);
        await expect(page.locator('backsoon-page')).toContainText(`back around ${expected},`);
      }
    });
  });
}
