import { defineConfig } from 'vitest/config';

/**
 * API files that need not run a second time on the embedded database: they start their own API
 * processes or their own private PostgreSQL (the embedded default has its own files for that:
 * embedded, npm-start), or do not touch a database at all.
 */
const SERVER_ONLY = ['bench-stats', 'embedded', 'faults', 'logs', 'many-processes', 'npm-start', 'openapi', 'test-databases'].map(
  (name) => `e2e/api/${name}.e2e-spec.ts`,
);

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        // Property tests run thousands of cases: seconds on a busy machine, never the default 5 s limit's business.
        test: { name: 'unit', include: ['api/src/**/*.spec.ts'], environment: 'node', testTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'api',
          include: ['e2e/api/**/*.e2e-spec.ts'],
          environment: 'node',
          globalSetup: ['e2e/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // The same API journeys, properties and security files on the embedded PostgreSQL that
          // `npm start` runs (started by Candor's own code), so the default is never second-class.
          name: 'api-embedded',
          include: ['e2e/api/**/*.e2e-spec.ts'],
          exclude: SERVER_ONLY,
          environment: 'node',
          globalSetup: ['e2e/support/global-setup-embedded.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // The customer portal in Debian's Chromium, against the built portal and the real API.
          name: 'portal',
          include: ['e2e/portal/**/*.spec.ts'],
          environment: 'node',
          globalSetup: ['e2e/support/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
