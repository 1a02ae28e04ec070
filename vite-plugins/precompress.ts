import { gzipSync, constants } from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * Writes `name.gz` beside each HTML, JS and CSS file of the page's bundle,
 * for nginx's `gzip_static`: nginx's gzip filter does not compress error
 * responses (502, 503, 504), but a precompressed file is served as it is,
 * whatever the status. The script and the styles are inlined into the
 * pages, so in practice that is index.html.gz and maintenance.html.gz
 * alone. Nothing else gets a .gz: not locales/*.json, outage.*, the logo or
 * brand.css (public/, copied as it is), nor the service worker's files,
 * built apart once the bundle is written (service-worker.ts). Runs on the
 * finished bundle, after the pages are final (list it after the CSP plugin).
 */
export function precompress(): Plugin {
  return {
    name: 'backsoon:precompress',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        for (const file of Object.values(bundle)) {
          if (!/\.(html|js|css)$/.test(file.fileName)) continue;
          const source = file.type === 'asset' ? file.source : file.code;
          this.emitFile({
            type: 'asset',
            fileName: `${file.fileName}.gz`,
            source: gzipSync(source, { level: constants.Z_BEST_COMPRESSION }),
          });
        }
      },
    },
  };
}
