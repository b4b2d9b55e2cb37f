import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,collector,exporter,cli}/src/**/*.test.ts', '{provisioning,dashboards}/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
