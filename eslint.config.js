// Flat config: @eslint/js recommended everywhere, type-checked typescript-eslint for the TS sources.
// Type information comes from the project service: ./tsconfig.json for src/, test/tsconfig.json and
// bench/tsconfig.json (both extend tsconfig.test.json) for the rest.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const tsFiles = ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'];

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'coverage/', 'bench-results/', 'bench/*.mjs', 'test/helpers/*.py'],
  },
  js.configs.recommended,
  {
    // The plain JS left (bin shim, this file) runs on Node and has no type information.
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly' } },
  },
  {
    files: tsFiles,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // verbatimModuleSyntax keeps every value import at runtime: types must say `import type`.
      '@typescript-eslint/consistent-type-imports': 'error',
      // The state is asynchronous (src/state/handle.ts): a missed await is a write that may land
      // after its transaction, or an error nobody sees.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // House convention: a leading underscore marks a deliberately unused name (an interface
      // parameter, a key dropped from a copy by destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // `expect(connector.publishReply).toBeUndefined()` and destructured setup helpers
      // (`const { connector, log } = await start()`) reference methods that never use `this`.
      '@typescript-eslint/unbound-method': 'off',
      // Fakes implement async interfaces with `async` bodies that need no await: a throw in
      // them must still surface as a rejected promise, as in the real connector.
      '@typescript-eslint/require-await': 'off',
      // vitest's asymmetric matchers (expect.any, expect.stringContaining, ...) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
