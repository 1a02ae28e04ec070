import { createHash } from 'node:crypto';

/**
 * What a browser without console events (WebKitGTK's classic WebDriver has
 * no BiDi) still lets a test see: a classic script that runs first in the
 * page and records, in `window.__backsoonProbe`, every CSP violation
 * (Trusted Types violations are CSP violations too: `require-trusted-types-for`
 * and `trusted-types`), every uncaught error or rejection, and every
 * `console.error` / `console.warn` the page makes.
 */
export const CONSOLE_PROBE = `(() => {
  const seen = (window.__backsoonProbe = []);
  addEventListener('securitypolicyviolation', (e) => seen.push('csp: ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + (e.sample ? ' (' + e.sample + ')' : '')), true);
  addEventListener('error', (e) => seen.push('error: ' + e.message));
  addEventListener('unhandledrejection', (e) => seen.push('unhandled rejection: ' + e.reason));
  for (const level of ['error', 'warn']) {
    const original = console[level];
    console[level] = (...args) => {
      seen.push('console.' + level + ': ' + args.join(' '));
      original.apply(console, args);
    };
  }
})();`;

const CSP_META = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"\s*\/?>/;

/**
 * Installs the probe in a built page, as the operator edits an attribute
 * (startNginx's `page` option): right after the page's own CSP, so the
 * policy governs it and it runs before anything else, with its hash added
 * to `script-src`. The policy is otherwise the page's own, unchanged.
 */
export function withConsoleProbe(html: string): string {
  const meta = CSP_META.exec(html);
  if (!meta) throw new Error('console probe: no Content-Security-Policy <meta> in the built page');
  const policy = meta[1]!;
  if (!/(^|;)\s*script-src /.test(policy))
    throw new Error(`console probe: no script-src in the page's policy: ${policy}`);
  const hash = createHash('sha256').update(CONSOLE_PROBE).digest('base64');
  const probed = policy.replace(/((?:^|;)\s*script-src )/, `$1'sha256-${hash}' `);
  return html.replace(
    meta[0],
    `<meta http-equiv="Content-Security-Policy" content="${probed}"><script>${CONSOLE_PROBE}</script>`,
  );
}
