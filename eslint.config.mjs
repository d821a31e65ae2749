// Lint configuration of the whole repository (ESLint flat config).
// `npm run lint` runs ESLint, then Prettier in check mode: formatting is Prettier's job,
// so no stylistic rule lives here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/data/**',
      '**/coverage/**',
      'bench/results/**',
      'bench/tmp/**',
      '**/test-results/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
    rules: {
      // `_name` marks a deliberately unused argument or destructured field.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `any` is allowed where unavoidable (untyped drivers, JSON from the wire); flag it without failing.
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      // Input validation legitimately matches control characters (`/[\x00-\x1f]/`).
      'no-control-regex': 'off',
    },
  },
  {
    // Plain JavaScript: CommonJS configs (jest, *.cjs) and ESM scripts run by Node.
    // TypeScript checks names in .ts files; in scripts, browser code passed to Playwright
    // refers to `document` and `window`, so undefined names are not linted there either.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: {
      'no-undef': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/test/**/*.ts', 'system-tests/**/*.ts'],
    rules: {
      // Tests build hostile inputs and fakes on purpose.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
);
