import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

/**
 * Writes a strict Content-Security-Policy into the built page as a <meta>
 * tag, allowing exactly the inline <script> and <style> blocks the build
 * produced, by hash: no 'unsafe-inline', nothing from other origins.
 *
 * Runs after vite-plugin-singlefile has inlined everything (list it after
 * that plugin). A meta policy, not a header, because the hashes change with
 * every build and the nginx snippets stay the same across builds.
 */
export function contentSecurityPolicy(): Plugin {
  return {
    name: 'backsoon:csp',
    enforce: 'post',
    // 'post': after vite-plugin-singlefile's own 'post' handler, listed before this one.
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        for (const asset of Object.values(bundle)) {
          if (asset.type !== 'asset' || !asset.fileName.endsWith('.html')) continue;
          const html = String(asset.source);
          const meta = `<meta http-equiv="Content-Security-Policy" content="${policyFor(html)}">`;
          if (!/<meta charset="utf-8"\s*\/?>/i.test(html)) {
            this.error(`${asset.fileName}: no <meta charset="utf-8"> to put the Content-Security-Policy after`);
          }
          asset.source = html.replace(/(<meta charset="utf-8"\s*\/?>)/i, `$1${meta}`);
        }
      },
    },
  };
}

function hashes(html: string, tag: 'script' | 'style'): string[] {
  const blocks = html.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'gi'));
  return [...blocks].map(
    ([, body]) =>
      `'sha256-${createHash('sha256')
        .update(body ?? '')
        .digest('base64')}'`,
  );
}

/** The policy for one page: its inline blocks by hash, the rest from its own origin only. */
export function policyFor(html: string): string {
  return [
    "default-src 'none'",
    `script-src ${hashes(html, 'script').join(' ') || "'none'"}`,
    `style-src 'self' ${hashes(html, 'style').join(' ')}`.trim(),
    "img-src 'self' data:",
    "font-src 'self'",
    // The poller fetches the page's own URL.
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    // Lit renders through a Trusted Types policy of this name.
    "require-trusted-types-for 'script'",
    'trusted-types lit-html',
  ].join('; ');
}
