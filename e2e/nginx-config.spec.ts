import { readdirSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { relative } from 'node:path';
import {
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

// h5bp's habit: every combination users are told to write passes `nginx -t`
// before any behaviour is tested. (startNginx also runs it on every start.)
for (const vhost of vhosts) {
  test(`nginx -t accepts ${relative(REPO, vhost)}`, async () => {
    const prefix = await mkdtemp(join(tmpdir(), 'backsoon-t-'));
    try {
      await mkdir(join(prefix, 'tmp'));
      await linkSnippets(prefix);
      const template = await readFile(vhost, 'utf8');
      // The hold's snippets need njs, loaded as Debian's package does.
      const modules = template.includes('backsoon-hold.conf') ? [NJS_MODULE] : [];
      const http = await installHttpSnippets(prefix);
      const vars = {
        LISTEN: '127.0.0.1:9',
        ROOT: prefix,
        SNIPPETS,
        APP: '127.0.0.1:9',
        FAULTY: '127.0.0.1:9',
        PREFIX: prefix,
        ...http,
      };
      await writeFile(join(prefix, 'vhost.conf'), fillTemplate(template, vars));
      // The main file every run of startNginx has.
      await writeFile(join(prefix, 'nginx.conf'), mainConfig(prefix, join(prefix, 'vhost.conf'), modules));
      expect(() => testConfig(prefix, join(prefix, 'nginx.conf'))).not.toThrow();
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  });
}
