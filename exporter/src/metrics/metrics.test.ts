import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DemoChannelInfo } from '@lacuna/collector';
import { stationShardOf, type Store } from '@lacuna/core';
import { DEFAULT_EXPECTED_LATENCY_S, notYetArrivedFrom } from '@lacuna/core';
import { parseWindows } from '../status.ts';
import { exporterFixture, hasSharedData, SHARED_DATA, type ExporterFixture } from '../testing/fixture.ts';
import { MetricsRefresher, type MetricsOptions } from './refresher.ts';

/*
 * /metrics against a store filled by real scans of the demo archive, with "now" pinned to the
 * demo's end. Expected values come from the demo manifest (what was planted), never from the code
 * under test.
 */

const hasPromtool = !spawnSync('promtool', ['--version']).error;
if (!hasPromtool) console.warn('promtool is not installed (apt-get install prometheus): the `promtool check metrics` test of /metrics is skipped');

const END = Date.UTC(2024, 4, 15, 12, 0, 0) * 1000;
const HOUR = 3600e6;
const WINDOW_MICROS: Record<string, number> = { '1h': HOUR, '1d': 24 * HOUR, '7d': 7 * 24 * HOUR };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition text's samples (comments skipped), labels unescaped. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/** Samples of `name` whose labels include `labels`. */
function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample of `name` with exactly these labels' values (others may be present); undefined when absent. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = find(samples, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

function idLabels(key: string) {
  const [network, station, location, channel] = key.split('.');
  return { network, station, location, channel };
}

/** |[end − window, end) ∩ epoch|, µs: the expected time of a demo channel in a window. */
/** Where the channel's time not yet arrived begins at END: after its last sample, and within warn_s (default 15 minutes) of END. */
function dueUntil(info: DemoChannelInfo): number {
  return notYetArrivedFrom(info.lastSample + 1e6 / info.sampleRate, END, info.warnS ?? DEFAULT_EXPECTED_LATENCY_S);
}

/** The expected time of the window whose data is due by END: [start, stop). */
function dueWindow(info: DemoChannelInfo, window: number): { start: number; stop: number } {
  return { start: Math.max(END - window, info.epochStart), stop: Math.min(END, info.epochEnd ?? END, dueUntil(info)) };
}

function expectedMicros(info: DemoChannelInfo, window: number): number {
  const { start, stop } = dueWindow(info, window);
  return Math.max(0, stop - start);
}

/**
 * The state a demo channel must have: total latency against its warn/fail intervals; null when not
 * tracked, which includes a channel whose metadata epoch is not in force now (not expected).
 */
function plantedState(info: DemoChannelInfo): number | null {
  if (info.warnS === null && info.failS === null) return null;
  if (info.epochStart > END || (info.epochEnd !== null && info.epochEnd <= END)) return null;
  const latency = (END - info.lastSample) / 1e6;
  if (info.failS !== null && latency > info.failS) return 2;
  if (info.warnS !== null && latency > info.warnS) return 1;
  return 0;
}

/** Store-derived samples only: what a refresh computes (not the exporter's own or process metrics). */
const storeDerived = (samples: Sample[]) => samples.filter((s) => /^lacuna_(channel|station|network|collector)_/.test(s.name));

/** GET with no Accept-Encoding (or the given one): the raw body and headers. */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/**
 * A store whose client can be made to fail (every query rejects) or to hang (queries never
 * answer until released): the same data, reached through a switchable connection.
 */
function switchableStore(store: Store) {
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  const hanging: (() => void)[] = [];
  const client = new Proxy(store.client, {
    get(target, property) {
      const member = Reflect.get(target, property, target);
      if (typeof member !== 'function') return member;
      if (property !== 'query' && property !== 'command' && property !== 'insert') return member.bind(target);
      return (...args: unknown[]) => {
        if (mode === 'fail') return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8123'));
        if (mode === 'hang') return new Promise((_, reject) => hanging.push(() => reject(new Error('released'))));
        return member.apply(target, args);
      };
    },
  });
  const switchable = Object.create(store, { client: { value: client } }) as Store;
  return {
    store: switchable,
    set(next: 'ok' | 'fail' | 'hang') {
      mode = next;
      if (next !== 'hang') hanging.splice(0).forEach((release) => release());
    },
  };
}

