/**
 * Fuzz targets of the collector's parsers, shared by the bounded property tests (`npm test`) and
 * the long runs of `npm run fuzz` (bench/fuzz.ts). Each target makes hostile inputs (mutations of
 * valid ones aimed at the fields that carry times and rates, cuts, random bytes), runs the real
 * parser on one, and returns the values it would store outside the store's range (core's storable
 * rule). A parser that throws anything but its own documented error has crashed.
 */
import fc from 'fast-check';
import { coveredEnd, dataProblem, sampleRateProblem, SegmentAccumulator, timeProblem } from '@lacuna/core';
import { MseedFormatError, parseRecordHeader } from './mseed/reader.ts';
import { encodeMseed2Record, encodeMseed3Record, type RecordSpec } from './mseed/writer.ts';
import { MetadataError } from './metadata/errors.ts';
import { parseStationXml } from './metadata/stationxml.ts';
import { parseChannelCsv } from './metadata/csv.ts';
import { FrameReader, nextPacket } from './seedlink/protocol.ts';
import { seedlinkV3Packet, seedlinkV4Packet } from './seedlink/testing/packets.ts';
import type { ChannelEpoch } from '@lacuna/core';

export interface FuzzTarget<Input> {
  name: string;
  input: fc.Arbitrary<Input>;
  /** Runs one input; throws when the code under test crashed; returns what would be stored outside the store's range. */
  run(input: Input): string[];
  /** The input, printable, for a report. */
  show(input: Input): string;
}

// ---------------------------------------------------------------------------------------------
// miniSEED records

const SPEC: Omit<RecordSpec, 'samples'> = { network: 'XX', station: 'FUZZ', location: '00', channel: 'HHZ', start: Date.UTC(2022, 5, 1) * 1000, sampleRate: 100 };

/** Valid records to start from: v2 in both byte orders, with and without blockettes 1000 and 100, v3. */
export const SEED_RECORDS: readonly Uint8Array[] = [
  encodeMseed2Record({ ...SPEC, samples: 50 }),
  encodeMseed2Record({ ...SPEC, samples: 50, byteOrder: 'little', start: SPEC.start + 7 }),
  encodeMseed2Record({ ...SPEC, samples: 50, blockette1000: false }),
  encodeMseed2Record({ ...SPEC, samples: 50, blockette100: true, sampleRate: 0.1 }),
  encodeMseed2Record({ ...SPEC, samples: 10, start: Date.UTC(1900, 0, 1) * 1000, timeCorrection: -10_000 }),
  encodeMseed3Record({ ...SPEC, samples: 50 }),
  encodeMseed3Record({ ...SPEC, samples: 100, sampleRate: 1 / 86_400, start: Date.UTC(2100, 11, 31) * 1000 }),
];

/** Field offsets worth hitting: v2 year/day/time, samples, rate factor/multiplier, time correction, blockettes; v3 time, rate, samples. */
const HOT_OFFSETS = [20, 21, 22, 23, 24, 26, 28, 30, 31, 32, 33, 34, 35, 36, 40, 41, 42, 43, 44, 46, 48, 52, 53, 54, 55, 56, 8, 9, 10, 11, 16, 17, 22, 23, 24, 25, 26, 27, 39];
const EXTREMES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe];

