import { describe, expect, it } from 'vitest';
import { parseConfLocated } from '../nginx-conf.js';
import {
  applyInsertions,
  indentUnit,
  insertAtEnd,
  insertBefore,
  isMarkedLine,
  MARKER,
  removeMarkedLines,
} from './edit.js';

const SITE = `server {
\tlisten 80;
\t# a comment of the operator's
\tlocation / {
\t\tproxy_pass http://app;
\t}
}
`;

describe('edits in place', () => {
  const [server] = parseConfLocated(SITE, 'site');
  const location = server!.block![1]!;

  it('inserts before a directive at its indentation, marking every line and nesting blocks', () => {
    const ins = insertBefore(
      'site',
      SITE,
      location,
      ['include a.conf;', 'location = /p {', 'proxy_pass x;', '}'],
      'why',
    );
    expect(applyInsertions(SITE, [ins])).toBe(`server {
\tlisten 80;
\t# a comment of the operator's
\tinclude a.conf; ${MARKER}
\tlocation = /p { ${MARKER}
\t\tproxy_pass x; ${MARKER}
\t} ${MARKER}
\tlocation / {
\t\tproxy_pass http://app;
\t}
}
`);
  });

  it('inserts at the end of a block, like its last directive', () => {
    const ins = insertAtEnd('site', SITE, location, ['proxy_set_header Cookie $c;'], 'why');
    expect(applyInsertions(SITE, [ins])).toContain(
      `\t\tproxy_pass http://app;\n\t\tproxy_set_header Cookie $c; ${MARKER}\n\t}`,
    );
  });

  it('insertions at one offset keep their order; the marked lines come out again, leaving the file byte for byte', () => {
    const a = insertAtEnd('site', SITE, location, ['one;'], '');
    const b = insertAtEnd('site', SITE, location, ['two;'], '');
    const c = insertBefore('site', SITE, location, ['zero;'], '');
    const after = applyInsertions(SITE, [a, b, c]);
    expect(after.indexOf('one;')).toBeLessThan(after.indexOf('two;'));
    expect(removeMarkedLines(after)).toEqual({ text: SITE, removed: 3 });
    expect(isMarkedLine(`\tone; ${MARKER}   `)).toBe(true);
    expect(isMarkedLine('\t# a comment that mentions backsoon')).toBe(false);
  });

  it('reads the file’s indentation step', () => {
    expect(indentUnit(SITE)).toBe('\t');
    expect(indentUnit('server {\n  listen 80;\n  location / {\n    x;\n  }\n}\n')).toBe('  ');
    expect(indentUnit('server { listen 80; }')).toBe('    ');
  });
});
