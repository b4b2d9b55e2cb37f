import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * docker-compose.yml and the Dockerfiles cannot run here (no Docker engine), so they are read as a
 * deployer would: Debian's docker-compose (1.29) validates the file where it is installed, and
 * the rest is checked against the repository: what the images copy exists, every service that
 * uses a built image can build it, images are pinned, versions agree, ports stay on loopback,
 * and the environment and commands are what Lacuna reads.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string; target?: string };
  profiles?: string[];
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
const built = Object.entries(services).filter(([, service]) => service.build !== undefined);
const builtImages = new Set(built.map(([, service]) => service.image!));

/** A service's Dockerfile, from its build context. */
function dockerfileOf(service: Service): string {
  const build = typeof service.build === 'string' ? { context: service.build } : service.build!;
  return join(build.context, build.dockerfile ?? 'Dockerfile');
}

/** A Dockerfile's stages: FROM line and instructions (continuation lines joined, comments dropped). */
function stages(path: string): { from: string; name?: string; lines: string[] }[] {
  const lines = read(path)
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: { from: string; name?: string; lines: string[] }[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) result.push({ from: from[1], name: from[2], lines: [] });
    else result.at(-1)!.lines.push(line);
  }
  return result;
}

/** Dotted version compare: negative when a < b. */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split(/[.-]/).map((part) => Number.parseInt(part, 10)));
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
const tagOf = (image: string) => image.slice(image.lastIndexOf(':') + 1).replace(/^v/, '');

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
  it('has the whole stack: ClickHouse, collector, exporter, Prometheus, Alertmanager and Grafana, and the demo as a profile', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['clickhouse', 'collector', 'exporter', 'prometheus', 'alertmanager', 'grafana', 'demo']));
    expect(services.demo.profiles).toEqual(['demo']);
    for (const name of ['clickhouse', 'collector', 'exporter', 'prometheus', 'alertmanager', 'grafana']) expect(services[name].profiles, name).toBeUndefined();
  });

  it('lets every service that uses an image built here build it, and pins every other image to a release', () => {
    expect([...builtImages].sort()).toEqual(['lacuna-grafana:local', 'lacuna:local']);
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toBeDefined();
      if (builtImages.has(service.image!)) {
        expect(service.build, `${name} uses ${service.image} and must be able to build it`).toBeDefined();
        continue;
      }
      // A release series (ClickHouse's 26.7) or an exact release.
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+(\.\d+){0,2}$/);
    }
  });

  it('depends on no service that a profile can leave out, and only on services that exist and report health', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} → ${dependency}`).toBeDefined();
        // A service of a profile may depend on the services of its own profile: they start together.
        const missing = (services[dependency].profiles ?? []).filter((profile) => !(service.profiles ?? []).includes(profile));
        expect(missing, `${name} → ${dependency} is in a profile ${name} is not in`).toEqual([]);
        if (condition === 'service_healthy') expect(services[dependency].healthcheck, `${dependency} healthcheck`).toBeDefined();
      }
    }
  });

  it('mounts only files and folders that exist, and named volumes that are declared', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0];
        if (source.startsWith('./')) expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: volume ${source}`).toContain(source);
      }
    }
  });

  it('keeps Alertmanager\'s silences and notification log on a volume', () => {
    const { command, volumes } = services.alertmanager;
    const storage = command!.find((arg) => arg.startsWith('--storage.path='))!.split('=')[1];
    expect(volumes!.some((volume) => volume.split(':')[0] in compose.volumes && volume.split(':')[1] === storage)).toBe(true);
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

  it('runs the collector, the exporter and the demo with the image\'s lacuna and options it accepts', async () => {
    const { parseArguments } = await import('@lacuna/cli');
    const [collectorCommand, ...collectorArgs] = services.collector.command!;
    const [exporterCommand, ...exporterArgs] = services.exporter.command!;
    expect([collectorCommand, exporterCommand]).toEqual(['start', 'serve']);
    expect(parseArguments('start', collectorArgs)).toMatchObject({ values: { target: 'collector' } });
    expect(parseArguments('serve', exporterArgs)).toMatchObject({ values: { listen: '0.0.0.0:9470' } });
    // The entrypoints that wrap it in a shell run the image's own: node /app/cli/bin/lacuna.js.
    const entrypoint = stages('Dockerfile').at(-1)!.lines.find((line) => line.startsWith('ENTRYPOINT'))!;
    const lacuna = (JSON.parse(entrypoint.slice('ENTRYPOINT'.length)) as string[]).join(' ');
    expect(lacuna).toBe('node /app/cli/bin/lacuna.js');
    expect(services.collector.entrypoint!.join(' ')).toContain(`exec ${lacuna} "$$@"`);
    expect(services.demo.command!.join(' ')).toContain(`${lacuna} demo /archive`);
    // The collector waits for the metadata file it is given.
    const metadata = collectorArgs[collectorArgs.indexOf('--metadata') + 1];
    expect(services.collector.entrypoint!.join(' ')).toContain(`until [ -f ${metadata} ]`);
  });

  it('writes the demo archive into the volume the collector scans, as a user the image lets write there', () => {
    const mount = (service: Service) => service.volumes!.map((volume) => volume.split(':')).find(([, target]) => target === '/archive')!;
    expect(mount(services.demo)[0]).toBe(mount(services.collector)[0]);
    expect(mount(services.collector)[2]).toBe('ro');
    const image = stages('Dockerfile').at(-1)!.lines.join('\n');
    expect(image).toMatch(/mkdir -p [^\n]*\/archive[^\n]*&& chown node:node [^\n]*\/archive/);
  });

  it('keeps the exporter\'s spool of pushed data on a named volume the image lets its user write', () => {
    const { command, volumes } = services.exporter;
    const spool = command![command!.indexOf('--spool') + 1];
    const mount = volumes!.map((volume) => volume.split(':')).find(([source, target]) => source in compose.volumes && spool.startsWith(`${target}/`));
    expect(mount, `a named volume above ${spool}`).toBeDefined();
    // The image runs as `node`: the mount point must exist and belong to it, or the spool cannot be made.
    const image = stages('Dockerfile').at(-1)!.lines;
    const made = image.findIndex((line) => new RegExp(`mkdir -p [^&]*${mount![1]}\\b.*&& chown node:node [^&]*${mount![1]}\\b`).test(line));
    expect(made).toBeGreaterThanOrEqual(0);
    expect(made).toBeLessThan(image.findIndex((line) => line === 'USER node'));
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

describe('the images, read as a deployer would', () => {
  const dockerignore = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const ignored = (path: string) =>
    dockerignore.some((pattern) => {
      const source = pattern.replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*');
      return new RegExp(`^${source}(/.*)?$`).test(path);
    });

  it('build from Dockerfiles that exist, copying only paths that exist and that .dockerignore lets through', () => {
    for (const [name, service] of built) {
      const dockerfile = dockerfileOf(service);
      expect(existsSync(join(ROOT, dockerfile)), `${name}: ${dockerfile}`).toBe(true);
      for (const stage of stages(dockerfile)) {
        for (const line of stage.lines.filter((l) => /^COPY\s/i.test(l) && !/--from=/.test(l))) {
          const sources = line.split(/\s+/).slice(1, -1);
          for (const source of sources) {
            expect(existsSync(join(ROOT, source)), `${dockerfile}: ${line}`).toBe(true);
            expect(ignored(source.replace(/^\.\//, '').replace(/\/$/, '')), `${dockerfile}: ${source} is in .dockerignore`).toBe(false);
          }
        }
        for (const line of stage.lines.filter((l) => /--from=/.test(l))) {
          const from = /--from=(\S+)/.exec(line)![1];
          expect(stages(dockerfile).some((other) => other.name === from), `${dockerfile}: ${line}`).toBe(true);
        }
      }
    }
  });

  it('leave the embedded engine out of the server image: chdb is an optional dependency, and the image installs no package', () => {
    const core = JSON.parse(read('core/package.json')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    expect(core.dependencies?.chdb).toBeUndefined();
    expect(core.optionalDependencies?.chdb).toBeDefined();
    const image = stages('Dockerfile').at(-1)!;
    expect(image.lines.filter((line) => /\bnpm (ci|install|i)\b/.test(line))).toEqual([]);
    expect(image.lines.join('\n')).not.toMatch(/node_modules/);
  });

  it('put the Lacuna plugin inside the Grafana image, built in its first stage, where Grafana looks for plugins', () => {
    const grafana = services.grafana;
    expect(dockerfileOf(grafana)).toBe('grafana.Dockerfile');
    expect((grafana.volumes ?? []).some((volume) => volume.startsWith('./grafana-plugin'))).toBe(false);
    const [plugin, image] = stages('grafana.Dockerfile');
    expect(plugin.lines).toContain('RUN npm run build -w grafana-plugin');
    const environment = new Map(image.lines.filter((line) => line.startsWith('ENV ')).map((line) => line.slice(4).split('=') as [string, string]));
    const copy = image.lines.find((line) => line.startsWith(`COPY --from=${plugin.name} /src/grafana-plugin/dist `))!;
    expect(copy.split(/\s+/).at(-1)).toBe(`${environment.get('GF_PATHS_PLUGINS')}/lacuna-availability-app`);
    // Unsigned loading is allowed for Lacuna's own plugins only.
    const declared = ['src/plugin.json', 'src/datasource/plugin.json', 'src/panels/timeline/plugin.json', 'src/panels/completion/plugin.json'].map(
      (file) => (JSON.parse(read(join('grafana-plugin', file))) as { id: string }).id,
    );
    expect(environment.get('GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS')?.split(',').sort()).toEqual(declared.sort());
  });

  it('run a Grafana at least as new as the @grafana packages the plugin builds against, as the README states', () => {
    const grafana = stages('grafana.Dockerfile').at(-1)!.from;
    expect(grafana).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    const version = tagOf(grafana);
    const plugin = JSON.parse(read('grafana-plugin/package.json')) as { dependencies: Record<string, string> };
    for (const [name, range] of Object.entries(plugin.dependencies).filter(([name]) => name.startsWith('@grafana/'))) {
      expect(compareVersions(version, range.replace(/^[\^~>=]+/, '')), `${grafana} against ${name} ${range}`).toBeGreaterThanOrEqual(0);
      const installed = join(ROOT, 'node_modules', name, 'package.json');
      if (existsSync(installed)) expect(compareVersions(version, (JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version), `${grafana} against ${name} installed`).toBeGreaterThanOrEqual(0);
    }
    const { dependencies } = JSON.parse(read('grafana-plugin/src/plugin.json')) as { dependencies: { grafanaDependency: string } };
    expect(compareVersions(version, dependencies.grafanaDependency.replace(/^>=/, ''))).toBeGreaterThanOrEqual(0);
    expect(supportedVersions()).toContain(`Grafana ${version}`);
  });

  it('run the ClickHouse server series of the embedded engine the tests run, as the README states', () => {
    const series = tagOf(services.clickhouse.image!);
    expect(supportedVersions()).toContain(`ClickHouse server ${series}`);
    const chdb = join(ROOT, 'node_modules/chdb/package.json');
    if (!existsSync(chdb)) {
      console.warn('ClickHouse version check against the embedded engine skipped: the optional package chdb is not installed');
      return;
    }
    // chdb names its engine build after the ClickHouse release it is made from (26.7.3-stable.1).
    const engines = Object.entries((JSON.parse(readFileSync(chdb, 'utf8')) as { optionalDependencies: Record<string, string> }).optionalDependencies).filter(([name]) => name.startsWith('@chdb/lib-'));
    expect(engines.length).toBeGreaterThan(0);
    for (const [name, version] of engines) expect(version.split('.').slice(0, 2).join('.'), name).toBe(series);
  });
});

/** The README's "Supported versions" section. */
function supportedVersions(): string {
  const readme = read('README.md');
  const start = readme.indexOf('### Supported versions');
  expect(start, 'README.md has a "Supported versions" section').toBeGreaterThanOrEqual(0);
  return readme.slice(start, readme.indexOf('\n#', start + 1));
}

const hasDockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
if (!hasDockerCompose) console.warn('docker-compose validation skipped: docker-compose (Debian package docker-compose) is not installed');

describe.skipIf(!hasDockerCompose)('docker-compose.yml as docker-compose reads it', () => {
  const compose = (...args: string[]) => spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, COMPOSE_PROFILES: '' } });

  it('is valid, and the demo service is enabled by its profile only', () => {
    const check = compose('config', '--quiet');
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    const resolved = parse(compose('config').stdout) as { services: Record<string, Service> };
    expect(resolved.services.demo.profiles).toEqual(['demo']);
    for (const name of ['collector', 'exporter', 'grafana']) expect(resolved.services[name].build, name).toBeDefined();
    const withProfile = compose('--profile', 'demo', 'config', '--quiet');
    expect(withProfile.status, withProfile.stderr).toBe(0);
    // Variables are substituted with their defaults.
    expect(resolved.services.collector.environment?.LACUNA_CLICKHOUSE_PASSWORD).toBe('lacuna');
  });
});