const edit = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: fc.integer({ min: 0, max: 600 }), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.constantFrom(...HOT_OFFSETS), value: fc.constantFrom(...EXTREMES) }),
  fc.record({ kind: fc.constant('int16' as const), at: fc.constantFrom(20, 22, 30, 32, 34, 46), value: fc.constantFrom(-32768, -1, 0, 1, 32767, 2100, 366, 367) }),
  fc.record({ kind: fc.constant('float' as const), at: fc.constantFrom(52, 16), value: fc.constantFrom(1e-30, 1e-9, 3e-8, 1e7, 1e38, -1, 0, NaN, Infinity, -Infinity, 5e-324) }),
  fc.record({ kind: fc.constant('bitflip' as const), at: fc.integer({ min: 0, max: 600 }), value: fc.integer({ min: 0, max: 7 }) }),
);
type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function applyEdit(b: Buffer, e: Edit): void {
  if (e.at >= b.length) return;
  if (e.kind === 'byte') b[e.at] = e.value;
  else if (e.kind === 'bitflip') b[e.at] ^= 1 << e.value;
  else if (e.kind === 'int16' && e.at + 2 <= b.length) (e.at % 2 === 0 ? b.writeInt16BE(e.value, e.at) : b.writeInt16LE(e.value, e.at));
  else if (e.kind === 'float' && e.at === 16 && e.at + 8 <= b.length) b.writeDoubleLE(e.value, e.at);
  else if (e.kind === 'float' && e.at + 4 <= b.length) b.writeFloatBE(e.value, e.at);
}

/** One to three records (mutated), maybe cut short, maybe with random bytes after. */
export const mseedInput: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...SEED_RECORDS), fc.array(edit, { maxLength: 6 })), { minLength: 1, maxLength: 3 }),
    fc.option(fc.integer({ min: 0, max: 2048 }), { nil: undefined }),
    fc.uint8Array({ maxLength: 64 }),
  )
  .map(([records, cut, tail]) => {
    const parts = records.map(([record, edits]) => {
      const b = Buffer.from(record);
      for (const e of edits) applyEdit(b, e);
      return b;
    });
    const bytes = Buffer.concat([...parts, tail]);
    return cut === undefined ? bytes : bytes.subarray(0, Math.min(cut, bytes.length));
  });

/** What a record header or a run of samples would put in the store that the store cannot hold. */
function checkRecord(h: { start: number; samples: number; sampleRate: number }): string[] {
  const problem = dataProblem(h);
  return problem === null ? [] : [`record: ${problem}`];
}

function checkSegments(accumulator: SegmentAccumulator): string[] {
  const out: string[] = [];
  for (const segment of accumulator.segments(0)) {
    for (const [what, t] of [['start', segment.start], ['end', segment.end], ['covered end', coveredEnd(segment)]] as const) {
      const problem = timeProblem(t, `segment ${what}`);
      if (problem !== null) out.push(problem);
    }
  }
  return out;
}

/** Reads records from a buffer as the scanner does: until the end or the first damage. */
function readRecords(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const accumulator = new SegmentAccumulator({ mergeQuality: false });
  const out: string[] = [];
  let offset = 0;
  while (offset < b.length) {
    let h;
    try {
      h = parseRecordHeader(b, offset, b.length - offset);
    } catch (error) {
      if (error instanceof MseedFormatError) break;
      throw error;
    }
    if (!(h.recordLength > 0)) throw new Error(`record length ${h.recordLength} at byte ${offset}: the reader would not move on`);
    out.push(...checkRecord(h));
    accumulator.add(0, h);
    offset += h.recordLength;
  }
  return [...out, ...checkSegments(accumulator)];
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

export const mseedTarget: FuzzTarget<Uint8Array> = { name: 'mseed-reader', input: mseedInput, run: readRecords, show: hex };

// ---------------------------------------------------------------------------------------------
// SeedLink framing

/** A 3.1 packet always carries 512 bytes: the record cut or padded to that. */
function v3Packet(sequence: number, record: Buffer): Buffer {
  const body = Buffer.alloc(512);
  record.copy(body, 0, 0, Math.min(512, record.length));
  return seedlinkV3Packet(sequence, body);
}

const v4Packet = (sequence: number, payload: Buffer, format: number, subformat: number) => seedlinkV4Packet(sequence, 'XX_FUZZ', payload, format, subformat);

const packet = fc.oneof(
  fc.tuple(fc.nat(0xffffff), mseedInput).map(([seq, record]) => ({ v3: v3Packet(seq, Buffer.from(record)), v4: v4Packet(seq, Buffer.from(record), 0x32, 0x44) })),
  fc.constantFrom(
    { v3: Buffer.from('END', 'latin1'), v4: Buffer.from('END', 'latin1') },
    { v3: Buffer.from('ERROR unexpected\r\n', 'latin1'), v4: Buffer.from('ERROR UNSUPPORTED x\r\n', 'latin1') },
    { v3: Buffer.concat([Buffer.from('SLINFO  ', 'latin1'), Buffer.alloc(512, 0x20)]), v4: v4Packet(1, Buffer.from('{"a":1}'), 0x4a, 0x49) },
  ),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ v3: Buffer.from(bytes), v4: Buffer.from(bytes) })),
  fc.constantFrom({ v3: Buffer.from('SL', 'latin1'), v4: Buffer.from('SE2D\xff\xff\xff\x7f', 'latin1') }),
);

