import { defineConfig } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';
import { contentSecurityPolicy } from './scripts/vite/csp.js';
import { precompress } from './scripts/vite/precompress.js';

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
  // Order matters: inline everything, then hash what was inlined, then compress.
  plugins: [viteSingleFile({ removeViteModuleLoader: true }), contentSecurityPolicy(), precompress()],
});
