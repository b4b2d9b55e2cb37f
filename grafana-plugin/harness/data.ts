/**
 * Synthetic /api/v1 answers for the browser harness and the benchmark: realistic shapes (many
 * networks and stations, weeks of spans with gaps from seconds to days, sparse and mixed
 * stretches, channels whose metadata starts late) from a seeded generator, plus a few planted
 * channels whose every span the tests know.
 */
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND } from '../src/shared/time';

/** 2024-03-01T00:00:00Z in µs: the start of every synthetic window. */
export const WINDOW_START_US = Date.UTC(2024, 2, 1) * 1000;

/** mulberry32: small, fast, seeded; the same data on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NETWORK_CODES = ['GE', 'IU', 'II', 'CX', 'AK', 'NZ', 'TW', 'OO', 'RM', 'ST', 'UW', 'YZ'];
const CHANNEL_CODES = ['HHZ', 'HHN', 'HHE', 'BHZ', 'BHN', 'BHE', 'LHZ', 'LHN', 'LHE', 'HNZ'];

export interface SyntheticSpan {
  start: number | string;
  end: number | string;
  state: string;
  percent?: number;
}

export interface SyntheticRow {
  channel: string;
  percent: number | null;
  gaps: number;
  maxGapSeconds: number;
  spans: SyntheticSpan[];
}

export interface SyntheticTimeline {
  from: number;
  to: number;
  rows: SyntheticRow[];
}

export interface TimelineShape {
  channels: number;
  days: number;
  /** About this many spans per row. */
  spansPerRow: number;
  seed?: number;
  /** Add the planted channels (network AA) the tests check pixel by pixel. */
  planted?: boolean;
}

/** Channel ids: networks of stations of channels, in a stable order. */
export function channelIds(count: number): string[] {
  const ids: string[] = [];
  const perStation = 3;
  const stationsPerNetwork = Math.max(1, Math.ceil(count / perStation / NETWORK_CODES.length));
  for (let n = 0; ids.length < count; n++) {
    const network = n < NETWORK_CODES.length ? NETWORK_CODES[n] : `N${n}`;
    for (let s = 0; s < stationsPerNetwork && ids.length < count; s++) {
      const station = `S${String(s).padStart(3, '0')}`;
      for (let c = 0; c < perStation && ids.length < count; c++) {
        ids.push(`${network}.${station}.${c === 2 ? '10' : '00'}.${CHANNEL_CODES[(s + c) % CHANNEL_CODES.length]}`);
      }
    }
  }
  return ids;
}

function figures(spans: SyntheticSpan[]): Pick<SyntheticRow, 'percent' | 'gaps' | 'maxGapSeconds'> {
  let covered = 0;
  let expected = 0;
  let gaps = 0;
  let longest = 0;
  for (const span of spans) {
    const length = Number(span.end) - Number(span.start);
    if (span.state === 'not_expected') continue;
    expected += length;
    if (span.state === 'missing') {
      gaps++;
      longest = Math.max(longest, length);
    } else if (span.state === 'mixed') {
      covered += (length * (span.percent ?? 0)) / 100;
    } else {
      covered += length;
    }
  }
  return { percent: expected > 0 ? (100 * covered) / expected : null, gaps, maxGapSeconds: longest / MICROS_PER_SECOND };
}

function syntheticRow(channel: string, fromUs: number, toUs: number, spansPerRow: number, next: () => number): SyntheticRow {
  const spans: SyntheticSpan[] = [];
  const mean = (toUs - fromUs) / Math.max(1, spansPerRow);
  let at = fromUs;
  if (next() < 0.1) {
    // Metadata that starts late: the first stretch is not expected, never missing.
    const end = fromUs + Math.round(next() * 0.3 * (toUs - fromUs));
    if (end > at) spans.push({ start: at, end, state: 'not_expected' });
    at = end;
  }
  let present = true;
  while (at < toUs) {
    let end: number;
    let state: string;
    let percent: number | undefined;
    if (present) {
      end = at + Math.max(MICROS_PER_SECOND, Math.round(-Math.log(1 - next()) * mean * 1.6));
      state = 'present';
    } else {
      const roll = next();
      // Gaps from a second to two days, log-uniform; some sparse and mixed stretches.
      const length = Math.round(Math.exp(Math.log(MICROS_PER_SECOND) + next() * Math.log((2 * MICROS_PER_DAY) / MICROS_PER_SECOND)));
      end = at + Math.min(length, Math.round(mean));
      state = roll < 0.6 ? 'missing' : roll < 0.7 ? 'sparse1' : roll < 0.8 ? 'sparse2' : roll < 0.9 ? 'sparse3' : 'mixed';
      if (state === 'mixed') percent = Math.round(next() * 1000) / 10;
    }
    end = Math.min(end, toUs);
    spans.push(percent === undefined ? { start: at, end, state } : { start: at, end, state, percent });
    at = end;
    present = !present;
  }
  return { channel, ...figures(spans), spans };
}

