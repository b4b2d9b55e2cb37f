import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoManifest } from '@lacuna/collector';
import { dashboards, interpolatedQueries, loadVariables, SELECTIONS } from '../dashboards/dashboard-queries.ts';
import { freePort, stop, until } from './processes.ts';

/**
 * End to end with a real Prometheus (Debian's package): Lacuna runs all-in-one on the embedded
 * store with the demo archive (a dead channel and a late channel), Prometheus scrapes it on
 * loopback with our rules, and its HTTP API must show the metrics, exactly the alerts the demo
 * calls for, and an answer without error to every PromQL expression of every dashboard as Grafana
 * interpolates it under "All" and under selections. Every process started here is stopped at the
 * end, pass or fail.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
if (!hasPrometheus) console.warn('end-to-end test skipped: the prometheus binary (Debian package prometheus) is not installed');

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}
interface Sample {
  metric: Record<string, string>;
}

describe.skipIf(!hasPrometheus)('the stack end to end with a real Prometheus', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-e2e-'));
  const children: ChildProcess[] = [];
  let exporterUrl: string;
  let manifest: DemoManifest;
  let prometheusPort: number;
  afterAll(async () => {
    await Promise.all(children.map(stop));
    rmSync(temp, { recursive: true, force: true });
  });

  /** Prometheus's HTTP API; an answer that is not "success" fails with Prometheus's error. */
  async function api<T>(path: string, params: Record<string, string>): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus answered ${JSON.stringify(body)}`);
    return body.data;
  }

  beforeAll(async () => {
    const lacuna = spawn(process.execPath, [join(ROOT, 'cli/bin/lacuna.js'), 'start', '--listen', '127.0.0.1:0', '--metrics-refresh', '2'], {
      cwd: temp,
      env: { ...process.env, LACUNA_STORE: '', LACUNA_LISTEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(lacuna);
    let lacunaOutput = '';
    lacuna.stdout!.on('data', (chunk) => (lacunaOutput += chunk));
    lacuna.stderr!.on('data', (chunk) => (lacunaOutput += chunk));
    exporterUrl = await until('the exporter and the first scan', async () => (/below \d+ %/.test(lacunaOutput) ? /exporter (http:\/\/\S+):/.exec(lacunaOutput)?.[1] : undefined), 180);
    manifest = JSON.parse(readFileSync(join(temp, 'data/demo/demo-manifest.json'), 'utf8')) as DemoManifest;

    prometheusPort = await freePort();
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
    const prometheus = spawn('prometheus', [`--config.file=${join(temp, 'prometheus.yml')}`, `--storage.tsdb.path=${join(temp, 'tsdb')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(prometheus);
  }, 300_000);

  it('scrapes Lacuna, and the dead and late channels raise one latency alert each while nothing else pages', async () => {
    // The metrics arrive: the dead channel's state is failed.
    const [network, station, location, channel] = manifest.deadChannel.channel.split('.');
    const deadState = await until(
      'the dead channel in Prometheus',
      async () => (await api<{ result: { value: [number, string] }[] }>('query', { query: `lacuna_channel_state{network="${network}",station="${station}",channel="${channel}"}` })).result[0]?.value[1],
      90,
    );
    expect(deadState).toBe('2');
    // Every rule group has evaluated since the metrics arrived (before, absent() made
    // LacunaExporterDown pending, rightly).
    const scraped = Date.now();
    await until(
      'every rule group to evaluate the scraped metrics',
      async () => {
        const { groups } = await api<{ groups: { lastEvaluation: string }[] }>('rules', {});
        return groups.every((group) => Date.parse(group.lastEvaluation) > scraped) ? true : undefined;
      },
      60,
    );

    const late = manifest.channelInfo.find((info) => info.channel === manifest.lateChannel.channel)!;
    const lateLatency = (Date.now() * 1000 - manifest.lateChannel.lastSample) / 1e6;
    const lateAlert = late.failS !== null && lateLatency > late.failS ? 'LacunaChannelLatencyFailed' : 'LacunaChannelLatencyDegraded';
    const [lateNetwork, lateStation, , lateChannel] = manifest.lateChannel.channel.split('.');
    const has = (alerts: Alert[], name: string, labels: Record<string, string>) =>
      alerts.some((alert) => alert.labels.alertname === name && Object.entries(labels).every(([key, value]) => alert.labels[key] === value));

    const alerts = await until(
      'the expected alerts',
      async () => {
        const { alerts } = await api<{ alerts: Alert[] }>('alerts', {});
        const expected = has(alerts, 'LacunaChannelLatencyFailed', { network, station, channel }) && has(alerts, lateAlert, { network: lateNetwork, station: lateStation, channel: lateChannel });
        return expected ? alerts : undefined;
      },
      90,
    );
    expect(location === '' ? true : alerts.some((alert) => alert.labels.location === location)).toBe(true);
    for (const alert of alerts) expect(['pending', 'firing']).toContain(alert.state);
    const names = new Set(alerts.map((alert) => alert.labels.alertname));
    // One page for the dead channel: it has thresholds, so no NoData beside LatencyFailed; its
    // station and network still have live channels, so no station or network alert.
    expect(has(alerts, 'LacunaChannelNoData', { network, station, channel })).toBe(false);
    for (const wider of ['LacunaStationDown', 'LacunaStationDegraded', 'LacunaNetworkDown', 'LacunaNetworkDegraded']) expect(names.has(wider), wider).toBe(false);
    // The collector, the store and the exporter are healthy: none of their alerts.
    for (const healthy of ['LacunaStoreDown', 'LacunaExporterDown', 'LacunaCollectorScansStale', 'LacunaCollectorScansFailing', 'LacunaCollectorFilesFailing']) {
      expect(names.has(healthy), healthy).toBe(false);
    }
    // A channel with fresh data raises no latency alert.
    const fresh = manifest.channelInfo.find((info) => info.failS !== null && info.channel !== manifest.deadChannel.channel && info.channel !== manifest.lateChannel.channel && (Date.now() * 1000 - info.lastSample) / 1e6 < (info.warnS ?? Infinity))!;
    const [freshNetwork, freshStation, , freshChannel] = fresh.channel.split('.');
    expect(alerts.some((alert) => alert.labels.alertname.startsWith('LacunaChannelLatency') && alert.labels.network === freshNetwork && alert.labels.station === freshStation && alert.labels.channel === freshChannel)).toBe(false);
  });

  for (const selection of SELECTIONS) {
    it(`answers every PromQL expression of every dashboard without error under ${selection === 'default' ? 'the default "All"' : `${selection} selected value(s)`}`, async () => {
      // The recording rules the dashboards read have been evaluated once the metrics are in.
      await until('the recording rules', async () => ((await api<{ result: unknown[] }>('query', { query: 'network:lacuna_channel_availability_ratio:min' })).result.length > 0 ? true : undefined), 90);
      const now = Date.now() / 1000;
      let answered = 0;
      for (const { dashboard } of dashboards) {
        const variables = await loadVariables(dashboard, exporterUrl, selection);
        const chosen = selection === 'default' ? undefined : (variables.get('network')?.current as string[] | undefined);
        for (const { panel, expr, instant } of interpolatedQueries(dashboard, variables).promql) {
          const answer = instant
            ? await api<{ result: Sample[] }>('query', { query: expr, time: String(now) }).catch((error: Error) => error)
            : await api<{ result: Sample[] }>('query_range', { query: expr, start: String(now - 300), end: String(now), step: '15' }).catch((error: Error) => error);
          if (answer instanceof Error) throw new Error(`${panel} (${selection}): ${expr}: ${answer.message}`);
          answered++;
          // A network selection narrows what the panel shows to those networks.
          if (chosen && /network=~/.test(expr)) {
            for (const sample of answer.result) if (sample.metric.network !== undefined) expect(chosen, `${panel}: ${expr}`).toContain(sample.metric.network);
          }
          // The per-station latency panels show the demo's stations, under All and a selection.
          if (/^max by \(network, station\) \(lacuna_channel_total_latency_seconds/.test(expr)) expect(answer.result.length, `${panel}: ${expr}`).toBeGreaterThan(0);
        }
      }
      expect(answered).toBe(dashboards.reduce((sum, { dashboard }) => sum + dashboard.panels.flatMap((panel) => panel.targets).filter((target) => target.expr !== undefined).length, 0));
    });
  }
});
