import { describe, expect, it } from 'vitest';
import en from '../src/i18n/locales/en.js';
import { pageMarkup, replaceLiteral, rewriteProblems } from './pages.js';

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
