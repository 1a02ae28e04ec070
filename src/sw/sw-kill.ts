/// <reference lib="webworker" />
// The kill switch. A 404 on the worker's script does not unregister it
// (Service Worker spec issue #204): a worker that removes itself does. To
// remove backsoon's worker from every visitor who has it:
//   cp /var/www/example/__backsoon/sw-kill.js /var/www/example/__backsoon/sw.js
// Browsers fetch sw.js again at their next navigation (it is served
// no-store: nginx-snippets/server/backsoon.conf's `location =
// /__backsoon/sw.js`, and the Caddy and Apache snippets alike, so no HTTP
// cache keeps the old one); this worker then deletes backsoon's caches,
// unregisters itself, and reloads the pages it controlled, which no worker
// controls any more. A later deploy of dist/ brings the real worker back.
import { CACHE_PREFIX } from './cache-prefix.js';

declare let self: ServiceWorkerGlobalScope;

self.addEventListener('install', () => {
  void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith(`${CACHE_PREFIX}-`)) await caches.delete(key);
      await self.registration.unregister();
      for (const client of await self.clients.matchAll({ type: 'window' })) {
        await client.navigate(client.url).catch(() => undefined);
      }
    })(),
  );
});
