import { TOKEN_MAP } from './token.js';
import { APP_COOKIE, NGINX_NAMES } from '../src/protocol.js';

/**
 * What a failing `nginx -t` (or `nginx -T`) means for backsoon: nginx's own
 * words for the mistakes its snippets make likely, each with the fix.
 * Anything else is passed on as nginx said it.
 */
const EXPLANATIONS: { pattern: RegExp; explain: (match: RegExpExecArray) => string }[] = [
  {
    pattern: /could not build map_hash, you should increase map_hash_bucket_size: (\d+)/,
    explain: (m) =>
      `a plain map key is too long for map_hash_bucket_size ${m[1]}. A bypass token in the ${TOKEN_MAP} block ` +
      'must be a regular expression, "~^<token>\\z" 1;, which is never hashed (and matched case-sensitively): ' +
      'rewrite its line so, or make one with `backsoon token`',
  },
  {
    pattern: /unknown directive "(js_\w+)"/,
    explain: (m) =>
      `"${m[1]}" needs nginx's JavaScript module, which is not loaded (the hold include uses it): ` +
      'apt-get install libnginx-mod-http-js (Debian loads it from modules-enabled/), or add load_module modules/ngx_http_js_module.so; at the top of nginx.conf',
  },
  {
    pattern: /unknown directive "brotli_static"/,
    explain: () =>
      "server/backsoon-brotli.conf needs nginx's brotli_static module, which is not loaded: " +
      'apt-get install libnginx-mod-http-brotli-static (Debian loads it from modules-enabled/), or add load_module modules/ngx_http_brotli_static_module.so; at the top of nginx.conf, or leave that include out',
  },
  {
    // The staff file's variables (and its half's, which it includes): backsoon-maintenance.conf and the Cookie line read them.
    pattern:
      /unknown "(backsoon_staff(?:_ip|_token)?|backsoon_token|backsoon_app_cookie|backsoon_bypass_cookie)" variable/,
    explain: (m) =>
      `$${m[1]} comes from the staff file, which is not in the http block (backsoon-maintenance.conf and proxy_set_header Cookie ${APP_COOKIE}; need it): cp /etc/nginx/snippets/backsoon/http/backsoon-staff.conf /etc/nginx/conf.d/`,
  },
  {
    pattern: /unknown "backsoon_(crash|maintenance)_page" variable/,
    explain: () =>
      'a location include of backsoon is used in a server block without server/backsoon.conf: include it in that server block too',
  },
  {
    pattern: /open\(\) "([^"]*backsoon[^"]*)" failed \(2: No such file or directory\)/,
    explain: (m) =>
      `${m[1]} does not exist: install the snippets (backsoon install --root DIR --snippets /etc/nginx/snippets/backsoon)`,
  },
  {
    pattern: new RegExp(`zero size shared memory zone "${NGINX_NAMES.turnsZone}"`),
    explain: () =>
      `the shared probe's location counts its turns to go back in the zone ${NGINX_NAMES.turnsZone}, which the http block does not define: http/backsoon-probe.conf is missing, or is an older backsoon's (turns at a fixed rate, limit_req_zone … zone=backsoon_admit). Put this version's in its place (cp /etc/nginx/snippets/backsoon/http/backsoon-probe.conf /etc/nginx/conf.d/, with your cache folder), or run backsoon install --nginx`,
  },
  {
    pattern: /zero size shared memory zone "backsoon_admit"/,
    explain: () =>
      "a location includes an older backsoon's probe snippet (turns at a fixed rate, zone backsoon_admit), which this version's http/backsoon-probe.conf no longer defines: upgrade the snippets too (backsoon install --root DIR, or backsoon install --nginx)",
  },
  {
    // Two copies of the probe's http half: its cache zone twice, or its cache folder (nginx says whichever it meets first).
    pattern:
      /duplicate zone "backsoon_probe(?:_uwsgi|_fastcgi)?"|the same path name "[^"]*backsoon-probe[^"]*" used in/,
    explain: () =>
      "the probe's http half is in the http block twice (a copy of http/backsoon-probe.conf by hand, or an older backsoon's with its turns at a fixed rate, besides another): keep one, this version's",
  },
  {
    pattern: /duplicate location "\/__backsoon\/[^"]*"/,
    explain: () =>
      "the server block has a location of that path besides the one of server/backsoon.conf (included twice, or one of your own): every URL under /__backsoon/ is the kit's, so keep one include and move your own location elsewhere",
  },
];

/** The `[emerg]` lines of nginx's output, each with backsoon's explanation when there is one. */
export function explainNginxFailure(stderr: string): string[] {
  const lines = stderr.split('\n').filter((l) => /\[(emerg|alert|crit)\]/.test(l));
  if (lines.length === 0) return [stderr.trim() || 'nginx failed without saying why'];
  return lines.map((line) => {
    const said = line.replace(/^nginx: /, '');
    for (const { pattern, explain } of EXPLANATIONS) {
      const match = pattern.exec(line);
      if (match) return `${said}\n  → ${explain(match)}`;
    }
    return said;
  });
}
