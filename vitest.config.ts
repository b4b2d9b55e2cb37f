import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['{core,collector,exporter,cli}/src/**/*.test.ts', '{provisioning,dashboards}/**/*.test.ts'],
          pool: 'forks',
          globalSetup: ['./cli/src/testing/compile.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // The Grafana plugin's tests run in their own environment (jsdom, and Chromium for the panels).
      './grafana-plugin/vitest.config.ts',
    ],
  },
});
