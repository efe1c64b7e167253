// Lint rules: typescript-eslint's recommended set, plus the money rules of DESIGN.md §2 for pure code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules', 'data', 'db/migrations', 'coverage', 'test-output'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The web app's few browser scripts: plain JavaScript served as written, with the browser's globals.
    files: ['src/web/public/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { window: 'readonly', document: 'readonly', localStorage: 'readonly', FormData: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: { '@typescript-eslint/no-unused-vars': ['error', { caughtErrors: 'none' }] },
  },
  {
    files: ['src/domain/**/*.ts', 'src/ledger/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='parseFloat']", message: 'Money is parsed with decimal.js (DESIGN.md §2).' },
        { selector: "CallExpression[callee.property.name='toFixed']", message: 'Money is rounded with decimal.js (DESIGN.md §2).' },
      ],
    },
  },
);
