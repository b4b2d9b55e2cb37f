import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseShard } from '@lacuna/core';

/**
 * The compose profile "cluster" cannot run here (no Docker engine, no ClickHouse server): it is
 * read as the servers and Lacuna would read it. Its ClickHouse configuration must describe the
 * cluster the services form (2 shards × 2 replicas, Keeper), and the collectors and exporters must
 * split the stations into parts that cover each exactly once, on that cluster.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  profiles?: string[];
  hostname?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const services = (parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> }).services;
const inProfile = Object.entries(services).filter(([, service]) => service.profiles?.includes('cluster'));
const named = (prefix: string) => inProfile.filter(([name]) => name.startsWith(prefix));

const clusterXml = read('provisioning/clickhouse/cluster.xml').replace(/<!--[\s\S]*?-->/g, '');
const keeperXml = read('provisioning/clickhouse/keeper.xml').replace(/<!--[\s\S]*?-->/g, '');
const tag = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1].trim());

/** remote_servers of cluster.xml: cluster name → shards → replica hosts, with internal_replication. */
function remoteServers() {
  const [servers] = tag(clusterXml, 'remote_servers');
  const [, name, body] = /<(\w+)>([\s\S]*)<\/\1>/.exec(servers)!;
  const shards = tag(body, 'shard').map((shard) => ({ internal: tag(shard, 'internal_replication')[0], hosts: tag(shard, 'replica').map((replica) => tag(replica, 'host')[0]) }));
  return { name, shards };
}

