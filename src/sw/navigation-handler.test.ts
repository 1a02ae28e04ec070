import { describe, expect, it } from 'vitest';
import { PATHS } from '../protocol.js';
import { createNavigationHandler, formSentIn, awayReasonOf, pageResponse } from './navigation-handler.js';

const PAGE =
  '<html><head><noscript><meta http-equiv="refresh" content="30" /></noscript></head><body><backsoon-page kind="crash"></backsoon-page></body></html>';
const find = async (url: string): Promise<Response | undefined> =>
  url === PATHS.crashPage || url === PATHS.maintenancePage
    ? new Response(PAGE.replace('crash', url.includes('maintenance') ? 'maintenance' : 'crash'))
    : undefined;

describe('the worker’s decision', () => {
  it('passes the app’s own responses on, its errors included, and takes over for the marker or no answer', () => {
    expect(awayReasonOf(new Response('app', { status: 200 }))).toBeUndefined();
    expect(awayReasonOf(new Response('app', { status: 500 }))).toBeUndefined();
    expect(awayReasonOf(new Response('app', { status: 503, headers: { 'Retry-After': '9' } }))).toBeUndefined();
    expect(awayReasonOf(new Response('', { status: 502, headers: { 'X-Backsoon': 'crash' } }))).toBe('crash');
    expect(awayReasonOf(new Response('', { status: 503, headers: { 'X-Backsoon': 'maintenance' } }))).toBe(
      'maintenance',
    );
    expect(awayReasonOf(undefined)).toBe('unreachable');
  });

  it('takes a network-error response for no answer (Firefox resolves a failed navigation preload with one)', () => {
    expect(Response.error().type).toBe('error');
    expect(awayReasonOf(Response.error())).toBe('unreachable');
  });

  it('answers with the cached page and nginx’s own status and Retry-After', async () => {
    const original = new Response('', {
      status: 503,
      statusText: 'Service Unavailable',
      headers: { 'X-Backsoon': 'maintenance', 'Retry-After': '30' },
    });
    const page = await pageResponse('maintenance', original, 'GET', find);
    expect(page?.status).toBe(503);
    expect(page?.headers.get('Retry-After')).toBe('30');
    expect(page?.headers.get('X-Backsoon')).toBe('maintenance');
    expect(page?.headers.get('Cache-Control')).toBe('no-store');
    expect(await page?.text()).toContain('kind="maintenance"');
  });

  it('says 503 when nothing answered, and marks a lost form without its no-script refresh', async () => {
    const page = await pageResponse('unreachable', undefined, 'post', find);
    expect(page?.status).toBe(503);
    const html = await page?.text();
    // No `form-sent`: a failed fetch does not say whether the form went out, so the page says it may have.
    expect(html).toContain('<backsoon-page request-method="POST" kind="crash">');
    expect(html).not.toContain('http-equiv="refresh"');
  });

  // The worker must not turn nginx's "maybe" into "not sent", nor the reverse.
  it('keeps nginx’s word on whether the form reached the app', async () => {
    for (const sent of ['no', 'maybe'] as const) {
      const original = new Response(`<backsoon-page request-method="POST" form-sent="${sent}" kind="crash">`, {
        status: 504,
        headers: { 'X-Backsoon': 'crash' },
      });
      const page = await pageResponse('crash', original, 'POST', find);
      expect(page?.status).toBe(504);
      expect(await page?.text()).toContain(`<backsoon-page request-method="POST" form-sent="${sent}" kind="crash">`);
    }
    expect(formSentIn('<backsoon-page kind="crash">')).toBeUndefined();
    expect(formSentIn('<p form-sent="no"></p><backsoon-page kind="crash">')).toBeUndefined();
  });

  it('gives nothing when the page is not cached, so the network’s answer stands', async () => {
    expect(await pageResponse('crash', undefined, 'GET', async () => undefined)).toBeUndefined();
  });
});

describe('the navigation handler', () => {
  type Options = Parameters<ReturnType<typeof createNavigationHandler>>[0];
  /** A navigation's fetch event as the handler sees it: only `preloadResponse` is read. */
  const navigation = (preloadResponse: Promise<Response | undefined>): Options =>
    ({
      request: new Request('http://127.0.0.1/orders?id=7'),
      event: { preloadResponse },
      url: new URL('http://127.0.0.1/orders?id=7'),
    }) as unknown as Options;

  // With navigation preload on (compare https://github.com/GoogleChrome/workbox/issues/3134)
  // and the server unreachable, Firefox resolves `preloadResponse` with a
  // network error (type "error", status 0) where Chromium rejects it. Passed
  // on, it showed Firefox's own "Unable to connect" instead of the page.
  it('shows the page when the preload resolved with a network error (Firefox)', async () => {
    const response = await createNavigationHandler(find)(navigation(Promise.resolve(Response.error())));
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('kind="crash"');
  });

  it('shows the page when the preload rejected (Chromium)', async () => {
    const response = await createNavigationHandler(find)(navigation(Promise.reject(new TypeError('network error'))));
    expect(response.status).toBe(503);
  });

  it('passes the app’s preloaded answer on untouched', async () => {
    const app = new Response('app', { status: 200 });
    expect(await createNavigationHandler(find)(navigation(Promise.resolve(app)))).toBe(app);
  });
});