/** A connection's bytes in transfer: packets and junk, cut into chunks anywhere. */
export const seedlinkInput = fc
  .tuple(fc.constantFrom(3 as const, 4 as const), fc.array(packet, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }))
  .map(([version, packets, cuts]) => {
    const stream = Buffer.concat(packets.map((p) => (version === 3 ? p.v3 : p.v4)));
    const chunks: Buffer[] = [];
    let at = 0;
    for (let k = 0; at < stream.length; k++) {
      const size = cuts[k % cuts.length];
      chunks.push(stream.subarray(at, at + size));
      at += size;
    }
    return { version, chunks };
  });

function readFrames(input: { version: 3 | 4; chunks: Buffer[] }): string[] {
  const reader = new FrameReader(() => input.version);
  const accumulator = new SegmentAccumulator({ mergeQuality: false });
  const out: string[] = [];
  for (const chunk of input.chunks) {
    reader.push(chunk);
    // The client's own reading of a transfer (nextPacket: frames, each data record's header).
    for (;;) {
      const before = reader.buffered;
      const packet = nextPacket(reader);
      if (packet === null) break;
      if (before - reader.buffered <= 0 && packet.kind !== 'line') throw new Error(`a ${packet.kind} packet consumed no bytes: the client would loop`);
      // A record the reader refuses is skipped; anything else it throws is a crash.
      if (packet.kind === 'skipped' && !(packet.error instanceof MseedFormatError)) throw packet.error;
      if (packet.kind !== 'record') continue;
      const h = packet.header;
      out.push(...checkRecord(h));
      accumulator.add(0, h);
    }
  }
  return [...out, ...checkSegments(accumulator)];
}

export const seedlinkTarget: FuzzTarget<{ version: 3 | 4; chunks: Buffer[] }> = {
  name: 'seedlink-framing',
  input: seedlinkInput,
  run: readFrames,
  show: (input) => `v${input.version} ${input.chunks.map((c) => c.toString('hex')).join(' | ')}`,
};

// ---------------------------------------------------------------------------------------------
// Channel metadata

/** Values a hostile or careless metadata file may hold where a time, a rate or a number goes. */
const HOSTILE_VALUES = [
  '1700-01-01', '1899-12-31T23:59:59.999999Z', '1900-01-01', '2024-02-30', '2255-06-05T23:47:35Z', '2599-12-31T23:59:59', '9999-12-31',
  '1e-30', '1e-9', '3e-8', '0', '-0', '-1', 'NaN', 'Infinity', '1e308', '1e999', '', ' ', '20', '0.1', '2024,031', 'now', '-7d',
  '<', '&amp;', '&#0;', '"', ',', '\n', '\u0000', 'x'.repeat(300),
];
const hostile = fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.string({ maxLength: 12 }));