describe('the compose profile "cluster"', () => {
  const { name: clusterName, shards } = remoteServers();
  const servers = named('cluster-ch-');

  it('runs 2 shards × 2 replicas of ClickHouse, Keeper, 2 collectors, 2 exporters and a Prometheus, all in the profile only', () => {
    expect(inProfile.map(([name]) => name).sort()).toEqual(
      ['cluster-keeper', 'cluster-ch-1-1', 'cluster-ch-1-2', 'cluster-ch-2-1', 'cluster-ch-2-2', 'cluster-collector-0', 'cluster-collector-1', 'cluster-exporter-0', 'cluster-exporter-1', 'cluster-prometheus'].sort(),
    );
    expect(shards.map((shard) => shard.hosts.length)).toEqual([2, 2]);
    // The same ClickHouse release series as the single-node stack (and the embedded engine).
    for (const [name, service] of servers) expect(service.image, name).toBe(services.clickhouse.image);
    expect(services['cluster-keeper'].image).toBe(services.clickhouse.image!.replace('clickhouse-server', 'clickhouse-keeper'));
  });

  it('describes to every server the cluster the services form: its shard and replica, and Keeper', () => {
    const hosts = shards.flatMap((shard) => shard.hosts);
    expect(hosts.sort()).toEqual(servers.map(([, service]) => service.hostname!).sort());
    // Each insert goes to one replica of a shard, which copies it to the other: no row twice.
    expect(shards.map((shard) => shard.internal)).toEqual(['true', 'true']);
    shards.forEach((shard, index) => {
      for (const host of shard.hosts) {
        const [, service] = servers.find(([, s]) => s.hostname === host)!;
        expect(service.environment?.LACUNA_CH_SHARD, host).toBe(String(index + 1));
        expect(service.environment?.LACUNA_CH_HOST, host).toBe(host);
        expect(service.volumes?.some((volume) => volume.startsWith('./provisioning/clickhouse/cluster.xml:/etc/clickhouse-server/config.d/')), host).toBe(true);
      }
    });
    const replicas = servers.map(([, service]) => `${service.environment?.LACUNA_CH_SHARD}/${service.environment?.LACUNA_CH_REPLICA}`);
    expect(new Set(replicas).size).toBe(4);
    expect(clusterXml).toMatch(/<shard from_env="LACUNA_CH_SHARD"\/>/);
    expect(clusterXml).toMatch(/<replica from_env="LACUNA_CH_REPLICA"\/>/);
    // Keeper where the servers look for it.
    const [zookeeper] = tag(clusterXml, 'zookeeper');
    expect(tag(zookeeper, 'host')).toEqual([services['cluster-keeper'].hostname ?? 'cluster-keeper']);
    expect(tag(zookeeper, 'port')).toEqual(tag(keeperXml, 'tcp_port'));
    expect(services['cluster-keeper'].volumes?.some((volume) => volume.startsWith('./provisioning/clickhouse/keeper.xml:'))).toBe(true);
  });

  it('gives the collectors parts of the stations that cover each exactly once, on that cluster', async () => {
    const { parseArguments } = await import('@lacuna/cli');
    const collectors = named('cluster-collector-');
    const parts = collectors.map(([name, service]) => {
      const [command, ...args] = service.command!;
      expect(command, name).toBe('start');
      const { values } = parseArguments('start', args) as { values: Record<string, string> };
      expect(values.target, name).toBe('collector');
      expect(service.environment?.LACUNA_CLICKHOUSE_CLUSTER, name).toBe(clusterName);
      expect(service.environment?.LACUNA_STORE, name).toMatch(new RegExp(`^http://(${servers.map(([, s]) => s.hostname).join('|')}):8123$`));
      return parseShard(values.shard);
    });
    expect(parts.every((part) => part.count === collectors.length)).toBe(true);
    expect(parts.map((part) => part.index).sort()).toEqual(collectors.map((_, i) => i));
  });

  it('splits /metrics between the exporters the same way, and scrapes every one of them', async () => {
    const { parseArguments } = await import('@lacuna/cli');
    const exporters = named('cluster-exporter-');
    const parts = exporters.map(([name, service]) => {
      const [command, ...args] = service.command!;
      expect(command, name).toBe('serve');
      const { values } = parseArguments('serve', args) as { values: Record<string, string> };
      expect(service.environment?.LACUNA_CLICKHOUSE_CLUSTER, name).toBe(clusterName);
      return { name, listen: values.listen, part: parseShard(values['metrics-shard']) };
    });
    expect(parts.map(({ part }) => part.index).sort()).toEqual(exporters.map((_, i) => i));
    expect(parts.every(({ part }) => part.count === exporters.length)).toBe(true);
    const prometheus = parse(read('provisioning/prometheus/prometheus-cluster.yml')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const targets = prometheus.scrape_configs.find((job) => job.job_name === 'lacuna')!.static_configs.flatMap((config) => config.targets);
    expect(targets.sort()).toEqual(parts.map(({ name, listen }) => `${name}:${listen.split(':')[1]}`).sort());
    expect(services['cluster-prometheus'].volumes).toContain('./provisioning/prometheus/prometheus-cluster.yml:/etc/prometheus/prometheus.yml:ro');
    // The network roll-ups across the parts are among the rules it loads.
    expect(read('provisioning/prometheus/rules/lacuna-recording.yml')).toContain('lacuna_network_covered_seconds');
  });
});

const hasDockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
if (!hasDockerCompose) console.warn('docker-compose validation of the cluster profile skipped: docker-compose (Debian package docker-compose) is not installed');

describe.skipIf(!hasDockerCompose)('the compose profile "cluster" as docker-compose reads it', () => {
  const compose = (...args: string[]) => spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, COMPOSE_PROFILES: '' } });

  it('is valid, and the services the README starts are the profile\'s', () => {
    const check = compose('--profile', 'cluster', 'config', '--quiet');
    expect(check.status, check.stderr).toBe(0);
    const listed = compose('--profile', 'cluster', 'config', '--services').stdout.split('\n').filter((name) => name.startsWith('cluster-'));
    expect(listed.sort()).toEqual(inProfile.map(([name]) => name).sort());
    const resolved = parse(compose('--profile', 'cluster', 'config').stdout) as { services: Record<string, Service> };
    expect(resolved.services['cluster-collector-1'].environment?.LACUNA_CLICKHOUSE_PASSWORD).toBe('lacuna');
  });
});
