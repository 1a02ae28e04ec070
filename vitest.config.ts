import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'vite-plugins/**/*.test.ts',
      'cli/**/*.test.ts',
      'test-support/**/*.test.ts',
      'nginx-snippets/**/*.test.ts',
      'apache-snippets/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    environment: 'node',
  },
});
