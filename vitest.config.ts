import { defineConfig } from 'vitest/config';

// Workspaces import each other by package name; the "source" export condition lets tests run the
// TypeScript sources directly, while `node dist/...` uses the built JavaScript.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/src/**/*.test.ts'],
          // Each file starts its own servers on free ports; two cores, so keep files serial.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
