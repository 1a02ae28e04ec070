import { describe, expect, it } from 'vitest';
import { checkErrorPageOrder, findShadowingErrorPages, type IncludeResolver } from './error-page-order.js';
import { parseNginxConfig } from './nginx-config-parse.js';

const CRASH = 'include /etc/nginx/snippets/backsoon/server/backsoon.conf;';
const MAINTENANCE = 'include /etc/nginx/snippets/backsoon/server/backsoon-maintenance.conf;';

/** The statuses each shadowing line takes, with its line number. */
function shadowing(server: string, resolve?: IncludeResolver): [number, number[]][] {
  return findShadowingErrorPages(parseNginxConfig(server), resolve).map((f) => [f.line, f.codes]);
}

describe('findShadowingErrorPages', () => {
  it('finds nginx.org’s stock 50x line before backsoon’s includes (issue 9)', () => {
    const server = ['listen 80;', 'error_page   500 502 503 504  /50x.html;', CRASH, MAINTENANCE, 'location / { proxy_pass http://app; }'].join('\n');
    const [finding, ...rest] = findShadowingErrorPages(parseNginxConfig(server));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ codes: [502, 503, 504], directive: 'error_page 500 502 503 504 /50x.html', line: 2, file: undefined });
    expect(finding?.message).toContain('Put backsoon\'s includes above it, or take 502, 503, 504 out of it.');
  });

  it('finds nothing when backsoon’s includes come first', () => {
    expect(shadowing([CRASH, MAINTENANCE, 'error_page 500 502 503 504 /50x.html;'].join('\n'))).toEqual([]);
  });

  it('finds a 503 line between the two includes, which takes the maintenance page only', () => {
    expect(shadowing([CRASH, 'error_page 500 502 503 504 /50x.html;', MAINTENANCE].join('\n'))).toEqual([[2, [503]]]);
  });

  it('counts 503 only when the maintenance include is there', () => {
    expect(shadowing(['error_page 503 /busy.html;', CRASH].join('\n'))).toEqual([]);
  });

  it('finds every form of the line that takes a status: with a response code, or as one of many', () => {
    expect(shadowing(['error_page 502 =200 /ok.html;', 'error_page 404 504 @app;', CRASH].join('\n'))).toEqual([
      [1, [502]],
      [2, [504]],
    ]);
  });

  it('ignores other statuses, lines inside locations, and servers without backsoon', () => {
    expect(shadowing(['error_page 404 /404.html;', 'location /x { error_page 502 /x.html; }', CRASH].join('\n'))).toEqual([]);
    expect(shadowing('error_page 500 502 503 504 /50x.html;')).toEqual([]);
  });

  it('follows includes: a line in the operator’s own snippet, backsoon’s line in backsoon’s file', () => {
    const files: Record<string, string> = {
      'errors.conf': 'error_page 502 /down.html;',
      '/etc/nginx/snippets/backsoon/server/backsoon.conf': 'error_page 502 504 $backsoon_crash_page;',
    };
    const resolve: IncludeResolver = (pattern) => {
      const text = files[pattern];
      return text === undefined ? undefined : [{ file: pattern, directives: parseNginxConfig(text) }];
    };
    const server = parseNginxConfig(['include errors.conf;', CRASH].join('\n'));
    expect(findShadowingErrorPages(server, resolve, 'site')).toMatchObject([{ codes: [502], file: 'errors.conf', line: 1 }]);
  });

  it('takes backsoon’s own lines written out, as the errors include writes them', () => {
    expect(shadowing(['error_page 500 502 /50x.html;', 'error_page 502 504 $backsoon_crash_page;'].join('\n'))).toEqual([[1, [502]]]);
  });
});

describe('checkErrorPageOrder', () => {
  const dump = (site: string): string =>
    [
      '# configuration file /etc/nginx/nginx.conf:',
      'events {}',
      'http { include mime.types; include /etc/nginx/sites-enabled/*; }',
      '',
      '# configuration file /etc/nginx/mime.types:',
      'types { text/html html; }',
      '',
      '# configuration file /etc/nginx/sites-enabled/default:',
      site,
      '',
      '# configuration file /etc/nginx/snippets/backsoon/server/backsoon.conf:',
      'set $backsoon_crash_page /__backsoon/_crash;',
      'error_page 502 504 $backsoon_crash_page;',
      '',
    ].join('\n');

  it('reads an `nginx -T` dump and names the file and line', () => {
    const findings = checkErrorPageOrder(dump(['server {', '    error_page 500 502 503 504 /50x.html;', `    ${CRASH}`, '}'].join('\n')));
    expect(findings.map((f) => [f.file, f.line, f.codes])).toEqual([['/etc/nginx/sites-enabled/default', 2, [502, 504]]]);
    expect(findings[0]?.message).toMatch(/^\/etc\/nginx\/sites-enabled\/default:2: "error_page 500 502 503 504 \/50x.html" comes before/);
  });

  it('finds nothing in a dump whose servers include backsoon first', () => {
    expect(checkErrorPageOrder(dump(['server {', `    ${CRASH}`, '    error_page 500 502 503 504 /50x.html;', '}'].join('\n')))).toEqual([]);
  });

  it('follows relative and wildcard includes from the main file’s directory', () => {
    const text = [
      '# configuration file /etc/nginx/nginx.conf:',
      'http { server { include snippets/*.conf; include snippets/backsoon/server/backsoon.conf; } }',
      '# configuration file /etc/nginx/snippets/a.conf:',
      'error_page 504 /slow.html;',
      '# configuration file /etc/nginx/snippets/backsoon/server/backsoon.conf:',
      'error_page 502 504 $backsoon_crash_page;',
    ].join('\n');
    expect(checkErrorPageOrder(text).map((f) => [f.file, f.codes])).toEqual([['/etc/nginx/snippets/a.conf', [504]]]);
  });

  it('says clearly when the text is not a dump', () => {
    expect(() => checkErrorPageOrder('nginx: [emerg] unknown directive')).toThrow(/not an `nginx -T` dump/);
  });
});
