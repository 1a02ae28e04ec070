import { describe, expect, it } from 'vitest';
import en from '../../src/locales/en.js';
import { pageMarkup, replaceLiteral } from './pages.js';

describe('filling the page', () => {
  // Issue 9, item 13: `$` in a config string is text, not a replacement pattern.
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
