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
          // The fault matrix has its own project (`npm run test:faults`, ~20 min): not part of `npm test`.
          exclude: ['test/src/faults/**', '**/node_modules/**', '**/dist/**'],
          // Each file starts its own servers on free ports; two cores, so keep files serial.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['test/src/faults/**/*.test.ts'],
          // Real processes, real outages (up to 60 s) and BullMQ's 30 s locks: one file and one test at a
          // time, with room for an outage, its recovery and the drain.
          fileParallelism: false,
          sequence: { concurrent: false },
          testTimeout: 600_000,
          hookTimeout: 120_000,
          teardownTimeout: 60_000,
        },
      },
    ],
  },
});
