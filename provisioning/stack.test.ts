import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * docker-compose.yml cannot run here (no Docker engine), so it is parsed and checked for what can
 * be checked: mounted files exist, referenced services exist, images are pinned, ports stay on
 * loopback, and the environment matches what Lacuna reads.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;

/** Every environment variable the application reads, from its sources. */
function environmentVariablesRead(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/\b(LACUNA_[A-Z_]+)\b/g)) names.add(match[1]);
      }
    }
  };
  for (const folder of ['core/src', 'collector/src', 'exporter/src', 'cli/src']) walk(join(ROOT, folder));
  return names;
}

describe('docker-compose.yml', () => {
  it('has the whole stack: ClickHouse, collector, exporter, Prometheus, Alertmanager and Grafana', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['clickhouse', 'collector', 'exporter', 'prometheus', 'alertmanager', 'grafana']));
  });

  it('pins every image to a version, or uses the one built from this repository', () => {
    const built = new Set(Object.values(services).filter((service) => service.build !== undefined).map((service) => service.image));
    expect(built.size).toBe(1);
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toBeDefined();
      if (built.has(service.image)) continue;
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+(\.\d+)?$/);
    }
  });

  it('mounts only files and folders that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0];
        if (source.startsWith('./')) {
          // The plugin's dist/ is built by `npm run build:plugin` before `docker compose up`.
          if (source === './grafana-plugin/dist') continue;
          expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true);
        } else expect(Object.keys(compose.volumes), `${name}: volume ${source}`).toContain(source);
      }
    }
  });

  it('depends only on services that exist, and each waited-for service has a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} → ${dependency}`).toBeDefined();
        if (condition === 'service_healthy') expect(services[dependency].healthcheck, `${dependency} healthcheck`).toBeDefined();
      }
    }
  });

  it('binds every published port to 127.0.0.1', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('sets only environment variables that Lacuna reads, and points the collector and exporter at the ClickHouse service', () => {
    const known = environmentVariablesRead();
    for (const name of ['collector', 'exporter']) {
      const environment = services[name].environment ?? {};
      for (const variable of Object.keys(environment)) expect(known, `${name}: ${variable}`).toContain(variable);
      expect(environment.LACUNA_STORE).toBe('http://clickhouse:8123');
      expect(environment.LACUNA_CLICKHOUSE_USER).toBe(services.clickhouse.environment?.CLICKHOUSE_USER);
      expect(environment.LACUNA_CLICKHOUSE_DATABASE).toBe(services.clickhouse.environment?.CLICKHOUSE_DB);
    }
  });

  it('runs the collector and the exporter with options the lacuna command accepts', async () => {
    const { parseArguments } = await import('@lacuna/cli');
    const [collectorCommand, ...collectorArgs] = services.collector.command!;
    const [exporterCommand, ...exporterArgs] = services.exporter.command!;
    expect([collectorCommand, exporterCommand]).toEqual(['start', 'serve']);
    expect(parseArguments('start', collectorArgs)).toMatchObject({ values: { target: 'collector' } });
    expect(parseArguments('serve', exporterArgs)).toMatchObject({ values: { listen: '0.0.0.0:9470' } });
  });

  it('keeps the exporter\'s spool of pushed data on a named volume the image lets its user write', () => {
    const { command, volumes } = services.exporter;
    const spool = command![command!.indexOf('--spool') + 1];
    expect(command).toContain('--spool');
    const mount = volumes!.map((volume) => volume.split(':')).find(([source, target]) => source in compose.volumes && spool.startsWith(`${target}/`));
    expect(mount, `a named volume above ${spool}`).toBeDefined();
    // The image runs as `node`: the mount point must exist and belong to it, or the spool cannot be made.
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(new RegExp(`mkdir -p ${mount![1]} && chown node:node ${mount![1]}`));
    expect(dockerfile.indexOf('chown node:node')).toBeLessThan(dockerfile.indexOf('USER node'));
  });

  it('lets Grafana load unsigned only Lacuna\'s own plugins, whose ids the plugin declares', () => {
    const allowed = services.grafana.environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS?.split(',') ?? [];
    const declared = ['src/plugin.json', 'src/datasource/plugin.json', 'src/panels/timeline/plugin.json', 'src/panels/completion/plugin.json'].map(
      (file) => (JSON.parse(readFileSync(join(ROOT, 'grafana-plugin', file), 'utf8')) as { id: string }).id,
    );
    expect(allowed.sort()).toEqual(declared.sort());
  });

  it('points Prometheus at the exporter service and its rules at the mounted folder', () => {
    const prometheus = parse(read('provisioning/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    const lacuna = prometheus.scrape_configs.find((job) => job.job_name === 'lacuna')!;
    const [host, port] = lacuna.static_configs[0].targets[0].split(':');
    expect(services[host]).toBeDefined();
    expect(services.exporter.command).toContain(`0.0.0.0:${port}`);
    const [alertmanager] = prometheus.alerting.alertmanagers[0].static_configs[0].targets[0].split(':');
    expect(services[alertmanager]).toBeDefined();
    const rulesMount = services.prometheus.volumes!.find((volume) => volume.startsWith('./provisioning/prometheus/rules:'))!;
    expect(prometheus.rule_files[0].startsWith(rulesMount.split(':')[1])).toBe(true);
  });
});

describe('Grafana provisioning', () => {
  it('provisions the Lacuna datasource on the exporter service and Prometheus on its service', () => {
    const { datasources } = parse(read('provisioning/grafana/datasources/lacuna.yml')) as { datasources: { type: string; url?: string; jsonData?: { url?: string } }[] };
    const lacuna = datasources.find((source) => source.type === 'lacuna-availability-datasource')!;
    const prometheus = datasources.find((source) => source.type === 'prometheus')!;
    expect(new URL(lacuna.jsonData!.url!).hostname).toBe('exporter');
    expect(new URL(prometheus.url!).hostname).toBe('prometheus');
  });

  it('loads the dashboards from where docker-compose.yml mounts them, and enables the app', () => {
    const { providers } = parse(read('provisioning/grafana/dashboards/lacuna.yml')) as { providers: { options: { path: string } }[] };
    const mount = services.grafana.volumes!.find((volume) => volume.startsWith('./dashboards:'))!;
    expect(providers[0].options.path).toBe(mount.split(':')[1]);
    const { apps } = parse(read('provisioning/grafana/plugins/lacuna.yml')) as { apps: { type: string }[] };
    expect(apps.map((app) => app.type)).toEqual(['lacuna-availability-app']);
  });
});
