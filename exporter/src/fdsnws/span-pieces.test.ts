/**
 * The spans and extents built from the store's span pieces (core span-pieces.ts: surely joined runs
 * put together by the engine) are exactly those built from the stored segments themselves, as the
 * service built them before, on varied data: clean runs, joins and gaps at the tolerance and a few
 * µs either side of it, overlaps and duplicates, single samples, qualities and rates changing
 * (also by less than the 1e-4 the join rule ignores), unusable pieces, windows that cut pieces or
 * fall between two samples, several selections at once, and every merge option with mergegaps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coveredEnd, parseChannelPatterns, type ChannelPattern, type Micros, type Store, type StoredSegment } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { buildExtents, buildSpans, distinctSpans, spanTolerance, type AvailabilitySpan, type SpanOptions } from './spans.ts';

const SECOND = 1_000_000;
const DAY = 86_400 * SECOND;
const T0 = Date.UTC(2021, 5, 1) * 1000;

/** A fixed pseudo-random sequence (mulberry32): the same data on every run. */
function randomness(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  station: string;
  rates: number[];
  qualities: string[];
  /** Share of pieces that follow the one before exactly (else at a borderline distance, or overlapping). */
  clean: number;
  overlaps: number;
  maxSamples: number;
  unusable?: boolean;
}

const SCENARIOS: Scenario[] = [
  { station: 'CLEAN', rates: [100], qualities: ['D'], clean: 0.8, overlaps: 0, maxSamples: 90_000 },
  { station: 'EDGE', rates: [100], qualities: ['D'], clean: 0.3, overlaps: 0, maxSamples: 5_000 },
  { station: 'NEAR', rates: [40, 40.002], qualities: ['D'], clean: 0.6, overlaps: 0.05, maxSamples: 4_000 },
  { station: 'QUAL', rates: [1], qualities: ['D', 'R', 'Q', 'M'], clean: 0.6, overlaps: 0.05, maxSamples: 600 },
  { station: 'RATE', rates: [100, 40, 1], qualities: ['D', 'Q'], clean: 0.6, overlaps: 0.1, maxSamples: 3_000 },
  { station: 'OVER', rates: [20], qualities: ['D'], clean: 0.5, overlaps: 0.3, maxSamples: 2_000 },
  { station: 'ONE', rates: [1, 0.5], qualities: ['D'], clean: 0.5, overlaps: 0.1, maxSamples: 1 },
  { station: 'JUNK', rates: [10], qualities: ['D', 'M'], clean: 0.6, overlaps: 0.1, maxSamples: 1_000, unusable: true },
];

/** Distances (µs) from a piece's last sample + Δ to the next piece's start: at and around every tolerance asked below. */
function borderline(rate: number, random: () => number): number {
  const half = 0.5e6 / rate;
  const around = (at: number) => at + Math.floor(random() * 9) - 4;
  const choices = [around(0), around(half), around(-half), around(SECOND), around(-SECOND), around(0.01 * SECOND), around(3_600 * SECOND), Math.floor(random() * 7_200 * SECOND)];
  return choices[Math.floor(random() * choices.length)]!;
}

