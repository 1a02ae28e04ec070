import { describe, expect, it } from 'vitest';
import { globToRegExp, loadDump, parseConf, parseConfLocated, splitDump, type Directive } from './nginx-conf.js';

const names = (ds: Directive[] | undefined): string[] => (ds ?? []).map((d) => d.name);

describe('parseConf', () => {
  it('reads directives, blocks, quotes, comments and ${VAR} words', () => {
    const tree = parseConf(
      `# a comment
server { listen 80; # trailing
  location ~ "^/a b/" { return 200 'it''s'; }
  set $x "\${y}z";
  add_header X "a;b{c}" always;
}`,
      'f.conf',
    );
    expect(names(tree)).toEqual(['server']);
    const server = tree[0]!;
    expect(names(server.block)).toEqual(['listen', 'location', 'set', 'add_header']);
    expect(server.block![1]!.args).toEqual(['~', '^/a b/']);
    expect(server.block![2]!.args).toEqual(['$x', '${y}z']);
    expect(server.block![3]!.args).toEqual(['X', 'a;b{c}', 'always']);
    expect(server.block![3]!.line).toBe(5);
  });

  it('reads directives in order, with their arguments, file, lines and blocks', () => {
    const text = [
      'server {',
      '    listen 80;',
      '    location / {',
      '        proxy_pass http://app;',
      '    }',
      '}',
      'include x.conf;',
    ].join('\n');
    expect(parseConf(text, 'f.conf')).toEqual([
      {
        name: 'server',
        args: [],
        file: 'f.conf',
        line: 1,
        block: [
          { name: 'listen', args: ['80'], file: 'f.conf', line: 2 },
          {
            name: 'location',
            args: ['/'],
            file: 'f.conf',
            line: 3,
            block: [{ name: 'proxy_pass', args: ['http://app'], file: 'f.conf', line: 4 }],
          },
        ],
      },
      { name: 'include', args: ['x.conf'], file: 'f.conf', line: 7 },
    ]);
  });

  // nginx's ngx_conf_read_token: a quote opens a string only at a word's
  // start; a backslash escapes a quote, a backslash or a control letter,
  // in words and strings alike, and is kept before anything else.
  it('reads words and quoted strings as nginx does', () => {
    const text = [
      '# a comment; { }',
      'add_header X "a; b {c}" always; # trailing',
      'set $x \'it\\\'s\' "say \\"hi\\"" \'a\\"b\';',
      'if ($request ~ "^(?<m>POST) ") { set ${backsoon}x a#b; }',
      'return 200 a"b";',
      'location ~ ^/a\\.php$ { }',
      'return 200 "tab\\there";',
    ].join('\n');
    expect(parseConf(text, 'f').map((d) => [d.name, d.args, d.line, d.block?.map((b) => [b.name, b.args])])).toEqual([
      ['add_header', ['X', 'a; b {c}', 'always'], 2, undefined],
      ['set', ['$x', "it's", 'say "hi"', 'a"b'], 3, undefined],
      ['if', ['($request', '~', '^(?<m>POST) ', ')'], 4, [['set', ['${backsoon}x', 'a#b']]]],
      ['return', ['200', 'a"b"'], 5, undefined],
      ['location', ['~', '^/a\\.php$'], 6, []],
      ['return', ['200', 'tab\there'], 7, undefined],
    ]);
  });

  it('counts lines inside quoted strings', () => {
    expect(parseConf('a "x\ny";\nb;', 'f').map((d) => [d.name, d.line])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
  });

  it('keeps an unquoted ${VAR} whole', () => {
    expect(parseConf('include ${SNIPPETS}/server/backsoon.conf;', 'f')[0]!.args).toEqual([
      '${SNIPPETS}/server/backsoon.conf',
    ]);
  });

  it('names the file and line of a mistake', () => {
    expect(() => parseConf('server {\n listen 80;\n', 'a.conf')).toThrow(/a\.conf:\d+: a block is not closed/);
    expect(() => parseConf('listen 80', 'b.conf')).toThrow('b.conf:1: "listen" has no ";"');
    expect(() => parseConf('}\n', 'c.conf')).toThrow('c.conf:1: unexpected "}"');
    expect(() => parseConf('x "open;\n', 'd.conf')).toThrow('d.conf:1: a quoted string is not closed');
    expect(() => parseConf('\nx "open;\n', 'e.conf')).toThrow('e.conf:2: a quoted string is not closed');
    expect(() => parseConf('a;\n;', 'f.conf')).toThrow('f.conf:2: unexpected ";"');
  });
});

describe('splitDump', () => {
  it('splits nginx -T output by file and drops the test lines', () => {
    const files = splitDump(`nginx: the configuration file /e/nginx.conf syntax is ok
nginx: configuration file /e/nginx.conf test is successful
# configuration file /e/nginx.conf:
events {}

# configuration file /e/b.conf:
x 1;

`);
    expect([...files.keys()]).toEqual(['/e/nginx.conf', '/e/b.conf']);
    expect(files.get('/e/nginx.conf')).toBe('events {}');
    expect(files.get('/e/b.conf')).toBe('x 1;\n');
  });

  it('gives nothing for text that is not a dump', () => {
    expect(splitDump('nginx: the configuration file /e/nginx.conf syntax is ok')).toEqual(new Map());
  });
});

describe('globToRegExp', () => {
  it('matches as a shell glob does', () => {
    expect(globToRegExp('/etc/nginx/sites-enabled/*').test('/etc/nginx/sites-enabled/default')).toBe(true);
    expect(globToRegExp('/etc/nginx/sites-enabled/*').test('/etc/nginx/sites-enabled/a/b')).toBe(false);
    expect(globToRegExp('/e/conf.d/*.conf').test('/e/conf.d/x.conf')).toBe(true);
    expect(globToRegExp('/e/conf.d/*.conf').test('/e/conf.d/x.confs')).toBe(false);
    expect(globToRegExp('/e/[ab]?.conf').test('/e/a1.conf')).toBe(true);
    expect(globToRegExp('/e/a+b.conf').test('/e/a+b.conf')).toBe(true);
  });
});

describe('loadDump', () => {
  const dump = `# configuration file /e/nginx.conf:
http {
    include sites/*;
}

# configuration file /e/sites/one:
server {
    include snippets/s.conf;
}

# configuration file /e/snippets/s.conf:
error_page 502 /x;

# configuration file /e/sites/two:
server { include /e/snippets/s.conf; }

`;

  it('puts included files in place of their include, relative paths from the main file, globs in name order', () => {
    const [http] = loadDump(dump);
    const servers = http!.block!.filter((d) => d.name === 'server');
    expect(servers).toHaveLength(2);
    for (const server of servers) {
      const errorPage = server.block!.find((d) => d.name === 'error_page');
      expect(errorPage).toMatchObject({ args: ['502', '/x'], file: '/e/snippets/s.conf', line: 1 });
      expect(server.block!.find((d) => d.name === 'include')).toBeDefined();
    }
    expect(servers[0]!.file).toBe('/e/sites/one');
    expect(servers[0]!.block!.find((d) => d.name === 'error_page')!.via).toEqual(['/e/nginx.conf:2', '/e/sites/one:2']);
  });

  it('refuses what is not nginx -T output', () => {
    expect(() => loadDump('nginx: [emerg] unknown directive "x"')).toThrow(/not the output of `nginx -T`/);
  });
});

describe('parseConfLocated', () => {
  it('says where each directive, its braces and its end are in the text', () => {
    const text = 'http {\n  # note; {\n  server { listen "8 0"; }\n}\n';
    const [http] = parseConfLocated(text, 'f');
    const server = http!.block![0]!;
    const listen = server.block![0]!;
    expect(text.slice(http!.start, http!.end)).toBe(text.trimEnd());
    expect(text.slice(server.start, server.end)).toBe('server { listen "8 0"; }');
    expect(text.slice(listen.start, listen.end)).toBe('listen "8 0";');
    expect(text[server.open!]).toBe('{');
    expect(text[server.close!]).toBe('}');
    expect(listen.args).toEqual(['8 0']);
  });

  it('gives parseConf the same directives, without the offsets', () => {
    const text = 'a 1;\nb { c "x;y"; }\n';
    const strip = (ds: ReturnType<typeof parseConfLocated>): unknown =>
      ds.map(({ name, args, file, line, block }) => ({
        name,
        args,
        file,
        line,
        ...(block ? { block: strip(block) } : {}),
      }));
    expect(strip(parseConfLocated(text, 'f'))).toEqual(parseConf(text, 'f'));
  });
});
