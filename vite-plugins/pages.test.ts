import { describe, expect, it } from 'vitest';
import en from '../src/i18n/locales/en.js';
import { compactMarkup, pageMarkup, replaceLiteral, rewriteProblems, tidyInlined } from './pages.js';

describe('filling the page', () => {
  // `$` in a config string is text, not a replacement pattern (`$&`, `$'` mean something to String.replace).
  it('puts strings with `$` in as they are', () => {
    for (const text of ['$$ guaranteed', 'costs $&', "the rest: $'", 'before: $`', '$1 and $<name>']) {
      expect(replaceLiteral('<h1><!--slot--></h1>', '<!--slot-->', text)).toBe(`<h1>${text}</h1>`);
    }
  });

  it('writes each poll option as its attribute', () => {
    expect(pageMarkup('crash', en, { retries: 7, maxRetryAfter: 1000, minTimeout: 250 })).toContain(
      '<backsoon-page kind="crash" retries="7" max-retry-after="1000" min-timeout="250">',
    );
  });

  it('escapes the no-JavaScript text and keeps `$` in it', () => {
    const markup = pageMarkup('crash', { ...en, crashTitle: 'Back <soon>, $$ guaranteed' }, {});
    expect(markup).toContain('<h1>Back &#60;soon&#62;, $$ guaranteed</h1>');
    expect(replaceLiteral('<body><!--page--></body>', '<!--page-->', markup)).toContain('$$ guaranteed');
  });
});

describe('the strings nginx and the worker rewrite', () => {
  const page = '<meta http-equiv="refresh" content="30"><backsoon-page kind="crash">';

  it('finds nothing wrong when each occurs once', () => {
    expect(rewriteProblems(page)).toEqual([]);
  });

  it('names a string that is missing or repeated', () => {
    expect(rewriteProblems('<backsoon-page kind="crash">')).toEqual([
      '`<meta http-equiv="refresh"` occurs 0 times, not once',
    ]);
    expect(rewriteProblems(`${page}<backsoon-page hidden>`)).toEqual(['`<backsoon-page ` occurs 2 times, not once']);
  });
});

describe('the built page’s markup', () => {
  it('drops comments and the whitespace between tags, and keeps what nginx and the worker rewrite', () => {
    const html = `<head>
    <meta charset="utf-8" />
    <!-- Without JavaScript: the classic slow refresh. -->
    <noscript><meta http-equiv="refresh" content="30" /></noscript>
    <link
      rel="icon"
      href="data:,"
    />
  </head>
  <body>
    ${pageMarkup('crash', en, {})}
  </body>`;
    const compact = compactMarkup(html);
    expect(compact).toBe(
      '<head><meta charset="utf-8" /><noscript><meta http-equiv="refresh" content="30" /></noscript><link rel="icon" href="data:," /></head><body><backsoon-page kind="crash"><h1>We’ll be right back</h1><p>The site is restarting or briefly unavailable.</p><p>Reload this page in a little while to try again.</p></backsoon-page></body>',
    );
    expect(rewriteProblems(compact)).toEqual([]);
  });

  it('takes off what the inliner leaves on the inlined script and style', () => {
    expect(
      tidyInlined(
        '<script type="module" crossorigin>let a=1</script><style rel="stylesheet" crossorigin>p{margin:0}\n/*$vite$:1*/</style>',
      ),
    ).toBe('<script type="module">let a=1</script><style>p{margin:0}</style>');
  });
});
