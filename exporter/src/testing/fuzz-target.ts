import fc from 'fast-check';
import { channelKey, dataProblem, LiveAccumulator, parseTime, streamChannel, timeProblem } from '@lacuna/core';
import type { FuzzTarget } from '@lacuna/collector/testing';
import { readIngestBody } from '../api/ingest.ts';
import { HttpError } from '../http/errors.ts';

/**
 * The push ingest body as a fuzz target (collector fuzz-targets.ts has the others): items with
 * hostile times, counts and rates, as JSON or NDJSON, read by the real body reader, and the
 * accepted ones through the live accumulator that makes the rows to store.
 */
const RECEIVED_AT = parseTime('2024-07-01T12:00:00Z');
const TIMES = ['1700-01-01T00:00:00Z', '1899-12-31T23:59:59.999999Z', '1900-01-01T00:00:00Z', '2024-07-01T00:00:00Z', '2024-07-01T00:00:00.000001Z', '2024-07-01T11:59:59Z', '2024-07-01T12:09:59Z', '2255-06-05T23:47:34Z', '9999-12-31T23:59:59Z', '2024-02-30', 'now', '-7d', '', 'x'];
const NUMBERS = [0, 1, 2, 10, 600, 65_535, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e21, 1e308, -1, 0.5, 1e-30, 1e-9, 3e-8, 1e6, 1e7];

const item = fc.record(
  {
    stream: fc.oneof(fc.constantFrom('X/y', 'CE01ISSM-MFD37-03-CTDBPC000/telemetered', 'IU.ANMO.00.BHZ', 'a b', '', '-/-', 'x'.repeat(200)), fc.string({ maxLength: 8 })),
    start: fc.oneof(fc.constantFrom(...TIMES), fc.string({ maxLength: 8 }), fc.constantFrom(5 as unknown as string)),
    end: fc.oneof(fc.constantFrom(...TIMES), fc.string({ maxLength: 8 })),
    samples: fc.oneof(fc.constantFrom(...NUMBERS), fc.integer()),
    rate: fc.oneof(fc.constantFrom(...NUMBERS), fc.double()),
    quality: fc.constantFrom('D', 'R', 'Q', 'M', 'X', ''),
  },
  { requiredKeys: [] },
);

export const ingestInput = fc.oneof(
  fc.array(item, { maxLength: 6 }).map((items) => ({ body: items as unknown, ndjson: false })),
  item.map((one) => ({ body: one as unknown, ndjson: false })),
  fc.array(item, { maxLength: 6 }).map((items) => ({ body: { items } as unknown, ndjson: false })),
  fc.tuple(fc.array(item, { maxLength: 6 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 })).map(([items, junk]) => ({ body: [...items.map((i) => JSON.stringify(i)), ...junk].join('\n') as unknown, ndjson: true })),
  fc.jsonValue().map((body) => ({ body, ndjson: false })),
);

function readBody(input: { body: unknown }): string[] {
  let accepted;
  try {
    ({ accepted } = readIngestBody(input.body, () => 1, RECEIVED_AT));
  } catch (error) {
    if (error instanceof HttpError) return [];
    throw error;
  }
  const out: string[] = [];
  const live = new LiveAccumulator();
  for (const a of accepted) {
    const id = streamChannel(a.stream);
    if (a.samples === 0) live.addHeartbeat(id, a.end, RECEIVED_AT, channelKey(id), a.stream);
    else live.add(id, a.start, a.samples, a.rate, a.quality, RECEIVED_AT, channelKey(id), a.stream);
  }
  const { pieces, latest } = live.drain();
  for (const piece of pieces) {
    const problem = dataProblem({ start: piece.start, end: piece.end, samples: piece.samples, sampleRate: piece.sampleRate });
    if (problem !== null) out.push(`piece: ${problem}`);
  }
  for (const sample of latest) {
    const problem = timeProblem(sample.lastSample, 'newest sample');
    if (problem !== null) out.push(problem);
  }
  return out;
}

export const ingestTarget: FuzzTarget<{ body: unknown; ndjson: boolean }> = {
  name: 'ingest-body',
  input: ingestInput,
  run: readBody,
  show: (input) => (input.ndjson ? JSON.stringify(input.body) : JSON.stringify(input.body) ?? String(input.body)),
};
