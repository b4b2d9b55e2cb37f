import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoManifest } from '@lacuna/collector';

/**
 * End to end with a real Prometheus (Debian's package): Lacuna runs all-in-one on the embedded
 * store with the demo archive (a dead channel and a late channel), Prometheus scrapes it on
 * loopback with our rules, and its HTTP API must show the metrics and exactly the alerts the demo
 * calls for. Every process started here is stopped at the end, pass or fail.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
if (!hasPrometheus) console.warn('end-to-end test skipped: the prometheus binary (Debian package prometheus) is not installed');

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds: number): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

describe.skipIf(!hasPrometheus)('the stack end to end with a real Prometheus', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-e2e-'));
  const children: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(children.map(stop));
    rmSync(temp, { recursive: true, force: true });
  });

  it('scrapes Lacuna, and the dead and late channels raise their alerts while nothing else does', async () => {
    const lacuna = spawn(process.execPath, [join(ROOT, 'cli/bin/lacuna.js'), 'start', '--listen', '127.0.0.1:0', '--metrics-refresh', '2'], {
      cwd: temp,
      env: { ...process.env, LACUNA_STORE: '', LACUNA_LISTEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(lacuna);
    let lacunaOutput = '';
    lacuna.stdout!.on('data', (chunk) => (lacunaOutput += chunk));
    lacuna.stderr!.on('data', (chunk) => (lacunaOutput += chunk));
    const exporterUrl = await until('the exporter and the first scan', async () => (/below \d+ %/.test(lacunaOutput) ? /exporter (http:\/\/\S+):/.exec(lacunaOutput)?.[1] : undefined), 180);
    const manifest = JSON.parse(readFileSync(join(temp, 'data/demo/demo-manifest.json'), 'utf8')) as DemoManifest;

    const port = await freePort();
    const rules = ['lacuna-alerts.yml', 'lacuna-recording.yml'].map((file) => join(ROOT, 'provisioning/prometheus/rules', file));
    writeFileSync(
      join(temp, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${rules.map((file) => JSON.stringify(file)).join(', ')}]`,
        'scrape_configs:',
        '  - job_name: lacuna',
        `    static_configs: [{ targets: ['${new URL(exporterUrl).host}'] }]`,
        '',
      ].join('\n'),
    );
    const prometheus = spawn('prometheus', [`--config.file=${join(temp, 'prometheus.yml')}`, `--storage.tsdb.path=${join(temp, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(prometheus);
    const api = async <T>(path: string): Promise<T> => {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/${path}`);
      const body = (await response.json()) as { status: string; data: T };
      if (body.status !== 'success') throw new Error(`Prometheus answered ${JSON.stringify(body)}`);
      return body.data;
    };

    // The metrics arrive: the dead channel's state is failed.
    const [network, station, location, channel] = manifest.deadChannel.channel.split('.');
    const deadState = await until(
      'the dead channel in Prometheus',
      async () => {
        const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`query?query=${encodeURIComponent(`lacuna_channel_state{network="${network}",station="${station}",channel="${channel}"}`)}`);
        return data.result[0]?.value[1];
      },
      90,
    );
    expect(deadState).toBe('2');

    const late = manifest.channelInfo.find((info) => info.channel === manifest.lateChannel.channel)!;
    const lateLatency = (Date.now() * 1000 - manifest.lateChannel.lastSample) / 1e6;
    const lateAlert = late.failS !== null && lateLatency > late.failS ? 'LacunaChannelLatencyFailed' : 'LacunaChannelLatencyDegraded';
    const [lateNetwork, lateStation, , lateChannel] = manifest.lateChannel.channel.split('.');
    const has = (alerts: Alert[], name: string, labels: Record<string, string>) =>
      alerts.some((alert) => alert.labels.alertname === name && Object.entries(labels).every(([key, value]) => alert.labels[key] === value));

    const alerts = await until(
      'the expected alerts',
      async () => {
        const { alerts } = await api<{ alerts: Alert[] }>('alerts');
        const expected =
          has(alerts, 'LacunaChannelLatencyFailed', { network, station, channel }) &&
          has(alerts, 'LacunaChannelNoData', { network, station, channel, window: '1h' }) &&
          has(alerts, 'LacunaStationDegraded', { network, station }) &&
          has(alerts, lateAlert, { network: lateNetwork, station: lateStation, channel: lateChannel });
        return expected ? alerts : undefined;
      },
      90,
    );
    expect(location === '' ? true : alerts.some((alert) => alert.labels.location === location)).toBe(true);
    for (const alert of alerts) expect(['pending', 'firing']).toContain(alert.state);
    // The collector, the store and the exporter are healthy: none of their alerts.
    const names = new Set(alerts.map((alert) => alert.labels.alertname));
    for (const healthy of ['LacunaStoreDown', 'LacunaExporterDown', 'LacunaCollectorScansStale', 'LacunaCollectorScansFailing', 'LacunaCollectorFilesFailing']) {
      expect(names.has(healthy), healthy).toBe(false);
    }
    // A channel with fresh data raises no latency alert.
    const fresh = manifest.channelInfo.find((info) => info.failS !== null && info.channel !== manifest.deadChannel.channel && info.channel !== manifest.lateChannel.channel && (Date.now() * 1000 - info.lastSample) / 1e6 < (info.warnS ?? Infinity))!;
    const [freshNetwork, freshStation, , freshChannel] = fresh.channel.split('.');
    expect(alerts.some((alert) => alert.labels.alertname.startsWith('LacunaChannelLatency') && alert.labels.network === freshNetwork && alert.labels.station === freshStation && alert.labels.channel === freshChannel)).toBe(false);
  });
});
