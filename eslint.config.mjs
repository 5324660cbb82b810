import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['mqtt', 'bullmq', 'ioredis', '@influxdata/*', 'pino', 'fastify', 'node:*'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local/**', 'infra/**/*.mjs', 'infra/**/*.d.mts', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.config.ts', '*.config.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Fastify hooks and start functions are async by contract even when they do not await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    // The model is pure: no I/O, no clock, no randomness.
    files: ['packages/stimulus/src/**/*.ts', 'packages/contracts/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/contracts/src/write-json-schemas.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ioModules }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pass the time in; the core has no clock.' },
        { object: 'Math', property: 'random', message: 'Inject randomness; the core is deterministic.' },
      ],
    },
  },
  {
    // Services never import each other; only the all-in-one pipeline composes them.
    files: ['services/*/src/**/*.ts'],
    ignores: ['services/pipeline/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@neurolift/ingest', '@neurolift/stimulus-worker', '@neurolift/alerts-service', '@neurolift/api', '@neurolift/device-sim'] }],
    },
  },
);
