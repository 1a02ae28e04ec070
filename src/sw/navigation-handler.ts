import type { RouteHandlerCallback } from 'workbox-core';
import { isLostForm } from '../decide/lost-form.js';
import type { AwayReason } from '../decide/verdict.js';
import { FORM_MARKS, FORM_SENT, MARKER_HEADER, PATHS, readMarker, REWRITES } from '../protocol.js';

/**
 * Why a navigation gets a page, or undefined to pass the response on.
 * Decides from the network's answer: no answer at all (the server or the
 * network is down), nginx's own error page (the marker), or the app's own
 * response, which is never touched, its 500s included. `busy` never comes
 * for a navigation (only the probe says it); if it did, the visitor would
 * get the crash page, which waits and goes back.
 *
 * A network-error response (`type` "error", status 0) is no answer either.
 * `fetch()` rejects instead of giving one, but Firefox resolves a failed
 * navigation preload with it where Chromium rejects: passed on to
 * `respondWith()`, it made Firefox show its own "Unable to connect" page.
 * https://github.com/GoogleChrome/workbox/issues/3134
 */
export function awayReasonOf(response: Response | undefined): AwayReason | undefined {
  if (!response || response.type === 'error') return 'unreachable';
  const marker = response.headers.get(MARKER_HEADER);
  if (marker === null) return undefined;
  return readMarker(marker) === 'maintenance' ? 'maintenance' : 'crash';
}

type FormSent = (typeof FORM_SENT)[keyof typeof FORM_SENT];
const FORM_SENT_VALUES: readonly string[] = Object.values(FORM_SENT);

/**
 * What nginx said of a form in its own page (FORM_MARKS.sent: "no" or
 * "maybe"), so that the cached page says the same.
 */
export function formSentIn(html: string): FormSent | undefined {
  const mark = new RegExp(`<backsoon-page\\b[^>]*\\b${FORM_MARKS.sent}="([a-z]+)"`).exec(html)?.[1];
  return mark !== undefined && FORM_SENT_VALUES.includes(mark) ? (mark as FormSent) : undefined;
}

/**
 * The cached page as the answer to a navigation, with an honest status:
 * nginx's own (502, 503, 504) when it answered, 503 when nothing did. A form
 * submission gets the page's form variant, as nginx would give it: with
 * nginx's word on whether the form reached the app, and without it (the
 * page then says it may have) when nothing answered, since a failed fetch
 * does not tell whether the form went out before the connection broke.
 */
export async function pageResponse(
  reason: AwayReason,
  original: Response | undefined,
  method: string,
  find: (url: string) => Promise<Response | undefined>,
): Promise<Response | undefined> {
  const cached = await find(reason === 'maintenance' ? PATHS.maintenancePage : PATHS.crashPage);
  if (!cached) return undefined;
  let html = await cached.text();
  if (isLostForm(method)) {
    const sent = original ? formSentIn(await original.clone().text()) : undefined;
    const marks = `${FORM_MARKS.method}="${method.toUpperCase()}"${sent ? ` ${FORM_MARKS.sent}="${sent}"` : ''}`;
    html = html
      .replace(REWRITES.pageTag.find, () => `${REWRITES.pageTag.find}${marks} `)
      .replace(REWRITES.metaRefresh.find, REWRITES.metaRefresh.replace);
  }
  const headers = new Headers({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    [MARKER_HEADER]: reason,
  });
  const retryAfter = original?.headers.get('Retry-After');
  if (retryAfter) headers.set('Retry-After', retryAfter);
  return new Response(html, {
    status: original?.status ?? 503,
    statusText: original?.statusText || 'Service Unavailable',
    headers,
  });
}

/**
 * A Workbox route handler for top-level navigations: the network first,
 * always (app responses are never cached); the cached backsoon page when
 * the network fails or nginx answers with its own error page. Navigation
 * preload responses are checked too: they skip Workbox plugins, so the
 * check cannot live in a plugin. (Workbox's own strategies pass a Firefox
 * network-error preload on as it is: see `awayReasonOf`.)
 *
 * @param find looks a page up in the cache (workbox-precaching's matchPrecache)
 */
export function createNavigationHandler(find: (url: string) => Promise<Response | undefined>): RouteHandlerCallback {
  return async ({ request, event }) => {
    let response: Response | undefined;
    try {
      const preloaded = (await (event as FetchEvent).preloadResponse) as Response | undefined;
      response = preloaded ?? (await fetch(request));
    } catch {
      response = undefined;
    }
    const reason = awayReasonOf(response);
    if (reason === undefined && response) return response;
    const page = await pageResponse(
      reason ?? 'unreachable',
      reason === 'unreachable' ? undefined : response,
      request.method,
      find,
    );
    return page ?? response ?? Response.error();
  };
}
