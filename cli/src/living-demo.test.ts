import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND, type Micros } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { compileLayout, extendDemoArchive, loadChannelMetadata, scanArchive, writeDemoArchive, type DemoManifest } from '@lacuna/collector';
import { channelStatuses, MetricsRefresher, parseWindows } from '@lacuna/exporter';

/**
 * The demo as `lacuna start` runs it (the archive growing as its digitiser appends, rescans, the
 * metrics refreshed), over a simulated day and more: a clock is injected, nothing sleeps. Every
 * channel keeps the state the manifest expects at every step, and after a day the alerting rules
 * of provisioning/prometheus, evaluated by the real promtool over the last simulated hour of
 * /metrics, fire exactly the alerts the manifest expects.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
if (!hasPromtool) console.warn('living demo: the alert check is skipped, promtool (Debian package prometheus) is not installed; the states are still checked');

const MINUTE = 60 * MICROS_PER_SECOND;
const CREATED = Date.UTC(2026, 10, 20, 15, 30, 5) * 1000;

/** Samples of a /metrics text: series (as written) → value. */
function samples(text: string, families: RegExp): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    const series = line.slice(0, at);
    // As Prometheus stores a scraped series: with the job and instance of the target.
    const scraped = series.includes('{') ? series.replace('{', '{job="lacuna",instance="demo",') : `${series}{job="lacuna",instance="demo"}`;
    if (families.test(series)) found.set(scraped.replace(',}', '}'), line.slice(at + 1));
  }
  return found;
}

/** A promtool unit test: the scraped series every 5 minutes, and the firing alerts expected at the end. */
function promtoolTest(scrapes: Map<string, string>[], expected: DemoManifest['expected']['alerts']): string {
  const series = [...new Set(scrapes.flatMap((scrape) => [...scrape.keys()]))].sort();
  const input = series.map((name) => `      - series: '${name}'\n        values: '${scrapes.map((scrape) => scrape.get(name) ?? '_').join(' ')}'`);
  const exp = expected.map(({ alertname, labels }) => {
    const all: Record<string, string> = { alertname, ...labels };
    const text = Object.entries(all)
      .filter(([, value]) => value !== '')
      .map(([key, value]) => `${key}="${value}"`)
      .join(',');
    return `          - labels: '{${text}}'\n            value: 1`;
  });
  const rules = ['lacuna-alerts.yml', 'lacuna-recording.yml'].map((file) => JSON.stringify(join(ROOT, 'provisioning/prometheus/rules', file)));
  return [
    `rule_files: [${rules.join(', ')}]`,
    'evaluation_interval: 1m',
    'tests:',
    '  - interval: 5m',
    '    input_series:',
    ...input,
    '    promql_expr_test:',
    `      - expr: count by (alertname, network, station, location, channel, window) (ALERTS{alertstate="firing", alertname=~"LacunaChannel.+|LacunaStation.+|LacunaNetwork.+"})`,
    `        eval_time: ${(scrapes.length - 1) * 5}m`,
    `        exp_samples:${exp.length === 0 ? ' []' : ''}`,
    ...exp,
    '',
  ].join('\n');
}

describe('the living demo over a simulated day', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-living-demo-'));
  const [backend] = testBackends();
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('keeps every channel in its expected state, and after a day fires exactly the alerts of its manifest', async () => {
    const archive = join(temp, 'demo');
    const manifest = await writeDemoArchive(archive, { days: 4, end: CREATED });
    const store = await backend.open();
    let now: Micros = CREATED;
    const refresher = new MetricsRefresher(store, { now: () => now, onError: (error) => { throw error; } });
    try {
      const metadata = join(archive, manifest.metadataFile);
      await store.replaceEpochs(metadata, await loadChannelMetadata(metadata));
      const sds = compileLayout('sds');
      /** What the running `lacuna start` does by `t`: the digitiser has appended, a scan has stored it. */
      const runUntil = async (t: Micros) => {
        now = t;
        await extendDemoArchive(archive, t);
        const report = await scanArchive(store, { roots: [archive], layout: sds });
        expect(report.failures).toEqual([]);
      };

      // States at every step, over a day and an hour (steps of odd length, to meet records at every phase).
      const statesAt = async (t: Micros) =>
        Object.fromEntries((await channelStatuses(store, { patterns: [], windows: parseWindows('1h'), now: t })).map((status) => [status.key, status.state]));
      for (let t = CREATED; t < CREATED + MICROS_PER_DAY; t += 97 * MINUTE) {
        await runUntil(t);
        expect(await statesAt(t), new Date(t / 1000).toISOString()).toEqual(manifest.expected.states);
      }

      // The last hour of the day, scraped every 5 minutes as Prometheus would.
      const from = CREATED + MICROS_PER_DAY;
      expect(from).toBe(manifest.expected.from);
      const scrapes: Map<string, string>[] = [];
      for (let t = from; t <= from + MICROS_PER_HOUR; t += 5 * MINUTE) {
        await runUntil(t);
        await refresher.refreshNow();
        scrapes.push(samples(await refresher.text(), /^lacuna_(channel|station|network)_|^lacuna_exporter_last_refresh_timestamp_seconds/));
        expect(await statesAt(t)).toEqual(manifest.expected.states);
      }
      // Both faults of the demo are among the expected alerts, and nothing about the healthy channels.
      const about = new Set(manifest.expected.alerts.map((alert) => alert.labels.channel && `${alert.labels.network}.${alert.labels.station}`));
      expect(about).toEqual(new Set(['YB.FOXT', 'YB.GOLF']));
      expect(manifest.expected.alerts.map((alert) => alert.alertname).sort()).toEqual([
        'LacunaChannelAvailabilityLow',
        'LacunaChannelLatencyDegraded',
        'LacunaChannelLatencyDegraded',
        'LacunaChannelLatencyFailed',
        'LacunaChannelLatencyFailed',
      ]);
      if (!hasPromtool) return;
      const test = join(temp, 'living-demo.test.yml');
      writeFileSync(test, promtoolTest(scrapes, manifest.expected.alerts));
      const run = spawnSync('promtool', ['test', 'rules', test], { encoding: 'utf8' });
      expect(`${run.stdout}${run.stderr}`).toContain('SUCCESS');
      expect(run.status).toBe(0);
    } finally {
      await refresher.stop();
      await backend.dispose(store);
    }
    // Some thirty scans and refreshes: on a loaded machine more than the default minute.
  }, 300_000);
});
