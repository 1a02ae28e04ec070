import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Logger, type Plugin } from 'vite';
import { injectManifest } from 'workbox-build';
import { KIT_PATH, PAGE_FILES, WORKER_FILES } from '../src/protocol.js';

/** What the worker precaches, from dist/: the pages and their languages. brand.css is fetched at install and kept fresh network first instead (src/sw/routes.ts). */
export const PRECACHE_PATTERNS = [PAGE_FILES.crash, PAGE_FILES.maintenance, 'locales/*.json'];

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
  let logger: Logger | undefined;
  let written = false;
  return {
    name: 'backsoon:service-worker',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      dist = resolve(config.root, config.build.outDir);
      logger = config.logger;
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
            lib: { entry: join(root, 'src', entry), formats: [format], name: 'backsoon', fileName: () => fileName },
          },
        });
      await bundle('sw/sw.ts', 'sw.js', 'iife', temp);
      await bundle('sw/sw-import.ts', 'sw-import.js', 'iife', temp);
      await bundle('sw/sw-kill.ts', 'sw-kill.js', 'iife', dist);
      await bundle('register/register.ts', 'register.js', 'iife', dist);
      await bundle('register/registration.ts', 'register.mjs', 'es', dist);
      for (const file of ['sw.js', 'sw-import.js']) {
        const { warnings } = await injectManifest({
          swSrc: join(temp, file),
          swDest: join(dist, file),
          globDirectory: dist,
          globPatterns: PRECACHE_PATTERNS,
          modifyURLPrefix: { '': KIT_PATH },
        });
        for (const warning of warnings) this.warn(warning);
      }
      await rm(temp, { recursive: true, force: true });
      written = true;
    },
    // Vite lists the page's files; these are built apart (quietly), so list
    // them after Vite's list, once it is printed.
    async closeBundle() {
      if (!written) return;
      logger?.info(await fileList(dist, relative(root, dist), Object.values(WORKER_FILES)));
    },
  };
}

/** The files as Vite lists a build's: `dist/sw.js  19.80 kB │ gzip: 6.83 kB`. */
async function fileList(dist: string, shownDir: string, files: string[]): Promise<string> {
  const kB = (bytes: number): string => `${(bytes / 1000).toFixed(2)} kB`;
  const rows = await Promise.all(
    files.map(async (file) => {
      const source = await readFile(join(dist, file));
      return [`${shownDir.split('\\').join('/')}/${file}`, kB(source.length), kB(gzipSync(source).length)] as const;
    }),
  );
  const nameWidth = Math.max(...rows.map(([name]) => name.length));
  const sizeWidth = Math.max(...rows.map(([, size]) => size.length));
  return [
    'built apart: the service worker and its registration',
    ...rows.map(([name, size, gzip]) => `${name.padEnd(nameWidth)}  ${size.padStart(sizeWidth)} │ gzip: ${gzip}`),
  ].join('\n');
}