/** Planted channels: times the tests check exactly (µs, with a fraction in the gap's start). */
export const PLANTED = {
  channel: 'AA.PLANT.00.HHZ',
  notExpectedUntil: WINDOW_START_US + 2 * MICROS_PER_DAY,
  longGap: { start: WINDOW_START_US + 5 * MICROS_PER_DAY + 3 * MICROS_PER_HOUR + 123_456, end: WINDOW_START_US + 6 * MICROS_PER_DAY + 3 * MICROS_PER_HOUR },
  sparse3: { start: WINDOW_START_US + 10 * MICROS_PER_DAY, end: WINDOW_START_US + 12 * MICROS_PER_DAY },
  shortGap: { start: WINDOW_START_US + 15 * MICROS_PER_DAY, end: WINDOW_START_US + 15 * MICROS_PER_DAY + 30 * MICROS_PER_SECOND },
  mixedChannel: 'AA.PLANT.10.HHZ',
  mixed: { start: WINDOW_START_US + 7 * MICROS_PER_DAY, end: WINDOW_START_US + 8 * MICROS_PER_DAY, percent: 42.5 },
  fullChannel: 'AA.PLANT.00.HHN',
  /** On the full channel: 10 s of data sent twice, and its last day not yet arrived. */
  overlap: { start: WINDOW_START_US + 9 * MICROS_PER_DAY, end: WINDOW_START_US + 9 * MICROS_PER_DAY + 10 * MICROS_PER_SECOND },
  notYetArrivedDays: 1,
};

function isoOf(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(us % MICROS_PER_SECOND).padStart(6, '0')}Z`;
}

function plantedRows(toUs: number): SyntheticRow[] {
  const p = PLANTED;
  const hhz: SyntheticSpan[] = [
    { start: WINDOW_START_US, end: p.notExpectedUntil, state: 'not_expected' },
    { start: p.notExpectedUntil, end: p.longGap.start, state: 'present' },
    { start: p.longGap.start, end: p.longGap.end, state: 'missing' },
    { start: p.longGap.end, end: p.sparse3.start, state: 'present' },
    { start: p.sparse3.start, end: p.sparse3.end, state: 'sparse3' },
    { start: p.sparse3.end, end: p.shortGap.start, state: 'present' },
    { start: p.shortGap.start, end: p.shortGap.end, state: 'missing' },
    { start: p.shortGap.end, end: toUs, state: 'present' },
  ];
  const mixed: SyntheticSpan[] = [
    { start: WINDOW_START_US, end: p.mixed.start, state: 'present' },
    { start: p.mixed.start, end: p.mixed.end, state: 'mixed', percent: p.mixed.percent },
    { start: p.mixed.end, end: toUs, state: 'present' },
  ];
  const arriving = toUs - p.notYetArrivedDays * MICROS_PER_DAY;
  const full: SyntheticSpan[] = [
    { start: WINDOW_START_US, end: p.overlap.start, state: 'present' },
    { start: p.overlap.start, end: p.overlap.end, state: 'overlap' },
    { start: p.overlap.end, end: arriving, state: 'present' },
    { start: arriving, end: toUs, state: 'pending' },
  ];
  // The planted row's times travel as ISO strings, as the API may send them.
  const asIso = hhz.map((s) => ({ ...s, start: isoOf(Number(s.start)), end: isoOf(Number(s.end)) }));
  return [
    { channel: p.channel, ...figures(hhz), spans: asIso },
    { channel: p.fullChannel, ...figures(full), spans: full },
    { channel: p.mixedChannel, ...figures(mixed), spans: mixed },
  ];
}

export function syntheticTimeline(shape: TimelineShape): SyntheticTimeline {
  const next = random(shape.seed ?? 42);
  const to = WINDOW_START_US + shape.days * MICROS_PER_DAY;
  const rows = channelIds(shape.channels).map((id) => syntheticRow(id, WINDOW_START_US, to, shape.spansPerRow, next));
  return { from: WINDOW_START_US, to, rows: shape.planted ? [...plantedRows(to), ...rows] : rows };
}

export interface SyntheticCompletion {
  bucket: 'day' | 'hour';
  buckets: number[];
  rows: Array<{ channel: string; percent: Array<number | null>; completeness: Array<number | null> }>;
}

/** Planted cells of AA.PLANT.00.HHZ by day index: nothing expected on day 0, 87.5% on day 5, 95% on day 6. */
export const PLANTED_DAYS = { channel: 'AA.PLANT.00.HHZ', nothingExpected: 0, low: { day: 5, percent: 87.5 }, middle: { day: 6, percent: 95 } };

export function syntheticCompletion(shape: { channels: number; days: number; seed?: number; planted?: boolean }): SyntheticCompletion {
  const next = random(shape.seed ?? 7);
  const buckets = Array.from({ length: shape.days }, (_, d) => WINDOW_START_US + d * MICROS_PER_DAY);
  const rows = channelIds(shape.channels).map((channel) => {
    const lateStart = next() < 0.1 ? Math.floor(next() * shape.days * 0.3) : 0;
    const percent = buckets.map((_, d) => {
      if (d < lateStart) return null;
      const roll = next();
      return roll < 0.8 ? 100 : roll < 0.9 ? 90 + next() * 10 : Math.round(next() * 900) / 10;
    });
    return { channel, percent, completeness: percent.map((p) => (p === null ? null : Math.min(1, (p / 100) * (0.97 + next() * 0.03)))) };
  });
  if (shape.planted) {
    const percent = buckets.map((_, d) => (d === PLANTED_DAYS.nothingExpected ? null : d === PLANTED_DAYS.low.day ? PLANTED_DAYS.low.percent : d === PLANTED_DAYS.middle.day ? PLANTED_DAYS.middle.percent : 100));
    rows.unshift({ channel: PLANTED_DAYS.channel, percent, completeness: percent.map((p) => (p === null ? null : p / 100)) });
  }
  return { bucket: 'day', buckets, rows };
}
