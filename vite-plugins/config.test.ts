import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from './config.js';

describe('the build config', () => {
  it('defaults to every built-in language, English first', () => {
    expect(validateConfig({}).languages).toEqual(['en', 'de', 'fr', 'es', 'pt', 'ja', 'zh-Hans']);
  });

  it('accepts languages, strings, theme and poll options', () => {
    const config = validateConfig({
      languages: ['de', 'en'],
      strings: { de: { crashTitle: 'Gleich zurück' } },
      theme: {
        accent: '#0a7d55',
        'accent-dark': 'rgb(95 211 165)',
        radius: '4px',
        font: "Georgia, 'Times New Roman', serif",
      },
      poll: { retries: 50, maxTimeout: 20000 },
    });
    expect(config.languages).toEqual(['de', 'en']);
    expect(config.poll).toEqual({ retries: 50, maxTimeout: 20000 });
  });

  it('fails on a wrong key or value, naming it', () => {
    const cases: [unknown, RegExp][] = [
      [[], /\(top\): must be a JSON object/],
      [{ colour: 'red' }, /colour: unknown key/],
      [{ colours: { accent: 'red' } }, /colours: unknown key/],
      [{ languages: [] }, /languages: must be a non-empty list/],
      [{ languages: ['en', 'x y'] }, /languages: "x y": is not a valid language tag/],
      [{ languages: ['en', 'ko'] }, /languages: "ko": is not built in: strings.ko must give every string/],
      [{ languages: ['en', 'tlh'] }, /languages: "tlh": is not built in/],
      [{ strings: { en: { crashTitel: 'x' } } }, /strings\.en\.crashTitel: unknown string/],
      [
        { strings: { en: { crashBody: 'x' } } },
        /strings\.en\.crashBody: no longer exists: it was split into crashReason .* and bodyReturn/,
      ],
      [
        { strings: { en: { statusBackUnsent: 'x' } } },
        /strings\.en\.statusBackUnsent: no longer exists: .*unsentNoticeBack/,
      ],
      [{ strings: { en: { crashTitle: '' } } }, /strings\.en\.crashTitle: must be a non-empty string/],
      [{ languages: ['en'], strings: { de: {} } }, /strings\.de: "de" is not in languages/],
      [{ theme: { accnet: '#fff' } }, /theme\.accnet: unknown token/],
      [{ theme: { accent: 'red; } body { display: none' } }, /theme\.accent: .* is not a plain CSS value/],
      [{ theme: { accent: '</style><script>' } }, /theme\.accent/],
      [{ logo: 'logo.gif' }, /logo: must be the path of an \.svg, \.png or \.webp file/],
      [{ logo: 'missing.svg' }, /logo: .*missing\.svg does not exist/],
      [{ poll: { retries: -1 } }, /poll: option "retries" must be a whole number/],
      [{ poll: { retries: 0 } }, /poll: option "retries" must be a whole number greater than 0/],
      [{ poll: { retry: 5 } }, /poll: unknown poll option "retry"/],
    ];
    for (const [raw, message] of cases) {
      expect(() => validateConfig(raw), JSON.stringify(raw)).toThrow(message);
    }
  });
});

describe('the config file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'backsoon-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is optional: without one, the defaults', () => {
    expect(loadConfig(dir, undefined)).toEqual(validateConfig({}, dir));
  });

  it('is read from the file BACKSOON_CONFIG names, the logo relative to it', async () => {
    await writeFile(join(dir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(dir, 'brand.json'), JSON.stringify({ languages: ['de', 'en'], logo: 'logo.svg' }));
    expect(loadConfig('/elsewhere', join(dir, 'brand.json'))).toMatchObject({
      languages: ['de', 'en'],
      logo: join(dir, 'logo.svg'),
    });
  });

  it('fails when it is not JSON, or BACKSOON_CONFIG names no file, naming the file', async () => {
    await writeFile(join(dir, 'backsoon.config.json'), '{ "languages": ["en", }');
    expect(() => loadConfig(dir, undefined)).toThrow(
      `backsoon config: ${join(dir, 'backsoon.config.json')}: is not valid JSON`,
    );
    expect(() => loadConfig(dir, 'missing.json')).toThrow(
      `backsoon config: ${join(dir, 'missing.json')}: BACKSOON_CONFIG names a file that does not exist`,
    );
  });
});
