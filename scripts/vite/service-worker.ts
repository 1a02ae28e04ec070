import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'vite';
import { injectManifest } from 'workbox-build';

/** What the worker precaches, from dist/: the pages and their languages. brand.css is fetched at install and kept fresh network first instead (src/sw/routes.ts). */
export const PRECACHE_PATTERNS = ['index.html', 'maintenance.html', 'locales/*.json'];

/**
 * After the page's build, builds the service-worker side of the kit into
 * dist/: sw.js (the worker, with the precache manifest injected by
 * workbox-build: each page with the revision of its content), sw-import.js
 * (the same routes for an app's own worker), sw-kill.js (the kill switch),
 * register.js (one <script> tag) and register.mjs (an ES module export).
 */
export function serviceWorker(): Plugin {
  let root = process.cwd();
  let dist = join(root, 'dist');
  return {
    name: 'backsoon:service-worker',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      dist = resolve(config.root, config.build.outDir);
    },
    // writeBundle: once the page's files are on disk, and only if its build succeeded.
    async writeBundle() {
      const temp = await mkdtemp(join(tmpdir(), 'backsoon-sw-'));
      const bundle = (entry: string, fileName: string, format: 'iife' | 'es', outDir: string) =>
        build({
          configFile: false,
          root,
          logLevel: 'warn',
          // Workbox ships its logging and assertions behind this check.
          define: { 'process.env.NODE_ENV': JSON.stringify('production') },
          build: {
            outDir,
            emptyOutDir: false,
            target: 'es2022',
            copyPublicDir: false,
            lib: { entry: join(root, 'src/sw', entry), formats: [format], name: 'backsoon', fileName: () => fileName },
          },
        });
      await bundle('sw.ts', 'sw.js', 'iife', temp);
      await bundle('sw-import.ts', 'sw-import.js', 'iife', temp);
      await bundle('sw-kill.ts', 'sw-kill.js', 'iife', dist);
      await bundle('register.ts', 'register.js', 'iife', dist);
      await bundle('registration.ts', 'register.mjs', 'es', dist);
      for (const file of ['sw.js', 'sw-import.js']) {
        const { warnings } = await injectManifest({
          swSrc: join(temp, file),
          swDest: join(dist, file),
          globDirectory: dist,
          globPatterns: PRECACHE_PATTERNS,
          modifyURLPrefix: { '': '/__backsoon/' },
        });
        for (const warning of warnings) this.warn(warning);
      }
      await rm(temp, { recursive: true, force: true });
    },
  };
}
