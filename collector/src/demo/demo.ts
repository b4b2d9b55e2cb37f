import { rename, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { channelKey, makeDirectory } from '@lacuna/core';
import {
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_SECOND,
  type ChannelEpoch,
  type ChannelId,
  type Micros,
} from '@lacuna/core';
import { floorToDay } from '@lacuna/core';
import { formatChannelCsv } from '../metadata/csv.ts';
import { encodeMseed2Record, maxSamplesPerRecord, type RecordSpec } from '../mseed/writer.ts';
import { Rng } from './rng.ts';
import { sdsRelativePath } from './sds.ts';

/*
 * A realistic synthetic SDS archive with known faults, for demos and for end-to-end tests: the
 * manifest says exactly what was planted, and a scanner must find exactly that.
 *
 * 3 networks, 10 stations, 32 channels: LH? at 1 Hz, VH? at 0.1 Hz, one BHZ at 20 Hz; miniSEED
 * 2.4 with INT32 samples in 512- and 4096-byte records, big-endian except station ZC.HOTEL
 * (little-endian). One day file per channel per UTC day; a record goes into the file of the day
 * it starts in, so records cross midnight as in real day files. About 6 MB per day of archive
 * (≈ 130 MB for the default 21 days).
 */

export const DEMO_MANIFEST = 'demo-manifest.json';
/** A live record that would take longer than this to fill is written 512 bytes long, as a low-rate digitiser sends short records. */
const LIVE_RECORD_MAX = 120 * MICROS_PER_SECOND;
/** Time from a record's arrival to the next scan that stores it, at most (the demo rescans every minute), and to the next metrics refresh. */
const LIVE_SCAN_ALLOWANCE_S = 60 + 30;

const DAY = MICROS_PER_DAY;
const HOUR = MICROS_PER_HOUR;
const MINUTE = 60 * MICROS_PER_SECOND;
const SECOND = MICROS_PER_SECOND;

export type DemoGapSize = 'samples' | 'minutes' | 'hours' | 'day';

/** A planted gap, as docs/definitions.md defines it: `start` = last sample before, `end` = first sample after. */
export interface DemoGap {
  channel: string;
  start: Micros;
  end: Micros;
  /** round((end − start) / Δ) − 1 */
  missingSamples: number;
  size: DemoGapSize;
}

/**
 * A planted overlap, reported as gaps are (and as core `findGaps` / EarthScope msi do):
 * `start` = last sample of the earlier run (prev.end), `end` = first sample of the later run
 * (next.start), here end < start; `samples` sample times are in both runs, so
 * missingSamples = round((end − start) / Δ) − 1 = −samples.
 */
export interface DemoOverlap {
  channel: string;
  start: Micros;
  end: Micros;
  samples: number;
  missingSamples: number;
}

/** What one channel of the demo holds, exactly. */
export interface DemoChannelInfo {
  channel: string;
  sampleRate: number;
  /** Record lengths used, ascending (two for the mixed channel). */
  recordLengths: number[];
  byteOrder: 'big' | 'little';
  epochStart: Micros;
  epochEnd: Micros | null;
  warnS: number | null;
  failS: number | null;
  /** Time of the first and of the newest sample in the archive. */
  firstSample: Micros;
  lastSample: Micros;
  /** Modification time of the file holding the newest sample (Ta for latency). */
  lastSampleFileMtime: Micros;
  files: number;
  records: number;
  bytes: number;
}

/**
 * A channel that keeps receiving data after the demo was written, as from a digitiser: records of
 * `recordSamples` samples follow its newest sample without a gap, and each is appended to its day
 * file `delay` after its last sample (so `delay` is the channel's data latency, fixed forever).
 */
export interface DemoLiveChannel {
  channel: string;
  sampleRate: number;
  byteOrder: 'big' | 'little';
  /** First sample of the first live record: the sample after the newest one written at `created`. */
  from: Micros;
  recordLength: number;
  recordSamples: number;
  /** From a record's last sample to its arrival in the archive. */
  delay: Micros;
  /** The day file of `from`, and its size when the demo was written (0: it had no history). */
  firstFile: string;
  firstFileBytes: number;
  /** The channel's records, bytes, files and record lengths when the demo was written. */
  atCreation: { records: number; bytes: number; files: number; recordLengths: number[] };
}

/** Names of the alerting rules (provisioning/prometheus/rules) that the demo's faults raise. */
export type DemoAlertName =
  | 'LacunaChannelLatencyFailed'
  | 'LacunaChannelLatencyDegraded'
  | 'LacunaChannelAvailabilityLow'
  | 'LacunaChannelNoData'
  | 'LacunaStationDown'
  | 'LacunaStationDegraded'
  | 'LacunaNetworkDown'
  | 'LacunaNetworkDegraded';

/** One firing alert: its name and the labels that say what it is about (severity aside). */
export interface DemoExpectedAlert {
  alertname: DemoAlertName;
  labels: Record<string, string>;
}

export interface DemoManifest {
  version: 2;
  seed: number;
  days: number;
  /** First midnight of the archive (UTC). */
  start: Micros;
  /** When the demo was written: the faults lie before it. */
  created: Micros;
  /** The demo's "now": the archive holds what had arrived by then; no sample and no mtime is later. */
  end: Micros;
  layout: 'sds';
  /** Channel metadata CSV beside the archive, relative to its root. */
  metadataFile: string;
  /** NET.STA.LOC.CHA of every channel (all have metadata and data), sorted. */
  channels: string[];
  channelInfo: DemoChannelInfo[];
  /** Every gap in the archive (the backfilled one is not: its data is there), by channel and time. */
  gaps: DemoGap[];
  overlaps: DemoOverlap[];
  /** Open metadata epoch (expected), but no data since `lastSample`: none in its last `silentDays` UTC days and today. */
  deadChannel: { channel: string; lastSample: Micros; silentDays: number };
  /** Its data arrives about two hours after it was sampled (latencyS, fixed): high latency. */
  lateChannel: { channel: string; lastSample: Micros; latencyS: number };
  /** A gap whose data arrived later: see `explanation`. */
  backfill: {
    channel: string;
    /** The day file holding the backfilled records, relative to the archive root. */
    file: string;
    /** The gap as it was before the backfill: last sample before, first sample after. */
    start: Micros;
    end: Micros;
    missingSamples: number;
    /** Size and mtime of the file before the backfill: truncate it to `originalBytes` and set that mtime to get the earlier state. */
    originalBytes: number;
    originalMtime: Micros;
    /** The file's mtime now: when the backfill was written. */
    backfilledAt: Micros;
    method: 'day-file-rewritten';
    explanation: string;
  };
  /** Metadata epoch ends mid-archive; no data after it (not expected, not missing). */
  notExpectedAfter: { channel: string; epochEnd: Micros; lastSample: Micros };
  /** Metadata epoch starts mid-archive (an instrument installed a day before `end`); no data before it. */
  notExpectedBefore: { channel: string; epochStart: Micros; firstSample: Micros };
  /** A channel whose records change length (512 ↔ 4096 bytes) every day at 12:00. */
  mixedRecordLengths: { channel: string; recordLengths: number[] };
  /** Channels that keep receiving data (all but the dead one and the one whose epoch ended). */
  live: DemoLiveChannel[];
  /**
   * What a monitor of the demo shows: each channel's state, at any time from `created` on, and the
   * alerts firing at any time from `expected.from` on (a day after `created`, once no planted gap
   * lies in a trailing day; each alert after its rule's `for` duration).
   */
  expected: {
    from: Micros;
    states: Record<string, 'OPERATIONAL' | 'DEGRADED' | 'FAILED' | 'NOT_TRACKED'>;
    alerts: DemoExpectedAlert[];
    explanation: string;
  };
  files: number;
  bytes: number;
  records: number;
}

export interface DemoOptions {
  /** Whole days of data before the day of `end` (≥ 3; default 21). */
  days?: number;
  /** The demo's "now", µs (default: the current time, to the second). */
  end?: Micros;
  /** Seed of the placement of gaps and faults (default 1). */
  seed?: number;
  /** Bytes written so far, of the total. */
  onProgress?: (done: number, total: number) => void;
}

interface ChannelDef {
  location: string;
  channel: string;
  sampleRate: number;
  recordLength: number;
  warnS: number | null;
  failS: number | null;
  /** First sample's offset from the archive's first midnight. */
  offset?: Micros;
}

interface StationDef {
  network: string;
  station: string;
  latitude: number;
  longitude: number;
  byteOrder: 'big' | 'little';
  channels: ChannelDef[];
}

const lh = (location: string, channel: string, recordLength = 4096): ChannelDef => ({
  location,
  channel,
  sampleRate: 1,
  recordLength,
  warnS: 600,
  failS: 3600,
});
const vh = (location: string, channel: string): ChannelDef => ({
  location,
  channel,
  sampleRate: 0.1,
  recordLength: 4096,
  warnS: 1800,
  failS: 7200,
});
const untracked = (c: ChannelDef): ChannelDef => ({ ...c, warnS: null, failS: null });

const STATIONS: StationDef[] = [
  {
    network: 'XA', station: 'ALPHA', latitude: 46.9481, longitude: 7.4474, byteOrder: 'big',
    channels: [
      lh('00', 'LHZ', 512), lh('00', 'LHN'), lh('00', 'LHE'),
      { location: '00', channel: 'BHZ', sampleRate: 20, recordLength: 4096, warnS: 300, failS: 1800 },
    ],
  },
  { network: 'XA', station: 'BRAVO', latitude: 47.3769, longitude: 8.5417, byteOrder: 'big', channels: [lh('00', 'LHZ'), lh('00', 'LHN'), lh('00', 'LHE'), vh('10', 'VHZ')] },
  { network: 'XA', station: 'CHARL', latitude: 46.5197, longitude: 6.6323, byteOrder: 'big', channels: [lh('00', 'LHZ'), vh('00', 'VHN'), vh('00', 'VHE')] },
  { network: 'XA', station: 'DELTA', latitude: 46.0037, longitude: 8.9511, byteOrder: 'big', channels: [lh('00', 'LHZ', 512), vh('00', 'VHN'), vh('00', 'VHE')] },
  { network: 'YB', station: 'ECHO', latitude: 64.1466, longitude: -21.9426, byteOrder: 'big', channels: [lh('', 'LHZ'), vh('', 'VHN'), vh('', 'VHE')] },
  { network: 'YB', station: 'FOXT', latitude: 65.6835, longitude: -18.0878, byteOrder: 'big', channels: [lh('', 'LHZ'), vh('', 'VHN'), vh('', 'VHE')] },
  { network: 'YB', station: 'GOLF', latitude: 63.4186, longitude: -19.0060, byteOrder: 'big', channels: [lh('', 'LHZ'), vh('', 'VHN'), vh('', 'VHE')] },
  { network: 'ZC', station: 'HOTEL', latitude: -41.2866, longitude: 174.7756, byteOrder: 'little', channels: [lh('00', 'LHZ'), vh('00', 'VHN'), vh('00', 'VHE')] },
  { network: 'ZC', station: 'INDIA', latitude: -43.5321, longitude: 172.6362, byteOrder: 'big', channels: [lh('10', 'LHZ'), vh('00', 'VHN'), vh('00', 'VHE')] },
  {
    network: 'ZC', station: 'JULI', latitude: -45.8788, longitude: 170.5028, byteOrder: 'big',
    channels: [untracked(lh('00', 'LHZ')), untracked(vh('00', 'VHN')), untracked({ ...vh('00', 'VHE'), offset: 250_000 })],
  },
];

/** Which channel carries which planted fault. */
const ROLE = {
  fewSamples: 'XA.ALPHA.00.LHZ',
  minutes: 'XA.ALPHA.00.LHN',
  bhz: 'XA.ALPHA.00.BHZ',
  hoursAcrossMidnight: 'XA.BRAVO.00.LHZ',
  overlap: 'XA.BRAVO.00.LHE',
  wholeDay: 'XA.CHARL.00.LHZ',
  mixed: 'XA.DELTA.00.LHZ',
  backfill: 'YB.ECHO..LHZ',
  dead: 'YB.FOXT..LHZ',
  late: 'YB.GOLF..LHZ',
  sixHours: 'YB.GOLF..VHE',
  vhSamples: 'ZC.HOTEL.00.VHN',
  epochEnds: 'ZC.INDIA.10.LHZ',
  halfHour: 'ZC.INDIA.00.VHN',
  several: 'ZC.JULI.00.LHZ',
} as const;

interface Cut {
  /** Last sample before, first sample after. */
  g0: Micros;
  g1: Micros;
  size: DemoGapSize;
  /** The missing samples are written later, appended to their day file. */
  backfill?: boolean;
}

interface ChannelPlan {
  id: ChannelId;
  key: string;
  def: ChannelDef;
  station: StationDef;
  delta: Micros;
  epochStart: Micros;
  epochEnd: Micros | null;
  first: Micros;
  last: Micros;
  cuts: Cut[];
  overlap: { a: Micros; samples: number } | null;
  mixed: boolean;
}

interface Run {
  start: Micros;
  samples: number;
  recordLength: number;
  backfill: boolean;
}

interface RecordPlan {
  start: Micros;
  samples: number;
  recordLength: number;
  sequence: number;
}

/** The demo's plan: channels with their runs of samples. Pure: same inputs, same plan. */
function planDemo(days: number, end: Micros, seed: number) {
  const rng = new Rng(seed);
  const start = floorToDay(end) - days * DAY;
  const dayStart = (d: number) => start + d * DAY;
  const plans = new Map<string, ChannelPlan>();
  for (const station of STATIONS) {
    for (const def of station.channels) {
      const id = { network: station.network, station: station.station, location: def.location, channel: def.channel };
      const delta = MICROS_PER_SECOND / def.sampleRate;
      if (!Number.isInteger(delta)) throw new Error(`demo: sample interval of ${channelKey(id)} is not whole µs`);
      const first = start + (def.offset ?? 0);
      const plan: ChannelPlan = {
        id,
        key: channelKey(id),
        def,
        station,
        delta,
        epochStart: start,
        epochEnd: null,
        first,
        last: 0,
        cuts: [],
        overlap: null,
        mixed: false,
      };
      // Normal latency: the newest sample 6..45 s before `end`.
      plan.last = grid(plan, end - rng.int(6, 45) * SECOND);
      plans.set(plan.key, plan);
    }
  }
  const get = (key: string): ChannelPlan => plans.get(key)!;
  /** A time on the channel's sample grid on day `d`, between the given hours. */
  const at = (p: ChannelPlan, d: number, fromHour: number, toHour: number): Micros =>
    grid(p, dayStart(d) + rng.int(fromHour * 3600, toHour * 3600 - 1) * SECOND);
  const gapOf = (p: ChannelPlan, g0: Micros, missing: number, size: DemoGapSize): Cut => ({
    g0,
    g1: g0 + (missing + 1) * p.delta,
    size,
  });

  // Gaps of many sizes.
  let p = get(ROLE.fewSamples);
  p.cuts.push(gapOf(p, at(p, rng.int(0, days - 1), 1, 22), 3, 'samples'));
  p = get(ROLE.minutes);
  p.cuts.push(gapOf(p, at(p, rng.int(0, days - 1), 1, 22), rng.int(7, 25) * 60, 'minutes'));
  p = get(ROLE.hoursAcrossMidnight);
  {
    const midnight = dayStart(rng.int(1, days - 1));
    p.cuts.push({ g0: grid(p, midnight - rng.int(30 * 60, 150 * 60) * SECOND), g1: grid(p, midnight + rng.int(30 * 60, 150 * 60) * SECOND), size: 'hours' });
  }
  p = get(ROLE.wholeDay);
  {
    const d = rng.int(1, days - 2);
    p.cuts.push({ g0: at(p, d - 1, 20, 24), g1: at(p, d + 1, 1, 5), size: 'day' });
  }
  p = get(ROLE.sixHours);
  p.cuts.push(gapOf(p, at(p, rng.int(0, days - 1), 2, 14), 6 * 360, 'hours'));
  p = get(ROLE.vhSamples);
  p.cuts.push(gapOf(p, at(p, rng.int(0, days - 1), 1, 22), 2, 'samples'));
  p = get(ROLE.halfHour);
  p.cuts.push(gapOf(p, at(p, rng.int(0, days - 1), 1, 22), 180, 'minutes'));
  p = get(ROLE.several);
  p.cuts.push(gapOf(p, at(p, rng.int(0, days - 1), 1, 7), 60, 'minutes'));
  p.cuts.push(gapOf(p, at(p, rng.int(0, days - 1), 9, 14), 240, 'minutes'));
  p.cuts.push(gapOf(p, at(p, rng.int(0, days - 1), 16, 22), 90 * 60, 'hours'));

  // A BHZ installed a day before `end`: its epoch (and data) start then; one short gap.
  p = get(ROLE.bhz);
  p.epochStart = p.first = end - DAY - ((end - DAY - start) % MINUTE);
  p.cuts.push(gapOf(p, grid(p, p.first + rng.int(2 * 3600, 6 * 3600) * SECOND), 5, 'samples'));

  // An overlap: the later run repeats 30 samples of the earlier one.
  // Its earlier run's last record holds at least those 30 samples, so the later run's first
  // record overlaps one record only, and the overlap is one overlap (not two) in the union.
  p = get(ROLE.overlap);
  {
    const samples = 30;
    let a = at(p, rng.int(0, days - 1), 2, 22);
    const capacity = maxSamplesPerRecord(p.def.recordLength, 2);
    const inLast = ((a - p.first) / p.delta + 1) % capacity;
    if (inLast !== 0 && inLast < samples) a += (samples - inLast) * p.delta;
    p.overlap = { a, samples };
  }

  // A gap of 1..3 h, filled later.
  p = get(ROLE.backfill);
  const backfillDay = rng.int(1, days - 2);
  const backfillCut = gapOf(p, at(p, backfillDay, 8, 14), rng.int(60, 180) * 60 - 1, 'hours');
  backfillCut.backfill = true;
  p.cuts.push(backfillCut);
  const backfilledAt = Math.min(dayStart(backfillDay + 1) + rng.int(20 * 3600, 40 * 3600) * SECOND, floorSecond(end) - HOUR);

  // Dead: no data in the last `silentDays` days and today, though expected.
  const silentDays = Math.min(4, Math.max(1, Math.floor(days / 5)));
  p = get(ROLE.dead);
  p.last = grid(p, dayStart(days - silentDays) - rng.int(3600, 18 * 3600) * SECOND);

  // Late: the newest sample about two hours old.
  p = get(ROLE.late);
  p.last = grid(p, end - 2 * HOUR - rng.int(0, 300) * SECOND);

  // Metadata epoch ends mid-archive, data with it.
  p = get(ROLE.epochEnds);
  p.epochEnd = dayStart(Math.floor(days / 2)) + rng.int(6, 18) * HOUR;
  p.last = p.epochEnd - p.delta;

  get(ROLE.mixed).mixed = true;

  return { plans: [...plans.values()], start, silentDays, backfilledAt, rng };
}

function grid(p: ChannelPlan, t: Micros): Micros {
  return p.first + Math.floor((t - p.first) / p.delta) * p.delta;
}

function floorSecond(t: Micros): Micros {
  return Math.floor(t / SECOND) * SECOND;
}

function ceilSecond(t: Micros): Micros {
  return Math.ceil(t / SECOND) * SECOND;
}

/** The channel's continuous runs of samples (time order; a backfill run among them). */
function runsOf(p: ChannelPlan, archiveStart: Micros): Run[] {
  const fail = (what: string) => {
    throw new Error(`demo plan: ${what} of ${p.key} falls outside its data (try more days)`);
  };
  const spans: { s: Micros; e: Micros; backfill: boolean }[] = [{ s: p.first, e: p.last, backfill: false }];
  for (const c of p.cuts) {
    const i = spans.findIndex((x) => !x.backfill && x.s < c.g0 && c.g1 < x.e);
    if (i < 0) fail('a gap');
    const { s, e } = spans[i];
    const parts = [{ s, e: c.g0, backfill: false }];
    if (c.backfill) parts.push({ s: c.g0 + p.delta, e: c.g1 - p.delta, backfill: true });
    parts.push({ s: c.g1, e, backfill: false });
    spans.splice(i, 1, ...parts);
  }
  if (p.overlap) {
    const { a, samples } = p.overlap;
    const b = a - (samples - 1) * p.delta;
    const i = spans.findIndex((x) => !x.backfill && x.s < b && a < x.e);
    if (i < 0) fail('the overlap');
    const { s, e } = spans[i];
    spans.splice(i, 1, { s, e: a, backfill: false }, { s: b, e, backfill: false });
  }
  const runs: Run[] = [];
  const push = (s: Micros, e: Micros, recordLength: number, backfill: boolean) =>
    runs.push({ start: s, samples: (e - s) / p.delta + 1, recordLength, backfill });
  for (const x of spans) {
    if (!p.mixed) {
      push(x.s, x.e, p.def.recordLength, x.backfill);
      continue;
    }
    // Record length switches every day at 12:00: 4096 from noon on even-numbered days, else 512.
    const noon0 = archiveStart + 12 * HOUR;
    let s = x.s;
    while (s <= x.e) {
      const k = Math.floor((s - noon0) / DAY);
      const nextSwitch = noon0 + (k + 1) * DAY;
      const e = Math.min(x.e, grid(p, nextSwitch - 1));
      push(s, e, ((k % 2) + 2) % 2 === 0 ? 4096 : 512, x.backfill);
      s = e + p.delta;
    }
  }
  return runs;
}

/** The longest demo archive, in days (ten years). */
export const MAX_DEMO_DAYS = 3660;

/**
 * Writes the demo archive into `dir` (created if needed): SDS day files, `metadata.csv` and
 * `demo-manifest.json`. Deterministic for a given `days`, `end` and `seed` (file contents,
 * names and mtimes). Returns the manifest.
 */
export async function writeDemoArchive(dir: string, options: DemoOptions = {}): Promise<DemoManifest> {
  const days = options.days ?? 21;
  if (!Number.isInteger(days) || days < 3 || days > MAX_DEMO_DAYS) {
    throw new RangeError(`demo days must be an integer from 3 to ${MAX_DEMO_DAYS}, not ${days}`);
  }
  const end = options.end ?? floorSecond(Date.now() * 1000);
  if (!Number.isSafeInteger(end)) throw new RangeError(`demo end must be integer microseconds, not ${end}`);
  const seed = options.seed ?? 1;
  const { plans, start, silentDays, backfilledAt, rng } = planDemo(days, end, seed);

  // Records of each channel, grouped into day files.
  interface DayFile {
    path: string;
    plan: ChannelPlan;
    records: RecordPlan[];
    backfill: RecordPlan[];
    bytes: number;
    lastSample: Micros;
    mtime: Micros;
    originalBytes: number;
    originalMtime: Micros;
  }
  const files: DayFile[] = [];
  const info = new Map<string, DemoChannelInfo>();
  let totalBytes = 0;
  let totalRecords = 0;
  for (const p of plans) {
    const byDay = new Map<number, DayFile>();
    let sequence = 1;
    const lengths = new Set<number>();
    for (const run of runsOf(p, start)) {
      const capacity = maxSamplesPerRecord(run.recordLength, 2);
      lengths.add(run.recordLength);
      for (let done = 0; done < run.samples; done += capacity) {
        const rec: RecordPlan = {
          start: run.start + done * p.delta,
          samples: Math.min(capacity, run.samples - done),
          recordLength: run.recordLength,
          sequence,
        };
        sequence = (sequence % 999999) + 1;
        const day = Math.floor((rec.start - start) / DAY);
        let file = byDay.get(day);
        if (!file) {
          file = {
            path: sdsRelativePath(p.id, start + day * DAY),
            plan: p,
            records: [],
            backfill: [],
            bytes: 0,
            lastSample: -Infinity,
            mtime: 0,
            originalBytes: 0,
            originalMtime: 0,
          };
          byDay.set(day, file);
        }
        (run.backfill ? file.backfill : file.records).push(rec);
        file.bytes += rec.recordLength;
        if (!run.backfill) file.lastSample = Math.max(file.lastSample, rec.start + (rec.samples - 1) * p.delta);
      }
    }
    const channelFiles = [...byDay.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
    let lastSampleFileMtime = 0;
    let channelBytes = 0;
    let channelRecords = 0;
    for (const f of channelFiles) {
      // Written just after its newest sample (whole seconds, so every file system keeps it exactly).
      f.mtime = ceilSecond(f.lastSample + rng.int(1, 5) * SECOND);
      f.originalBytes = f.bytes - f.backfill.reduce((n, r) => n + r.recordLength, 0);
      f.originalMtime = f.mtime;
      if (f.backfill.length > 0) f.mtime = backfilledAt;
      if (f.lastSample === p.last) lastSampleFileMtime = f.mtime;
      channelBytes += f.bytes;
      channelRecords += f.records.length + f.backfill.length;
      files.push(f);
    }
    totalBytes += channelBytes;
    totalRecords += channelRecords;
    info.set(p.key, {
      channel: p.key,
      sampleRate: p.def.sampleRate,
      recordLengths: [...lengths].sort((a, b) => a - b),
      byteOrder: p.station.byteOrder,
      epochStart: p.epochStart,
      epochEnd: p.epochEnd,
      warnS: p.def.warnS,
      failS: p.def.failS,
      firstSample: p.first,
      lastSample: p.last,
      lastSampleFileMtime,
      files: channelFiles.length,
      records: channelRecords,
      bytes: channelBytes,
    });
  }

  // Write the files.
  const onProgress = options.onProgress;
  onProgress?.(0, totalBytes);
  const made = new Set<string>();
  let written = 0;
  for (const f of files) {
    const p = f.plan;
    const buf = Buffer.allocUnsafe(f.bytes);
    let offset = 0;
    const spec: RecordSpec = {
      network: p.id.network,
      station: p.id.station,
      location: p.id.location,
      channel: p.id.channel,
      quality: 'D',
      start: 0,
      sampleRate: p.def.sampleRate,
      samples: 0,
      byteOrder: p.station.byteOrder,
    };
    for (const r of [...f.records, ...f.backfill]) {
      spec.start = r.start;
      spec.samples = r.samples;
      spec.sequence = r.sequence;
      spec.recordLength = r.recordLength;
      encodeMseed2Record(spec, buf, offset);
      offset += r.recordLength;
    }
    const path = join(dir, f.path);
    const folder = dirname(path);
    if (!made.has(folder)) {
      await makeDirectory(folder);
      made.add(folder);
    }
    await writeFile(path, buf);
    const seconds = f.mtime / SECOND;
    await utimes(path, seconds, seconds);
    written += f.bytes;
    onProgress?.(written, totalBytes);
  }

  // Metadata: one epoch per channel.
  const epochs: ChannelEpoch[] = plans
    .map((p) => ({
      ...p.id,
      start: p.epochStart,
      end: p.epochEnd,
      sampleRate: p.def.sampleRate,
      latitude: p.station.latitude,
      longitude: p.station.longitude,
      elevation: null,
      warnS: p.def.warnS,
      failS: p.def.failS,
    }))
    .sort((a, b) => compareKeys(channelKey(a), channelKey(b)));
  await makeDirectory(dir);
  await writeFile(join(dir, 'metadata.csv'), formatChannelCsv(epochs));

  const plan = (key: string) => plans.find((x) => x.key === key)!;
  const gaps: DemoGap[] = plans
    .flatMap((p) =>
      p.cuts
        .filter((c) => !c.backfill)
        .map((c) => ({ channel: p.key, start: c.g0, end: c.g1, missingSamples: Math.round((c.g1 - c.g0) / p.delta) - 1, size: c.size })),
    )
    .sort((a, b) => compareKeys(a.channel, b.channel) || a.start - b.start);
  const overlapPlan = plan(ROLE.overlap);
  const bf = plan(ROLE.backfill);
  const bfCut = bf.cuts.find((c) => c.backfill)!;
  const bfFile = files.find((f) => f.backfill.length > 0)!;
  const bhz = plan(ROLE.bhz);
  const live = plans
    .filter((p) => p.key !== ROLE.dead && p.key !== ROLE.epochEnds)
    .map((p): DemoLiveChannel => {
      const from = p.last + p.delta;
      const recordLength = maxSamplesPerRecord(p.def.recordLength, 2) * p.delta <= LIVE_RECORD_MAX ? p.def.recordLength : 512;
      const firstFile = sdsRelativePath(p.id, floorToDay(from));
      const channel = info.get(p.key)!;
      return {
        channel: p.key,
        sampleRate: p.def.sampleRate,
        byteOrder: p.station.byteOrder,
        from,
        recordLength,
        recordSamples: maxSamplesPerRecord(recordLength, 2),
        delay: end - p.last,
        firstFile,
        firstFileBytes: files.find((f) => f.path === firstFile)?.bytes ?? 0,
        atCreation: { records: channel.records, bytes: channel.bytes, files: channel.files, recordLengths: channel.recordLengths },
      };
    });
  const manifest: DemoManifest = {
    version: 2,
    seed,
    days,
    start,
    created: end,
    end,
    layout: 'sds',
    metadataFile: 'metadata.csv',
    channels: plans.map((p) => p.key).sort(compareKeys),
    channelInfo: [...info.values()].sort((a, b) => compareKeys(a.channel, b.channel)),
    gaps,
    overlaps: [
      {
        channel: overlapPlan.key,
        start: overlapPlan.overlap!.a,
        end: overlapPlan.overlap!.a - (overlapPlan.overlap!.samples - 1) * overlapPlan.delta,
        samples: overlapPlan.overlap!.samples,
        missingSamples: -overlapPlan.overlap!.samples,
      },
    ],
    deadChannel: { channel: ROLE.dead, lastSample: plan(ROLE.dead).last, silentDays },
    lateChannel: { channel: ROLE.late, lastSample: plan(ROLE.late).last, latencyS: (end - plan(ROLE.late).last) / SECOND },
    backfill: {
      channel: bf.key,
      file: bfFile.path,
      start: bfCut.g0,
      end: bfCut.g1,
      missingSamples: Math.round((bfCut.g1 - bfCut.g0) / bf.delta) - 1,
      originalBytes: bfFile.originalBytes,
      originalMtime: bfFile.originalMtime,
      backfilledAt: bfFile.mtime,
      method: 'day-file-rewritten',
      explanation:
        'SDS has exactly one file per channel and day, and a file with any other name is not part of the ' +
        'layout, so a backfill rewrites the day file: the missing records are appended after the ' +
        'original ones (out of time order, as archivers that append do) and the file gets a later ' +
        'mtime (backfilledAt). Before the backfill the file was the first originalBytes bytes with ' +
        'mtime originalMtime, and had the gap start..end; a rescan after the mtime change finds it filled.',
    },
    notExpectedAfter: { channel: ROLE.epochEnds, epochEnd: plan(ROLE.epochEnds).epochEnd!, lastSample: plan(ROLE.epochEnds).last },
    notExpectedBefore: { channel: bhz.key, epochStart: bhz.epochStart, firstSample: bhz.first },
    mixedRecordLengths: { channel: ROLE.mixed, recordLengths: info.get(ROLE.mixed)!.recordLengths },
    live,
    expected: expectedAtSteadyState(end, [...info.values()], live, ROLE.dead, ROLE.epochEnds),
    files: files.length,
    bytes: totalBytes,
    records: totalRecords,
  };
  await writeDemoManifest(dir, manifest);
  return manifest;
}

/** The manifest's file, replaced whole (a reader never sees half of it). */
export async function writeDemoManifest(dir: string, manifest: DemoManifest): Promise<void> {
  const path = join(dir, DEMO_MANIFEST);
  await writeFile(`${path}.part`, JSON.stringify(manifest, null, 2) + '\n');
  await rename(`${path}.part`, path);
}

/**
 * What the demo's monitor shows from a day after its creation on, by the definitions (channel
 * state from total latency against warn/fail; availability of the trailing hour and day) and the
 * alerting rules (provisioning/prometheus/rules): the dead channel is FAILED with too little data
 * in the last day; a channel whose data arrives later than its fail (warn) interval is FAILED
 * (DEGRADED); the latency alerts fire for them (Degraded for FAILED too: "degraded or worse");
 * NoData is for channels without thresholds, a station or network alert for one whose every
 * tracked channel is late. Every other channel stays OPERATIONAL: its records arrive within its
 * warn interval, and no planted gap lies in its trailing day.
 */
function expectedAtSteadyState(created: Micros, channels: DemoChannelInfo[], live: DemoLiveChannel[], dead: string, retired: string): DemoManifest['expected'] {
  const states: DemoManifest['expected']['states'] = {};
  const alerts: DemoExpectedAlert[] = [];
  const labelsOf = (key: string) => {
    const [network, station, location, channel] = key.split('.');
    return { network, station, location, channel };
  };
  const SEVERITY = { OPERATIONAL: 0, DEGRADED: 1, FAILED: 2 } as const;
  const tracked = new Map<string, 0 | 1 | 2>();
  for (const info of channels) {
    const key = info.channel;
    const feed = live.find((l) => l.channel === key);
    // The newest sample is at least `delay` old, and at most a record more, plus the time until the next scan.
    const bestLatencyS = feed ? feed.delay / SECOND : Infinity;
    const worstLatencyS = feed ? (feed.delay + (feed.recordSamples * SECOND) / feed.sampleRate) / SECOND + LIVE_SCAN_ALLOWANCE_S : Infinity;
    const untracked = info.warnS === null && info.failS === null;
    if (key === retired || untracked) {
      states[key] = 'NOT_TRACKED';
    } else if (info.failS !== null && bestLatencyS > info.failS) {
      states[key] = 'FAILED';
    } else if (info.warnS !== null && bestLatencyS > info.warnS) {
      states[key] = 'DEGRADED';
    } else {
      if ((info.failS !== null && worstLatencyS > info.failS) || (info.warnS !== null && worstLatencyS > info.warnS)) {
        throw new Error(`demo plan: ${key} would flicker between states (latency up to ${worstLatencyS} s)`);
      }
      states[key] = 'OPERATIONAL';
    }
    const state = states[key];
    if (state !== 'NOT_TRACKED') tracked.set(key, SEVERITY[state]);
    if (state === 'FAILED') alerts.push({ alertname: 'LacunaChannelLatencyFailed', labels: labelsOf(key) });
    if (state === 'FAILED' || state === 'DEGRADED') alerts.push({ alertname: 'LacunaChannelLatencyDegraded', labels: labelsOf(key) });
    if (key === retired) continue;
    if (untracked && bestLatencyS >= 3600) alerts.push({ alertname: 'LacunaChannelNoData', labels: { ...labelsOf(key), window: '1h' } });
    if (key === dead || worstLatencyS > 0.1 * 86_400) alerts.push({ alertname: 'LacunaChannelAvailabilityLow', labels: { ...labelsOf(key), window: '1d' } });
  }
  // Station and network alerts read the best tracked channel of each.
  const best = (level: (key: string) => string) => {
    const byGroup = new Map<string, number>();
    for (const [key, severity] of tracked) byGroup.set(level(key), Math.min(byGroup.get(level(key)) ?? 2, severity));
    return [...byGroup].sort(([a], [b]) => compareKeys(a, b));
  };
  for (const [station, severity] of best((key) => key.split('.').slice(0, 2).join('.'))) {
    const [network, name] = station.split('.');
    if (severity === 2) alerts.push({ alertname: 'LacunaStationDown', labels: { network, station: name } });
    if (severity >= 1) alerts.push({ alertname: 'LacunaStationDegraded', labels: { network, station: name } });
  }
  for (const [network, severity] of best((key) => key.split('.')[0])) {
    if (severity === 2) alerts.push({ alertname: 'LacunaNetworkDown', labels: { network } });
    if (severity >= 1) alerts.push({ alertname: 'LacunaNetworkDegraded', labels: { network } });
  }
  return {
    from: created + DAY,
    states,
    alerts,
    explanation:
      'The dead channel has had no data since deadChannel.lastSample; the late channel\'s data arrives lateChannel.latencyS after it was sampled; ' +
      'every other channel keeps receiving records within its warn interval. The planted gaps lie before `created`, so from a day later no ' +
      'trailing day holds one: the states hold at any time from `created` on, the alerts at any time from `from` on (each after its rule\'s `for` duration).',
  };
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
