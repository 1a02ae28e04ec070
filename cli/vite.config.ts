import { defineConfig } from 'vite';

/**
 * Builds the `backsoon` command into one plain JavaScript file for Node,
 * cli/dist/backsoon.js (the package's bin): the package then runs without
 * tsx or TypeScript. Node's modules and `vite` (imported by `backsoon
 * build` only, from the user's own install) stay outside the file.
 */
export default defineConfig({
  publicDir: false,
  build: {
    ssr: 'cli/backsoon.ts',
    outDir: 'cli/dist',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    copyPublicDir: false,
    rollupOptions: {
      // Not minified (an unexpected error's stack names real lines), but
      // without the doc comments, which the sources keep: the package stays
      // small for `npx`.
      output: {
        entryFileNames: 'backsoon.js',
        banner: '#!/usr/bin/env node',
        comments: { legal: true, annotation: true, jsdoc: false },
      },
    },
  },
});
