import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A test file per core, at most 4 (many test files load the embedded engine, some 300–500 MB
    // each). Vitest's default leaves one core to itself, which on a machine of two runs the files
    // one after another: `vitest run` took 354 s so, 157–185 s with two.
    maxWorkers: Math.min(4, availableParallelism()),
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
      // The store's tests again, with every table behind a Distributed table (the embedded engine
      // standing in for a cluster: core/src/testing/embedded-cluster.xml).
      {
        test: {
          name: 'store on a cluster',
          include: ['core/src/store/**/*.test.ts', 'core/src/testing/*.test.ts', 'collector/src/archive/shard.test.ts'],
          exclude: ['core/src/store/migrations.test.ts'],
          env: { LACUNA_TEST_EMBEDDED_CLUSTER: 'lacuna_test' },
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // The Grafana plugin's tests run in their own environment (jsdom, and Chromium for the panels).
      './grafana-plugin/vitest.config.ts',
    ],
  },
});
