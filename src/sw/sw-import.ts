/// <reference lib="webworker" />
// For apps with a service worker of their own at / (a scope has one worker):
//   importScripts('/__backsoon/sw-import.js');
// at the top of that worker adds backsoon's precache and navigation route
// and changes nothing of its lifecycle. Put it before the app's own fetch
// handlers: the first handler to answer a navigation wins.
import type { PrecacheEntry } from 'workbox-precaching';
import { installBacksoonRoutes } from './routes.js';

declare let self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | PrecacheEntry)[] };

installBacksoonRoutes(self.__WB_MANIFEST, { navigationPreload: false });
