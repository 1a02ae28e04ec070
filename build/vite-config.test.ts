import { join } from 'node:path';
import { resolveConfig } from 'vite';
import { describe, expect, it } from 'vitest';
import { REPO } from '../test-support/nginx.js';

describe('vite.config.ts', () => {
  // Issue 9, item 16: vite-plugin-singlefile's recommended settings set
  // `base` to './' behind the config's back.
  it('keeps the kit’s base, /__backsoon/, once every plugin has had its say', async () => {
    const config = await resolveConfig({ configFile: join(REPO, 'vite.config.ts'), logLevel: 'silent' }, 'build');
    expect(config.base).toBe('/__backsoon/');
  });
});
