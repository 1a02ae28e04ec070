import { readdirSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { relative } from 'node:path';
import {
  BROTLI_MODULE,
  NJS_MODULE,
  REPO,
  SNIPPETS,
  fillTemplate,
  installHttpSnippets,
  linkSnippets,
  mainConfig,
  testConfig,
} from '../test-support/nginx.js';
import { HOLD_VHOST, SITE_VHOST, VHOSTS, expect, test } from './fixtures.js';

const vhosts = [SITE_VHOST, HOLD_VHOST, ...readdirSync(VHOSTS).map((name) => join(VHOSTS, name))];

/**
 * Runs `nginx -t` on a vhost template as startNginx would write it, with
 * `modules` loaded; returns nginx's complaint, or undefined when it passes.
 */
async function nginxT(template: string, modules: string[]): Promise<string | undefined> {
  const prefix = await mkdtemp(join(tmpdir(), 'backsoon-t-'));
  try {
    await mkdir(join(prefix, 'tmp'));
    await linkSnippets(prefix);
    const http = await installHttpSnippets(prefix);
    const vars = {
      LISTEN: '127.0.0.1:9',
      ROOT: prefix,
      SNIPPETS,
      APP: '127.0.0.1:9',
      FAULTY: '127.0.0.1:9',
      PREFIX: prefix,
      // e2e/vhosts/brotli.conf: the site's own brotli_static.
      SITE_BROTLI: 'on',
      ...http,
    };
    await writeFile(join(prefix, 'vhost.conf'), fillTemplate(template, vars));
    // The main file every run of startNginx has.
    await writeFile(join(prefix, 'nginx.conf'), mainConfig(prefix, join(prefix, 'vhost.conf'), modules));
    try {
      testConfig(prefix, join(prefix, 'nginx.conf'));
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  } finally {
    await rm(prefix, { recursive: true, force: true });
  }
}

// h5bp's habit: every combination users are told to write passes `nginx -t`
// before any behaviour is tested. (startNginx also runs it on every start.)
for (const vhost of vhosts) {
  test(`nginx -t accepts ${relative(REPO, vhost)}`, async () => {
    const template = await readFile(vhost, 'utf8');
    // The hold's snippets need njs, the brotli include brotli_static,
    // loaded as Debian's packages do; nothing else loads a module.
    const modules = [
      ...(template.includes('backsoon-hold.conf') ? [NJS_MODULE] : []),
      ...(template.includes('backsoon-brotli.conf') ? [BROTLI_MODULE] : []),
    ];
    expect(await nginxT(template, modules)).toBeUndefined();
  });
}

test('backsoon.conf needs no brotli module; backsoon-brotli.conf stops nginx -t without it, with nginx’s own words', async () => {
  const template = await readFile(join(VHOSTS, 'brotli.conf'), 'utf8');
  const include = 'include ${SNIPPETS}/server/backsoon-brotli.conf;';
  expect(template).toContain(include);
  // The site's own brotli_static needs the module as much as backsoon's include does.
  const siteBrotli = 'brotli_static ${SITE_BROTLI};';
  expect(template).toContain(siteBrotli);
  const stock = template.replace(include, '').replace(siteBrotli, '');
  expect(await nginxT(stock, [])).toBeUndefined();
  expect(await nginxT(template.replace(siteBrotli, ''), [])).toMatch(
    /unknown directive "brotli_static" in \S*\/server\/backsoon-brotli\.conf/,
  );
});

/** A server snippet's `location = PATH { … }` blocks, by path, their comments and blank lines left out. */
function locations(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [, path, body] of text.matchAll(/^location = (\S+) \{\n([\s\S]*?)^\}/gm)) {
    const lines = body!
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    found.set(path!, lines);
  }
  return found;
}

test('backsoon-brotli.conf’s locations are backsoon.conf’s page locations, brotli_static added', async () => {
  const base = locations(await readFile(join(SNIPPETS, 'server/backsoon.conf'), 'utf8'));
  const brotli = locations(await readFile(join(SNIPPETS, 'server/backsoon-brotli.conf'), 'utf8'));
  const pages = {
    '/__backsoon/_crash': 'brotli_static on;',
    '/__backsoon/_maintenance': 'brotli_static on;',
    '/__backsoon/_crash-form': 'brotli_static off;',
    '/__backsoon/_maintenance-form': 'brotli_static off;',
  };
  expect([...brotli.keys()].sort()).toEqual(
    Object.keys(pages)
      .map((path) => `${path}-br`)
      .sort(),
  );
  for (const [path, brotliLine] of Object.entries(pages)) {
    const copy = brotli.get(`${path}-br`)!;
    expect(
      copy.filter((line) => line.startsWith('brotli_static')),
      path,
    ).toEqual([brotliLine]);
    expect(
      copy.filter((line) => !line.startsWith('brotli_static')),
      path,
    ).toEqual(base.get(path));
  }
});
