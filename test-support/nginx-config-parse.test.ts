import { describe, expect, it } from 'vitest';
import { NginxSyntaxError, parseNginxConfig, serverBlocks, splitNginxDump } from './nginx-config-parse.js';

describe('parseNginxConfig', () => {
  it('reads directives in order, with their arguments, lines and blocks', () => {
    const text = ['server {', '    listen 80;', '    location / {', '        proxy_pass http://app;', '    }', '}', 'include x.conf;'].join('\n');
    expect(parseNginxConfig(text)).toEqual([
      {
        name: 'server',
        args: [],
        line: 1,
        block: [
          { name: 'listen', args: ['80'], line: 2 },
          { name: 'location', args: ['/'], line: 3, block: [{ name: 'proxy_pass', args: ['http://app'], line: 4 }] },
        ],
      },
      { name: 'include', args: ['x.conf'], line: 7 },
    ]);
  });

  it('drops comments, unquotes strings, and keeps what nginx keeps in a word', () => {
    const text = [
      '# a comment; { }',
      'add_header X "a; b {c}" always; # trailing',
      "set $x 'it\\'s';",
      'if ($request ~ "^(?<m>POST) ") { set ${backsoon}x a#b; }',
      'return 200 a"b";',
    ].join('\n');
    expect(parseNginxConfig(text)).toEqual([
      { name: 'add_header', args: ['X', 'a; b {c}', 'always'], line: 2 },
      { name: 'set', args: ['$x', "it's"], line: 3 },
      { name: 'if', args: ['($request', '~', '^(?<m>POST) ', ')'], line: 4, block: [{ name: 'set', args: ['${backsoon}x', 'a#b'], line: 4 }] },
      { name: 'return', args: ['200', 'a"b"'], line: 5 },
    ]);
  });

  it('counts lines inside quoted strings', () => {
    expect(parseNginxConfig('a "x\ny";\nb;').map((d) => [d.name, d.line])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
  });

  it.each([
    ['server {', /line 1: unexpected end of file/],
    ['}', /line 1: unexpected "}"/],
    ['listen 80', /line 1: "listen" is not terminated/],
    ['\nadd_header X "open;', /line 2: unterminated quoted string/],
    ['a;\n;', /line 2: unexpected ";"/],
  ])('rejects %j as nginx would', (text, message) => {
    expect(() => parseNginxConfig(text)).toThrow(NginxSyntaxError);
    expect(() => parseNginxConfig(text)).toThrow(message);
  });
});

describe('splitNginxDump', () => {
  it('gives each file of an `nginx -T` dump by path, in order', () => {
    const dump = [
      '# configuration file /etc/nginx/nginx.conf:',
      'http { include /etc/nginx/sites-enabled/*; }',
      '',
      '# configuration file /etc/nginx/sites-enabled/default:',
      'server { listen 80; }',
      '',
    ].join('\n');
    expect([...splitNginxDump(dump)]).toEqual([
      ['/etc/nginx/nginx.conf', 'http { include /etc/nginx/sites-enabled/*; }\n\n'],
      ['/etc/nginx/sites-enabled/default', 'server { listen 80; }\n'],
    ]);
  });

  it('gives nothing for text that is not a dump', () => {
    expect(splitNginxDump('nginx: the configuration file syntax is ok')).toEqual(new Map());
  });
});

describe('serverBlocks', () => {
  it('finds server blocks at the top of a file and inside http, not elsewhere', () => {
    const directives = parseNginxConfig('server { listen 1; } http { server { listen 2; } } stream { server { listen 3; } }');
    expect(serverBlocks(directives).map((s) => s.block?.[0]?.args)).toEqual([['1'], ['2']]);
  });
});