function channelSegments(scenario: Scenario, channel: string, seed: number): (StoredSegment & { source: string })[] {
  const random = randomness(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const segments: (StoredSegment & { source: string })[] = [];
  let rate = scenario.rates[0]!;
  let quality = scenario.qualities[0]!;
  let start = T0 + Math.floor(random() * SECOND);
  for (let k = 0; k < 160; k++) {
    if (random() < 0.15) rate = pick(scenario.rates);
    if (random() < 0.2) quality = pick(scenario.qualities);
    const samples = 1 + Math.floor(random() * scenario.maxSamples);
    const end = start + Math.round(((samples - 1) * SECOND) / rate);
    const firstSeen = T0 + DAY * (1 + Math.floor(random() * 5));
    const piece = { network: 'XX', station: scenario.station, location: '00', channel, quality, sampleRate: rate, start, end, samples, toleranceUs: 0, source: `f${k}`, firstSeen };
    segments.push(piece);
    if (scenario.unusable && random() < 0.1) segments.push({ ...piece, samples: random() < 0.5 ? 0 : samples, sampleRate: random() < 0.5 ? 0 : rate, source: `u${k}` });
    const roll = random();
    if (roll < scenario.overlaps / 2) segments.push({ ...piece, firstSeen: firstSeen + SECOND, source: `d${k}` }); // the same data again
    const next = end + SECOND / rate;
    if (roll < scenario.overlaps) start = Math.max(piece.start, Math.round(next - random() * (end - piece.start + 3 * SECOND / rate)));
    else if (roll < scenario.overlaps + scenario.clean) start = Math.round(next);
    else start = Math.max(piece.start + 1, Math.round(next + borderline(rate, random)));
  }
  return segments;
}

const SEGMENTS = SCENARIOS.flatMap((scenario, s) => ['HHZ', 'HHN'].flatMap((channel, c) => channelSegments(scenario, channel, 1 + 10 * s + c)));

/** Windows: unbounded, cutting pieces, at a piece's first and last sample, between two samples of a run. */
function windows(): { start: Micros | null; end: Micros | null }[] {
  const random = randomness(99);
  const clean = SEGMENTS.filter((segment) => segment.station === 'CLEAN');
  const first = Math.min(...SEGMENTS.map((segment) => segment.start));
  const last = Math.max(...SEGMENTS.map((segment) => segment.end));
  const at = () => first + Math.floor(random() * (last - first));
  const piece = clean[40]!;
  return [
    { start: null, end: null },
    { start: at(), end: null },
    { start: null, end: at() },
    { start: piece.start, end: piece.end },
    { start: piece.end + 1, end: piece.end + 2 },
    ...Array.from({ length: 3 }, () => {
      const [a, b] = [at(), at()].sort((x, y) => x - y);
      return { start: a!, end: b! + 1 };
    }),
  ];
}

const SELECTIONS: { patterns: ChannelPattern[]; window: { start: Micros | null; end: Micros | null } }[] = windows().flatMap((window) => [
  { patterns: parseChannelPatterns('XX.*.*.*'), window },
  { patterns: parseChannelPatterns('XX.*.00.HHZ,XX.QUAL'), window },
]);

const key = (span: AvailabilitySpan) => JSON.stringify(span);

describe('span pieces', () => {
  const backend = testBackends()[0]!;
  let store: Store;
  const first = Math.min(...SEGMENTS.map((segment) => segment.start));
  const last = Math.max(...SEGMENTS.map((segment) => segment.end));

  beforeAll(async () => {
    store = await backend.open();
    await store.client.insert({
      table: 'segments',
      values: SEGMENTS.map((segment) => ({
        network: segment.network,
        station: segment.station,
        location: segment.location,
        channel: segment.channel,
        quality: segment.quality,
        sample_rate: segment.sampleRate,
        start_time: segment.start,
        end_time: segment.end,
        samples: segment.samples,
        tolerance_us: 0,
        source: segment.source,
        scan_id: 1,
        first_seen: segment.firstSeen,
      })),
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await backend.dispose(store);
  });

  const storedSegments = new Map<string, StoredSegment[]>();
  const mergings = [
    { mergeQuality: false, mergeSampleRate: false, mergeOverlap: false },
    { mergeQuality: true, mergeSampleRate: false, mergeOverlap: false },
    { mergeQuality: false, mergeSampleRate: true, mergeOverlap: false },
    { mergeQuality: true, mergeSampleRate: true, mergeOverlap: false },
    { mergeQuality: false, mergeSampleRate: false, mergeOverlap: true },
    { mergeQuality: true, mergeSampleRate: true, mergeOverlap: true },
  ];
  const qualityLists = [null, ['D'], ['D', 'Q']];
  const cases = mergings.flatMap((merging, m) =>
    [null, 0, 0.01, 1, 3_600].map((mergeGaps, g) => ({ ...merging, mergeGaps, qualities: qualityLists[(m + g) % qualityLists.length]! })),
  );

  it.each(cases)('spans and extents are those of the stored segments: %o', async (options) => {
    const lookaround = Math.max(DAY, (options.mergeGaps ?? 0) * SECOND);
    const selections = SELECTIONS.map(({ patterns, window }) => ({
      patterns,
      window,
      around: { start: (window.start ?? first) - lookaround, end: (window.end ?? last + 1) + lookaround },
    }));
    const pieces = await store.spanPieces(selections, { tolerance: spanTolerance(options.mergeGaps), ...options });
    let segmentsRead = 0;
    let piecesRead = 0;
    for (const [index, { patterns, window, around }] of selections.entries()) {
      // What the service read before: every stored segment of the channels covering part of the window around.
      const read = `${index}/${lookaround}`;
      if (!storedSegments.has(read)) storedSegments.set(read, (await store.segments({ patterns, window: around })).filter((segment) => segment.start < around.end && coveredEnd(segment) > around.start));
      const stored = storedSegments.get(read)!;
      const spanOptions: SpanOptions = { ...options, window };
      const expected = buildSpans(stored, spanOptions);
      const actual = buildSpans(pieces[index]!, spanOptions);
      expect(actual.map(key).sort()).toEqual(expected.map(key).sort());
      expect(buildExtents(distinctSpans(actual)).map((extent) => JSON.stringify(extent)).sort()).toEqual(buildExtents(distinctSpans(expected)).map((extent) => JSON.stringify(extent)).sort());
      segmentsRead += stored.length;
      piecesRead += pieces[index]!.length;
    }
    // The engine did put runs together (else this compares the segments with themselves); with no tolerance, nothing surely joins.
    if (options.mergeGaps === 0) expect(piecesRead).toBeLessThanOrEqual(segmentsRead);
    else expect(piecesRead).toBeLessThan(segmentsRead * 0.9);
  });
});
