import { maxMapKeyLength } from './map-limits.js';

/**
 * What a failing `nginx -t` (or `nginx -T`) means for backsoon: nginx's own
 * words for the mistakes its snippets make likely, each with the fix.
 * Anything else is passed on as nginx said it.
 */
const EXPLANATIONS: { pattern: RegExp; explain: (match: RegExpExecArray) => string }[] = [
  {
    pattern: /could not build map_hash, you should increase map_hash_bucket_size: (\d+)/,
    explain: (m) =>
      `a map key is too long for map_hash_bucket_size ${m[1]}: keys fit in ${maxMapKeyLength(Number(m[1]))} characters. ` +
      `A backsoon bypass token longer than that stops nginx: replace it with one from \`backsoon token\``,
  },
  {
    pattern: /unknown directive "(js_\w+)"/,
    explain: (m) =>
      `"${m[1]}" needs nginx's JavaScript module, which is not loaded (the hold include uses it): ` +
      'apt-get install libnginx-mod-http-js (Debian loads it from modules-enabled/), or add load_module modules/ngx_http_js_module.so; at the top of nginx.conf',
  },
  {
    pattern: /unknown "backsoon_staff(?:_ip|_cookie)?" variable/,
    explain: () =>
      'backsoon-maintenance.conf needs the staff file in the http block: cp /etc/nginx/snippets/backsoon/http/backsoon-staff.conf /etc/nginx/conf.d/',
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
