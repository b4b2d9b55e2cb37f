import { defineProject } from 'vitest/config';

/**
 * The plugin's tests: editors and pure model/layout code in jsdom; the browser harness tests
 * (harness/*.test.ts) declare the node environment themselves and drive headless Chromium.
 */
export default defineProject({
  test: {
    name: 'grafana-plugin',
    root: import.meta.dirname,
    include: ['src/**/*.test.{ts,tsx}', 'harness/**/*.test.ts'],
    environment: 'jsdom',
    setupFiles: ['./test/setup.ts'],
    // @grafana/ui imports CSS files and @grafana/data named exports of CommonJS modules; Node
    // cannot load either from their ESM builds, vite can.
    server: { deps: { inline: [/@grafana\//] } },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