describe('GET /metrics on a scanned demo archive', () => {
  let fixture: ExporterFixture;
  let refresher: MetricsRefresher;
  let url: string;
  let samples: Sample[];
  let info: Map<string, DemoChannelInfo>;
  const refreshers: MetricsRefresher[] = [];
  const startedAt = Date.now();

  /** A refresher on the fixture's store with now pinned to the demo's end, refreshed once. */
  async function refreshed(options: MetricsOptions = {}, store?: Store): Promise<MetricsRefresher> {
    const made = new MetricsRefresher(store ?? fixture.store, { now: () => END, onError: () => undefined, ...options });
    refreshers.push(made);
    const result = await made.refreshNow();
    if (!result.ok) throw result.error;
    return made;
  }

  const scrapeText = (made: MetricsRefresher) => made.text();

  beforeAll(async () => {
    fixture = await exporterFixture({ end: END });
    info = new Map(fixture.manifest.channelInfo.map((channel) => [channel.channel, channel]));
    refresher = await refreshed();
    url = (await fixture.serve({ metrics: refresher })).url;
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    samples = parse(await response.text());
  });
  afterAll(async () => {
    await Promise.all(refreshers.map((made) => made.stop()));
    await fixture.dispose();
  });

  it('gives the dead channel state 2 (failed) and availability 0 over the last hour', () => {
    const dead = idLabels(fixture.manifest.deadChannel.channel);
    expect(fixture.manifest.end).toBe(END);
    expect(value(samples, 'lacuna_channel_state', dead)).toBe(2);
    expect(value(samples, 'lacuna_channel_availability_ratio', { ...dead, window: '1h' })).toBe(0);
    expect(value(samples, 'lacuna_channel_availability_ratio', { ...dead, window: '1d' })).toBe(0);
    expect(value(samples, 'lacuna_channel_last_sample_timestamp_seconds', dead)).toBeCloseTo(fixture.manifest.deadChannel.lastSample / 1e6, 6);
  });

  it("gives the late channel's latencies from its newest sample, when its file arrived, and now", () => {
    const { channel, lastSample } = fixture.manifest.lateChannel;
    const late = idLabels(channel);
    const arrived = info.get(channel)!.lastSampleFileMtime;
    expect(value(samples, 'lacuna_channel_total_latency_seconds', late)).toBeCloseTo((END - lastSample) / 1e6, 6);
    expect(value(samples, 'lacuna_channel_data_latency_seconds', late)).toBeCloseTo((arrived - lastSample) / 1e6, 6);
    expect(value(samples, 'lacuna_channel_feed_latency_seconds', late)).toBeCloseTo((END - arrived) / 1e6, 6);
    expect(value(samples, 'lacuna_channel_last_sample_timestamp_seconds', late)).toBeCloseTo(lastSample / 1e6, 6);
  });

  it('gives every tracked demo channel its state and none to a channel without warn/fail intervals', () => {
    const untracked = fixture.manifest.channelInfo.filter((channel) => channel.warnS === null && channel.failS === null);
    expect(untracked.length).toBeGreaterThan(0);
    for (const channel of fixture.manifest.channelInfo) {
      const labels = idLabels(channel.channel);
      const state = value(samples, 'lacuna_channel_state', labels);
      expect(state, channel.channel).toBe(plantedState(channel) ?? undefined);
      // Untracked, but reported otherwise.
      expect(value(samples, 'lacuna_channel_last_sample_timestamp_seconds', labels), channel.channel).toBeCloseTo(channel.lastSample / 1e6, 6);
    }
  });

  it("gives each station and network the worst state of its tracked channels", () => {
    const worst = (group: (key: string) => string) => {
      const result = new Map<string, number | null>();
      for (const channel of fixture.manifest.channelInfo) {
        const key = group(channel.channel);
        const state = plantedState(channel);
        const before = result.get(key) ?? null;
        result.set(key, state === null ? before : Math.max(before ?? 0, state));
      }
      return result;
    };
    const stations = worst((key) => key.split('.').slice(0, 2).join('.'));
    expect([...stations.values()]).toContain(2);
    expect([...stations.values()]).toContain(null); // ZC.JULI: nothing tracked
    for (const [key, state] of stations) {
      const [network, station] = key.split('.');
      expect(value(samples, 'lacuna_station_state', { network, station }), key).toBe(state ?? undefined);
    }
    for (const [network, state] of worst((key) => key.split('.')[0])) {
      expect(value(samples, 'lacuna_network_state', { network }), network).toBe(state ?? undefined);
    }
  });

  it('rolls availability up as covered time over expected time summed over the channels', () => {
    for (const [window, micros] of Object.entries(WINDOW_MICROS)) {
      const groups = new Map<string, { covered: number; expected: number; labels: Record<string, string> }>();
      for (const channel of fixture.manifest.channelInfo) {
        const labels = idLabels(channel.channel);
        const expected = expectedMicros(channel, micros);
        const ratio = value(samples, 'lacuna_channel_availability_ratio', { ...labels, window });
        if (expected === 0) {
          expect(ratio, `${channel.channel} ${window}: nothing expected, no sample`).toBeUndefined();
          continue;
        }
        expect(ratio, `${channel.channel} ${window}`).toBeDefined();
        for (const [key, groupLabels] of [
          [`${labels.network}.${labels.station}`, { network: labels.network, station: labels.station }],
          [labels.network, { network: labels.network }],
        ] as const) {
          const group = groups.get(key) ?? { covered: 0, expected: 0, labels: groupLabels };
          group.covered += ratio! * expected;
          group.expected += expected;
          groups.set(key, group);
        }
      }
      for (const [key, group] of groups) {
        const name = 'station' in group.labels ? 'lacuna_station_availability_ratio' : 'lacuna_network_availability_ratio';
        expect(value(samples, name, { ...group.labels, window }), `${key} ${window}`).toBeCloseTo(group.covered / group.expected, 9);
      }
    }
  });

  it('counts the planted gaps and overlaps per window, with the longest gap clipped to the window', () => {
    for (const channel of fixture.manifest.channelInfo) {
      const labels = idLabels(channel.channel);
      const delta = 1e6 / channel.sampleRate;
      for (const [window, micros] of Object.entries(WINDOW_MICROS)) {
        if (Math.min(END, channel.epochEnd ?? END) <= Math.max(END - micros, channel.epochStart)) continue;
        const { start, stop } = dueWindow(channel, micros);
        // A gap counts when its missing span [last before + Δ, first after) meets expected, due time in the window.
        const gaps = fixture.manifest.gaps.filter((gap) => gap.channel === channel.channel && gap.start + delta < stop && gap.end > start);
        const spans = gaps.map((gap) => ({ start: gap.start, end: gap.end }));
        // So does the open gap after the last sample (as MUSTANG counts it), reaching to the window's end, when due time is missing there.
        const tolerance = delta / 2;
        if (stop - Math.max(start, channel.lastSample + delta) > tolerance) spans.push({ start: channel.lastSample, end: END });
        const longest = Math.max(0, ...spans.map((gap) => (Math.min(gap.end, END) - Math.max(gap.start, END - micros)) / 1e6));
        const overlaps = fixture.manifest.overlaps.filter((o) => o.channel === channel.channel && o.end >= END - micros && o.end < END);
        const where = `${channel.channel} ${window}`;
        expect(value(samples, 'lacuna_channel_gaps', { ...labels, window }), where).toBe(spans.length);
        expect(value(samples, 'lacuna_channel_max_gap_seconds', { ...labels, window }), where).toBeCloseTo(longest, 6);
        expect(value(samples, 'lacuna_channel_overlaps', { ...labels, window }), where).toBe(overlaps.length);
      }
    }
    expect(fixture.manifest.gaps.length).toBeGreaterThan(5);
    expect(fixture.manifest.overlaps.length).toBeGreaterThan(0);
  });

  it('omits every windowed series of a window in which nothing is expected', () => {
    const { channel, epochEnd } = fixture.manifest.notExpectedAfter;
    expect(END - epochEnd).toBeGreaterThan(HOUR);
    const retired = { ...idLabels(channel), window: '1h' };
    for (const name of ['lacuna_channel_availability_ratio', 'lacuna_channel_gaps', 'lacuna_channel_max_gap_seconds', 'lacuna_channel_overlaps']) {
      expect(find(samples, name, retired), name).toEqual([]);
      expect(find(samples, name, { ...retired, window: '7d' }), name).toHaveLength(1);
    }
  });

  it('labels every series with network, station, location and channel, windows as configured', async () => {
    const channelSamples = samples.filter((s) => s.name.startsWith('lacuna_channel_'));
    expect(channelSamples.length).toBeGreaterThan(0);
    for (const sample of channelSamples) expect(Object.keys(sample.labels).slice(0, 4)).toEqual(['network', 'station', 'location', 'channel']);
    expect(new Set(find(samples, 'lacuna_channel_gaps').map((s) => s.labels.window))).toEqual(new Set(['1h', '1d', '7d']));

    const custom = parse(await scrapeText(await refreshed({ windows: parseWindows('6h,30d') })));
    const dead = idLabels(fixture.manifest.deadChannel.channel);
    expect(new Set(find(custom, 'lacuna_channel_availability_ratio', dead).map((s) => s.labels.window))).toEqual(new Set(['6h', '30d']));
    expect(new Set(find(custom, 'lacuna_network_availability_ratio').map((s) => s.labels.window))).toEqual(new Set(['6h', '30d']));
  });

  it('bounds cardinality: level station drops channel series, level network keeps only network series', async () => {
    const station = parse(await scrapeText(await refreshed({ level: 'station' })));
    const network = parse(await scrapeText(await refreshed({ level: 'network' })));
    const families = (list: Sample[], prefix: string) => new Set(list.filter((s) => s.name.startsWith(prefix)).map((s) => s.name));

    expect(families(samples, 'lacuna_channel_').size).toBe(9);
    expect(families(station, 'lacuna_channel_')).toEqual(new Set());
    expect(families(station, 'lacuna_station_')).toEqual(families(samples, 'lacuna_station_'));
    expect(families(network, 'lacuna_channel_')).toEqual(new Set());
    expect(families(network, 'lacuna_station_')).toEqual(new Set());
    for (const list of [station, network]) {
      // The same network roll-ups and collector health at every level.
      const same = (s: Sample) => /^lacuna_(network|collector)_/.test(s.name);
      expect(list.filter(same)).toEqual(samples.filter(same));
      expect(value(list, 'lacuna_store_up')).toBe(1);
      expect(find(list, 'lacuna_exporter_process_cpu_seconds_total')).toHaveLength(1);
    }
    const dead = idLabels(fixture.manifest.deadChannel.channel);
    expect(value(station, 'lacuna_station_state', { network: dead.network, station: dead.station })).toBe(2);
  });

  it('with --metrics-shard, looks for channels without rollups once, not at every refresh (a query over every stored segment)', async () => {
    const made = await refreshed({ shard: { index: 1, count: 3 } });
    const query = vi.spyOn(fixture.store.client, 'query');
    try {
      expect((await made.refreshNow()).ok).toBe(true);
      const queries = query.mock.calls.map(([params]) => params.query);
      expect(queries.some((sql) => /FROM segments/.test(sql))).toBe(true);
      expect(queries.filter((sql) => /NOT IN \(\s*SELECT network, station, location, channel FROM channel_extents/.test(sql))).toEqual([]);
    } finally {
      query.mockRestore();
    }
  });

  it('splits by station with --metrics-shard: the parts hold every station once, and their network sums give the whole network ratio', async () => {
    const count = 3;
    const parts = await Promise.all(Array.from({ length: count }, async (_, index) => parse(await scrapeText(await refreshed({ shard: { index, count } })))));
    const perStation = (s: Sample) => /^lacuna_(channel|station)_/.test(s.name);
    const key = (s: Sample) => `${s.name}${JSON.stringify(s.labels)}`;
    // Every per-channel and per-station sample of the whole is in exactly one part, with its value.
    const union = parts.flatMap((part) => part.filter(perStation));
    expect(union.map(key).sort()).toEqual(samples.filter(perStation).map(key).sort());
    expect(new Map(union.map((s) => [key(s), s.value]))).toEqual(new Map(samples.filter(perStation).map((s) => [key(s), s.value])));
    expect(parts.every((part) => part.some(perStation))).toBe(true);
    // Stations of a part are that part's (CRC-32 of NET.STA mod N).
    for (const [index, part] of parts.entries()) {
      for (const s of part.filter((one) => one.name === 'lacuna_station_state')) expect(stationShardOf(s.labels.network, s.labels.station, count), key(s)).toBe(index);
    }
    // What is not per station comes from part 0 alone.
    expect(find(parts[0], 'lacuna_collector_scans_total')).toEqual(find(samples, 'lacuna_collector_scans_total'));
    expect(find(parts[1], 'lacuna_collector_scans_total')).toEqual([]);
    expect(find(parts[2], 'lacuna_collector_files_scanned_total')).toEqual([]);
    // The network ratio across parts, as the recording rule computes it.
    for (const whole of find(samples, 'lacuna_network_availability_ratio')) {
      const sum = (name: string) => parts.reduce((total, part) => total + (value(part, name, whole.labels) ?? 0), 0);
      expect(sum('lacuna_network_covered_seconds') / sum('lacuna_network_expected_seconds'), key(whole)).toBeCloseTo(whole.value, 9);
      expect(value(samples, 'lacuna_network_covered_seconds', whole.labels)! / value(samples, 'lacuna_network_expected_seconds', whole.labels)!).toBeCloseTo(whole.value, 9);
    }
    expect(Math.max(...parts.map((part) => value(part, 'lacuna_network_state', { network: 'XA' }) ?? -1))).toBe(value(samples, 'lacuna_network_state', { network: 'XA' }));
  });

  it("reports the collector's scans from the store: outcomes, files, durations and the last success", async () => {
    const sharedFiles = hasSharedData ? readdirSync(SHARED_DATA).filter((name) => name !== 'README.md').length : 0;
    const failedFiles = (await fixture.store.files({ errorsOnly: true })).length;
    expect(value(samples, 'lacuna_collector_scans_total', { status: 'ok' })).toBe(hasSharedData ? 2 : 1);
    expect(value(samples, 'lacuna_collector_scans_total', { status: 'failed' })).toBe(0);
    expect(value(samples, 'lacuna_collector_files_scanned_total')).toBe(fixture.manifest.files + sharedFiles);
    expect(value(samples, 'lacuna_collector_files_failed_total')).toBe(failedFiles);
    expect(value(samples, 'lacuna_collector_scan_duration_seconds_count')).toBe(hasSharedData ? 2 : 1);
    const last = value(samples, 'lacuna_collector_last_successful_scan_timestamp_seconds')!;
    expect(last).toBeGreaterThanOrEqual(startedAt / 1000);
    expect(last).toBeLessThanOrEqual(Date.now() / 1000);

    // Runs written by a collector elsewhere, with known durations: a finished run is counted once
    // (FINAL), one still running is not.
    const before = parse(await scrapeText(refresher));
    const bucket = (list: Sample[], le: string) => value(list, 'lacuna_collector_scan_duration_seconds_bucket', { le })!;
    const t0 = Date.UTC(2024, 0, 1) * 1000;
    const run = (id: number, seconds: number | null, status: string, phase: number) => ({
      run_id: t0 + id,
      started_at: t0 + id,
      finished_at: seconds === null ? null : t0 + id + seconds * 1e6,
      roots: ['/elsewhere'],
      files_seen: 10,
      files_scanned: 4,
      files_failed: status === 'failed' ? 1 : 0,
      files_deleted: 0,
      bytes: 0,
      records: 0,
      status,
      phase,
    });
    await fixture.store.client.insert({
      table: 'collector_runs',
      format: 'JSONEachRow',
      values: [run(1, null, 'running', 0), run(1, 0.05, 'ok', 1), run(2, 3, 'ok', 1), run(3, 4000, 'ok', 1), run(4, 20, 'failed', 1), run(5, null, 'running', 0)],
    });
    const after = parse(await scrapeText(await refreshed()));
    const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels)! - value(before, name, labels)!;
    expect(delta('lacuna_collector_scans_total', { status: 'ok' })).toBe(3);
    expect(delta('lacuna_collector_scans_total', { status: 'failed' })).toBe(1);
    expect(delta('lacuna_collector_files_scanned_total')).toBe(4 * 4 + 4);
    expect(delta('lacuna_collector_files_failed_total')).toBe(1);
    expect(delta('lacuna_collector_scan_duration_seconds_count')).toBe(4);
    expect(delta('lacuna_collector_scan_duration_seconds_sum')).toBeCloseTo(0.05 + 3 + 4000 + 20, 3);
    expect(bucket(after, '0.1') - bucket(before, '0.1')).toBe(1);
    expect(bucket(after, '5') - bucket(before, '5')).toBe(2);
    expect(bucket(after, '30') - bucket(before, '30')).toBe(3);
    expect(bucket(after, '3600') - bucket(before, '3600')).toBe(3);
    expect(bucket(after, '7200') - bucket(before, '7200')).toBe(4);
    expect(bucket(after, '+Inf')).toBe(value(after, 'lacuna_collector_scan_duration_seconds_count'));
    // The newest success is still the fixture's scan: these runs are older.
    expect(value(after, 'lacuna_collector_last_successful_scan_timestamp_seconds')).toBe(last);
  });

  it('serves the last values when the store fails, with lacuna_store_up 0 once a refresh has failed', async () => {
    const switchable = switchableStore(fixture.store);
    const made = await refreshed({}, switchable.store);
    const { url: madeUrl } = await fixture.serve({ metrics: made });
    const first = parse(await (await fetch(`${madeUrl}/metrics`)).text());
    expect(value(first, 'lacuna_store_up')).toBe(1);

    switchable.set('fail');
    const cached = parse(await (await fetch(`${madeUrl}/metrics`)).text());
    expect(storeDerived(cached)).toEqual(storeDerived(first));
    expect(value(cached, 'lacuna_store_up')).toBe(1); // no refresh attempted yet

    const result = await made.refreshNow();
    expect(result.ok).toBe(false);
    const afterFailure = parse(await (await fetch(`${madeUrl}/metrics`)).text());
    expect(value(afterFailure, 'lacuna_store_up')).toBe(0);
    expect(value(afterFailure, 'lacuna_exporter_refresh_failures_total')).toBe(1);
    expect(storeDerived(afterFailure)).toEqual(storeDerived(first));
    expect(value(afterFailure, 'lacuna_channel_state', idLabels(fixture.manifest.deadChannel.channel))).toBe(2);

    switchable.set('ok');
    expect((await made.refreshNow()).ok).toBe(true);
    expect(value(parse(await (await fetch(`${madeUrl}/metrics`)).text()), 'lacuna_store_up')).toBe(1);
  });

  it('answers a scrape while a refresh waits on an unresponsive store', async () => {
    const switchable = switchableStore(fixture.store);
    const made = await refreshed({}, switchable.store);
    const { url: madeUrl } = await fixture.serve({ metrics: made });
    const first = parse(await (await fetch(`${madeUrl}/metrics`)).text());
    switchable.set('hang');
    const refreshing = made.refreshNow();
    try {
      // Were the scrape to wait on the store, this would never complete.
      const during = parse(await (await fetch(`${madeUrl}/metrics`)).text());
      expect(storeDerived(during)).toEqual(storeDerived(first));
    } finally {
      switchable.set('fail'); // releases the hung queries: the refresh fails
    }
    expect((await refreshing).ok).toBe(false);
    switchable.set('ok');
  });

  it('counts a refresh that outlasts its timeout as failed, and refreshes again afterwards', async () => {
    const switchable = switchableStore(fixture.store);
    const made = await refreshed({ refreshTimeoutMs: 60_000 }, switchable.store);
    switchable.set('hang');
    // The timeout's clock is a fake one, moved past it by hand: no refresh races the wall clock.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const hung = made.refreshNow();
      await vi.advanceTimersByTimeAsync(60_000);
      vi.useRealTimers();
      const result = await hung;
      expect(result.ok).toBe(false);
      expect(String(result.error)).toContain('longer than 60000 ms');
      expect(value(parse(await made.text()), 'lacuna_store_up')).toBe(0);
    } finally {
      vi.useRealTimers();
      switchable.set('ok');
    }
    expect((await made.refreshNow()).ok).toBe(true);
    expect(value(parse(await made.text()), 'lacuna_store_up')).toBe(1);
  });

  it('serves lacuna_store_up 0 and the process metrics before the first refresh completes', async () => {
    const switchable = switchableStore(fixture.store);
    switchable.set('hang');
    const made = new MetricsRefresher(switchable.store, { now: () => END, onError: () => undefined });
    refreshers.push(made);
    made.start();
    try {
      const { url: madeUrl } = await fixture.serve({ metrics: made });
      const early = parse(await (await fetch(`${madeUrl}/metrics`)).text());
      expect(value(early, 'lacuna_store_up')).toBe(0);
      expect(find(early, 'lacuna_exporter_process_cpu_seconds_total')).toHaveLength(1);
      expect(find(early, 'lacuna_exporter_last_refresh_timestamp_seconds')).toEqual([]);
      expect(storeDerived(early)).toEqual([]);
    } finally {
      switchable.set('fail');
      await made.stop();
    }
  });

  it('sends the same text gzip-compressed to scrapers that accept it', async () => {
    const plain = await rawGet(`${url}/metrics`);
    const compressed = await rawGet(`${url}/metrics`, { 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(compressed.headers['content-encoding']).toBe('gzip');
    expect(compressed.body.length).toBeLessThan(plain.body.length);
    const decoded = parse(gunzipSync(compressed.body).toString('utf8'));
    expect(storeDerived(decoded)).toEqual(storeDerived(parse(plain.body.toString('utf8'))));
    expect(value(decoded, 'lacuna_store_up')).toBe(1);
    expect(find(decoded, 'lacuna_exporter_process_resident_memory_bytes')).toHaveLength(1);
  });

  it('names every series lacuna_* with a HELP text', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const helps = new Set([...text.matchAll(/^# HELP (\S+) \S/gm)].map((m) => m[1]));
    for (const sample of parse(text)) {
      expect(sample.name).toMatch(/^lacuna_/);
      expect(helps.has(sample.name) || helps.has(sample.name.replace(/_(bucket|sum|count)$/, '')), sample.name).toBe(true);
    }
  });

  it.skipIf(!hasPromtool)('passes `promtool check metrics` without a complaint', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
  });
});
