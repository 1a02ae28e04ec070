import { gzipAsync } from '@gfx/zopfli';
import { brotliCompressSync, constants, gunzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * Writes `name.gz` and `name.br` beside each HTML, JS and CSS file of the
 * page's bundle, for nginx's `gzip_static` (and `brotli_static`, with
 * Debian's libnginx-mod-http-brotli-static and
 * nginx-snippets/server/backsoon-brotli.conf): nginx's gzip filter does not
 * compress error responses (502, 503, 504), but a precompressed file is
 * served as it is, whatever the status. The script and the styles are
 * inlined into the pages, so in practice that is index.html and
 * maintenance.html alone. Nothing else gets a copy: not locales/*.json,
 * outage.*, the logo or brand.css (public/, copied as it is), nor the
 * service worker's files, built apart once the bundle is written
 * (service-worker.ts). Runs on the finished bundle, after the pages are
 * final (list it after the CSP plugin).
 *
 * Both copies are as small as their format allows, since they go out on
 * every error response: gzip by Zopfli (Google's optimal-parse encoder, the
 * @gfx/zopfli build of its C code: about 3% under zlib's level 9 on the
 * page), brotli at its highest quality. Both are deterministic: the same
 * page gives the same bytes.
 */
export function precompress(): Plugin {
  return {
    name: 'backsoon:precompress',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      async handler(_options, bundle) {
        for (const file of Object.values(bundle)) {
          if (!/\.(html|js|css)$/.test(file.fileName)) continue;
          const source = file.type === 'asset' ? file.source : file.code;
          const bytes = typeof source === 'string' ? Buffer.from(source) : source;
          this.emitFile({ type: 'asset', fileName: `${file.fileName}.gz`, source: await zopfliGzip(bytes) });
          this.emitFile({ type: 'asset', fileName: `${file.fileName}.br`, source: brotli(bytes) });
        }
      },
    },
  };
}

/**
 * Gzip by Zopfli, checked: the copy must inflate to the page, or the build
 * fails rather than ship a page that a browser cannot read.
 */
export async function zopfliGzip(bytes: Uint8Array): Promise<Buffer> {
  // 15 iterations: Zopfli's own advice for small files; 50 saves one byte of the page.
  const gzip = Buffer.from(await gzipAsync(bytes, { numiterations: 15, blocksplitting: true }));
  if (!gunzipSync(gzip).equals(bytes)) throw new Error('precompress: the gzip copy does not inflate to the page');
  return gzip;
}

/** Brotli at its highest quality, told the input is text (RFC 7932). */
export function brotli(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}
