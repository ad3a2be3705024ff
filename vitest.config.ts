import { defineConfig } from 'vitest/config';

// Tests import workspace packages through the "source" export condition,
// so they run against src/ without a build step.
const resolve = { conditions: ['source'] };

export default defineConfig({
  resolve,
  test: {
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        resolve,
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
