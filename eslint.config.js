// ESLint, with typescript-eslint's type-aware rules: `npm run lint`.
// Formatting is Prettier's (.prettierrc.json); ESLint only looks for bugs.
// https://typescript-eslint.io/getting-started/typed-linting
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'cli/dist/',
      'release/',
      'node_modules/',
      '.scratch/',
      'test-results/',
      'playwright-report/',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // The worker's files are checked against the worker's tsconfig (no DOM).
      parserOptions: { project: ['./tsconfig.json', './tsconfig.sw.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits hides its failure: await it, or say `void` on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      // Every kind of outage handled wherever a switch decides on one.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Async methods that implement a promise-returning interface without awaiting are fine.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Lit calls a template's event listeners with the element as `this`.
    files: ['src/page/backsoon-page.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Playwright's fixtures take `{}` when they use no other fixture.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
);
