/// <reference lib="webworker" />
// backsoon's service worker, /__backsoon/sw.js, registered at scope / by
// register.js (served with Service-Worker-Allowed: / by the snippet).
import { clientsClaim } from 'workbox-core';
import type { PrecacheEntry } from 'workbox-precaching';
import { installBacksoonRoutes } from './routes.js';

declare let self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | PrecacheEntry)[] };

installBacksoonRoutes(self.__WB_MANIFEST, { navigationPreload: true });

// A new build takes over at once: its precache holds the new page, and the
// worker keeps no state a page depends on.
void self.skipWaiting();
clientsClaim();
