import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The Grafana plugin as grafana.Dockerfile copies it into the Grafana image (its first stage runs
 * the same build): `npm run build:plugin` must leave in
 * grafana-plugin/dist/ the app with its nested datasource and panels, each with a plugin.json
 * (its version filled in) and an AMD module.js, which is what Grafana 12 loads.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'grafana-plugin/dist');
const PLUGINS = [
  { folder: '.', id: 'lacuna-availability-app', type: 'app' },
  { folder: 'datasource', id: 'lacuna-availability-datasource', type: 'datasource' },
  { folder: 'panels/timeline', id: 'lacuna-timeline-panel', type: 'panel' },
  { folder: 'panels/completion', id: 'lacuna-completion-panel', type: 'panel' },
];

describe('the Grafana plugin build', () => {
  let build: { status: number | null; output: string };
  beforeAll(() => {
    const result = spawnSync('npm', ['run', 'build:plugin'], { cwd: ROOT, encoding: 'utf8', timeout: 280_000 });
    build = { status: result.status, output: `${result.stdout}${result.stderr}` };
  }, 300_000);

  it('compiles', () => {
    expect(build.output).toMatch(/compiled successfully/);
    expect(build.status, build.output.slice(-2000)).toBe(0);
  });

  it('emits each plugin with its plugin.json and module, where Grafana looks for them', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'grafana-plugin/package.json'), 'utf8')) as { version: string }).version;
    for (const plugin of PLUGINS) {
      const manifest = JSON.parse(readFileSync(join(DIST, plugin.folder, 'plugin.json'), 'utf8')) as { id: string; type: string; info: { version: string; updated: string; logos: { small: string } } };
      expect(manifest.id).toBe(plugin.id);
      expect(manifest.type).toBe(plugin.type);
      expect(manifest.info.version).toBe(version);
      expect(manifest.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(existsSync(join(DIST, plugin.folder, manifest.info.logos.small)), `${plugin.id} logo`).toBe(true);
      const module = readFileSync(join(DIST, plugin.folder, 'module.js'), 'utf8');
      // An AMD module that takes Grafana's shared libraries from the host rather than bundling them.
      expect(module).toMatch(/define\(\[[^\]]*"@grafana\/data"/);
      expect(module.length).toBeLessThan(2_000_000);
    }
  });
});