function epochProblems(epochs: readonly ChannelEpoch[]): string[] {
  const out: string[] = [];
  for (const e of epochs) {
    const start = timeProblem(e.start, 'epoch start');
    if (start !== null) out.push(start);
    if (e.end !== null) {
      const end = timeProblem(e.end, 'epoch end');
      if (end !== null) out.push(end);
      if (e.end <= e.start) out.push(`epoch end ${e.end} not after its start ${e.start}`);
    }
    if (e.sampleRate !== null) {
      const rate = sampleRateProblem(e.sampleRate);
      if (rate !== null) out.push(`epoch ${rate}`);
    }
  }
  return out;
}

/** Mutates a text: values put in its slots, then cut, characters inserted or removed. */
function textInput(template: (values: string[]) => string, slots: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(fc.option(hostile, { nil: undefined, freq: 3 }), { minLength: slots, maxLength: slots }),
      fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom('', '<', '>', '"', ',', '\n', '/', '='), fc.string({ maxLength: 3 }))), { maxLength: 3 }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([values, splices, cut]) => {
      let text = template(values.map((v, k) => v ?? DEFAULT_SLOTS[k % DEFAULT_SLOTS.length]));
      for (const [at, insert] of splices) {
        const k = at % (text.length + 1);
        text = text.slice(0, k) + insert + text.slice(k + (insert === '' ? 1 : 0));
      }
      return cut === undefined ? text : text.slice(0, cut % (text.length + 1));
    });
}
const DEFAULT_SLOTS = ['2020-01-01', '', '20', '34.9', '-106.5'];
const xmlEscape = (v: string) => v.replace(/&(?!amp;|#)/g, '&amp;');

export const stationXmlInput = textInput(
  (v) =>
    `<?xml version="1.0"?>\n<FDSNStationXML xmlns="http://www.fdsn.org/xml/station/1"><Network code="IU"><Station code="ANMO" startDate="${xmlEscape(v[5])}">` +
    `<Latitude>${xmlEscape(v[3])}</Latitude><Longitude>${xmlEscape(v[4])}</Longitude>` +
    `<Channel code="BHZ" locationCode="00" startDate="${xmlEscape(v[0])}" endDate="${xmlEscape(v[1])}"><SampleRate>${xmlEscape(v[2])}</SampleRate></Channel>` +
    `<Channel code="LHZ" locationCode="" startDate="${xmlEscape(v[6])}"><SampleRateRatio><NumberSamples>${xmlEscape(v[7])}</NumberSamples><NumberSeconds>${xmlEscape(v[8])}</NumberSeconds></SampleRateRatio></Channel>` +
    `</Station></Network></FDSNStationXML>`,
  9,
);

/** A metadata parser's target: a MetadataError is the clear refusal it must give, anything else a crash. */
function metadataTarget(name: string, input: fc.Arbitrary<string>, parse: (text: string) => ChannelEpoch[]): FuzzTarget<string> {
  return {
    name,
    input,
    run: (text) => {
      try {
        return epochProblems(parse(text));
      } catch (error) {
        if (error instanceof MetadataError) return [];
        throw error;
      }
    },
    show: (text) => JSON.stringify(text),
  };
}

export const stationXmlTarget = metadataTarget('stationxml', stationXmlInput, (text) => parseStationXml(text, 'fuzz.xml'));

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

export const csvInput = textInput(
  (v) =>
    `network,station,location,channel,start,end,sample_rate,latitude,longitude,warn_s,fail_s\n` +
    `IU,ANMO,00,BHZ,${csvField(v[0])},${csvField(v[1])},${csvField(v[2])},${csvField(v[3])},${csvField(v[4])},${csvField(v[5])},${csvField(v[6])}\n` +
    `IU,ANMO,--,LHZ,${csvField(v[7])},,1,,,600,3600\n`,
  8,
);

export const csvTarget = metadataTarget('metadata-csv', csvInput, (text) => parseChannelCsv(text, 'fuzz.csv'));

export const COLLECTOR_FUZZ_TARGETS = [mseedTarget, seedlinkTarget, stationXmlTarget, csvTarget] as const;
