import { defineConfig } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';
import { contentSecurityPolicy } from './scripts/vite/csp.js';
import { backsoonPages } from './scripts/vite/pages.js';
import { precompress } from './scripts/vite/precompress.js';
import { serviceWorker } from './scripts/vite/service-worker.js';

export default defineConfig({
  // Every URL the kit serves lives under this prefix (see nginx-snippets/).
  base: '/__backsoon/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The page is one file: there is nothing to preload.
    modulePreload: { polyfill: false },
  },
  // Order matters: inline everything, hash what was inlined, derive the
  // maintenance page from the finished crash page, compress; the worker,
  // whose manifest needs the final files, comes last.
  plugins: [
    backsoonPages(),
    viteSingleFile({ removeViteModuleLoader: true }),
    contentSecurityPolicy(),
    precompress(),
    serviceWorker(),
  ],
});
