import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, resolveConfig } from 'vite';
import { describe, expect, it } from 'vitest';
import { REPO } from '../test-support/nginx.js';

describe('vite.config.ts', () => {
  // vite-plugin-singlefile's recommended settings set `base` to './'
  // behind the config's back.
  it('keeps the kit’s base, /__backsoon/, once every plugin has had its say', async () => {
    const config = await resolveConfig({ configFile: join(REPO, 'vite.config.ts'), logLevel: 'silent' }, 'build');
    expect(config.base).toBe('/__backsoon/');
  });

  // The build reads the config file as it starts: a wrong one stops it
  // there, before anything is bundled or written, with the message that
  // names what is wrong (config.test.ts has every such message).
  it('fails the build on a wrong config file, naming it, and writes nothing', async () => {
    const work = await mkdtemp(join(tmpdir(), 'backsoon-bad-config-'));
    const before = process.env.BACKSOON_CONFIG;
    try {
      const file = join(work, 'backsoon.config.json');
      await writeFile(file, '{ "languages": ["en", }');
      process.env.BACKSOON_CONFIG = file;
      const outDir = join(work, 'dist');
      await expect(
        build({ configFile: join(REPO, 'vite.config.ts'), root: REPO, logLevel: 'silent', build: { outDir } }),
      ).rejects.toThrow(`backsoon config: ${file}: is not valid JSON`);
      expect(await readdir(work)).toEqual(['backsoon.config.json']);
    } finally {
      if (before === undefined) delete process.env.BACKSOON_CONFIG;
      else process.env.BACKSOON_CONFIG = before;
      await rm(work, { recursive: true, force: true });
    }
  });
});
