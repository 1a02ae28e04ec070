import { setCacheNameDetails } from 'workbox-core';
import * as navigationPreload from 'workbox-navigation-preload';
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { warmStrategyCache } from 'workbox-recipes/warmStrategyCache.js';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';
import { KIT_PATH, PATHS } from '../protocol.js';
import { CACHE_PREFIX } from './cache-prefix.js';
import { createNavigationHandler } from './navigation-handler.js';

/** The kit's own URLs, which the worker never answers with the page. */
const KIT = new RegExp(`^${KIT_PATH}`); // no character of it is special in a RegExp

export interface RouteOptions {
  /**
   * Turn navigation preload on. The standalone worker does: its handler goes
   * to the network on every navigation, and preload starts that request
   * while the worker is still booting (typically 50 ms, 250 ms on phones),
   * so the worker never slows the app's pages. Firefox answers a failed
   * preload differently from Chromium and WebKit; `awayReasonOf` takes both for
   * "no answer". An app's own worker decides for itself, so `sw-import.js`
   * leaves it off.
   * https://developer.chrome.com/docs/workbox/navigation-preload
   */
  navigationPreload: boolean;
}

/**
 * Adds backsoon to a service worker: precaches the pages (each with the
 * revision of its content, so a new build replaces them), answers failed
 * top-level navigations with them, and keeps brand.css fresh (network
 * first) so that edits to it show without a rebuild. brand.css is fetched
 * once when the worker installs too: the offline page is branded for a
 * visitor who never saw the page online.
 */
export function installBacksoonRoutes(manifest: (string | PrecacheEntry)[], options: RouteOptions): void {
  setCacheNameDetails({ prefix: CACHE_PREFIX });
  precacheAndRoute(manifest);
  cleanupOutdatedCaches();
  if (options.navigationPreload) navigationPreload.enable();
  const handler = createNavigationHandler((url) => matchPrecache(url));
  registerRoute(new NavigationRoute(handler, { denylist: [KIT] }));
  registerRoute(({ request, url }) => request.mode === 'navigate' && !KIT.test(url.pathname), handler, 'POST');
  // Network first, so an edit shows at the next online visit; 3 s before the
  // cached copy is used, so a slow server does not hold the page's styles.
  const brand = new NetworkFirst({ cacheName: `${CACHE_PREFIX}-brand`, networkTimeoutSeconds: 3 });
  registerRoute(({ url }) => url.pathname === PATHS.brandCss, brand);
  // Not in the precache manifest: precached files are served cache first
  // under the build's revision, so an operator's later edit would not show.
  // Fetched into this strategy's cache when the worker installs instead.
  warmStrategyCache({ urls: [PATHS.brandCss], strategy: brand });
}
