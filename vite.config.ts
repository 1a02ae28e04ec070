import { defineConfig } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';
import { contentSecurityPolicy } from './vite-plugins/csp.js';
import { backsoonPageFiles, backsoonPages } from './vite-plugins/pages.js';
import { precompress } from './vite-plugins/precompress.js';
import { serviceWorker } from './vite-plugins/service-worker.js';
import { KIT_PATH } from './src/protocol.js';

export default defineConfig({
  base: KIT_PATH,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The page is one file: there is nothing to preload.
    modulePreload: { polyfill: false },
  },
  // The order of the list is the order the bundle goes through them: the
  // ones that handle the finished bundle (`enforce: 'post'`, generateBundle)
  // run in the order listed here.
  plugins: [
    // The strings and the slots of index.html, before anything is bundled.
    backsoonPages(),
    // Inlines the script and the styles into index.html. Its recommended
    // settings set `base` to './': keep the kit's own instead.
    viteSingleFile({ removeViteModuleLoader: true, overrideConfig: { base: KIT_PATH } }),
    // maintenance.html from the inlined page, the languages, outage.*, the logo.
    backsoonPageFiles(),
    // A hash of each inline block, in both pages.
    contentSecurityPolicy(),
    // page.html.gz beside each page, once the pages are final.
    precompress(),
    // Once the files are written: the worker and its registration, whose
    // precache manifest needs the final pages.
    serviceWorker(),
  ],
});
