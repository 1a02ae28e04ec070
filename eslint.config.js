// ESLint, with typescript-eslint's type-aware rules: `npm run lint`.
// Formatting is Prettier's (.prettierrc.json); ESLint only looks for bugs.
// https://typescript-eslint.io/getting-started/typed-linting
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'cli/dist/', 'release/', 'node_modules/', '.scratch/', 'test-results/', 'playwright-report/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits hides its failure: await it, or say `void` on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      // Every kind of outage handled wherever a switch decides on one.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
