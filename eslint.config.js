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
      // Linted below, as njs runs it.
      '!nginx-snippets/njs/backsoon-hold.js',
    ],
  },
  js.configs.recommended,
  {
    // The TypeScript: typescript-eslint's parser and rules, with types.
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // The worker's files are checked against the worker's tsconfig (no DOM),
      // njs's globals (nginx-snippets/njs/njs.d.ts) against the hold's.
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.sw.json', './tsconfig.njs.json'],
        tsconfigRootDir: import.meta.dirname,
      },
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
    // The njs hold runs inside nginx (njs 0.7.9, Debian's
    // libnginx-mod-http-js), neither in a browser nor in Node: njs's globals
    // only, and only the syntax njs 0.7.9 parses. ES2015 modules at most
    // (njs takes `export default`; any later syntax is a parse error here),
    // and of ES2015 none of what nginx refused to load on njs 0.7.9 (each
    // tried with `nginx -t`). Its types are tsc's (tsconfig.njs.json).
    // https://nginx.org/en/docs/njs/compatibility.html
    files: ['nginx-snippets/njs/*.js'],
    languageOptions: {
      ecmaVersion: 2015,
      sourceType: 'module',
      // What njs.d.ts declares beside the script.
      globals: { Buffer: 'readonly', setTimeout: 'readonly' },
    },
    rules: {
      // The script is written with `var`, as njs's own examples are.
      'no-var': 'off',
      // Spread is among what njs 0.7.9 lacks.
      'prefer-spread': 'off',
      'no-restricted-syntax': [
        'error',
        ...[
          ['ClassDeclaration, ClassExpression', 'classes'],
          ['ObjectPattern, ArrayPattern', 'destructuring'],
          ['SpreadElement', 'spread (`...`) in calls, arrays and objects'],
          ['AssignmentPattern', 'default parameters'],
          ['ForOfStatement', 'for…of'],
          ['FunctionDeclaration[generator=true], FunctionExpression[generator=true]', 'generators'],
          ['MetaProperty', '`new.target`'],
          ['Literal[regex.flags=/[su]/]', 'the RegExp flags u and s'],
        ].map(([selector, what]) => ({
          selector,
          message: `njs 0.7.9 refuses ${what}: nginx would not load the script.`,
        })),
      ],
    },
  },
  {
    // Playwright's fixtures take `{}` when they use no other fixture.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
);
