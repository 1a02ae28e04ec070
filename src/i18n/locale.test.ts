import { describe, expect, it } from 'vitest';
import { pickLocale } from './locale.js';

const shipped = ['en', 'de', 'fr', 'es', 'pt', 'ja', 'zh-Hans'];

describe('pickLocale', () => {
  it('takes the first preference that is shipped', () => {
    expect(pickLocale(['fr-CA', 'de'], shipped, 'en')).toBe('fr');
    expect(pickLocale(['sv', 'de-AT'], shipped, 'en')).toBe('de');
    expect(pickLocale(['pt-BR'], shipped, 'en')).toBe('pt');
  });

  it('matches Chinese by script: Simplified for zh-CN, not for zh-TW', () => {
    expect(pickLocale(['zh-CN'], shipped, 'en')).toBe('zh-Hans');
    expect(pickLocale(['zh'], shipped, 'en')).toBe('zh-Hans');
    expect(pickLocale(['zh-TW'], shipped, 'en')).toBe('en');
  });

  it('falls back when nothing matches or a tag is malformed', () => {
    expect(pickLocale([], shipped, 'en')).toBe('en');
    expect(pickLocale(['not a tag', 'ko'], shipped, 'de')).toBe('de');
  });
});
