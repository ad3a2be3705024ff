import { defineConfig } from 'vitest/config';

// Tests import workspace packages through the "source" export condition,
// so they run against src/ without a build step.
const resolve = { conditions: ['source'] };
// Node-side test modules resolve through the ssr environment's conditions, not `resolve`'s.
const ssr = { resolve: { conditions: ['source'], externalConditions: ['source'] } };

export default defineConfig({
  resolve,
  ssr,
  test: {
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The embedded-testing examples of docs/embedded-testing.md, run as a user's suite would run them.
        resolve,
        ssr,
        test: {
          name: 'examples',
          include: ['test/examples/**/*.spec.ts'],
          globalSetup: ['test/examples/global-setup.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
