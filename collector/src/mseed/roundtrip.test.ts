/** Writer → reader round trips (fast-check), and the writer's own contract. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecordHeader, scanMseedFile, type MseedRecordHeader } from './reader.ts';
import { encodeMseed2Record, encodeMseed3Record, encodeSeries, maxSamplesPerRecord, type RecordSpec } from './writer.ts';
import { scanAll, tempDir } from './test-helpers.ts';

const tmp = tempDir();
afterAll(tmp.cleanup);
let fileNo = 0;
const tmpFile = (bytes: Uint8Array): string => {
  const f = path.join(tmp.dir, `rt-${fileNo++}.mseed`);
  writeFileSync(f, bytes);
  return f;
};

const code = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: min, maxLength: max });

// Rates a v2 header carries exactly as factor/multiplier (integers, periods, simple fractions).
const exactRates = [1, 20, 40, 100, 200, 250, 1080, 50_000, 0.1, 0.5, 1 / 3, 1 / 60, 2.5, 0.4, 12.5];
// Rates for blockette 100 (float32): exact in float32 so the read value can be compared as is.
const float32Rates = [0.25, 12.5, 100, 19.75, 1000.5];

const MIN_START = Date.UTC(1950, 0, 1) * 1000;
const MAX_START = Date.UTC(2090, 11, 31) * 1000;

interface Case {
  format: 2 | 3;
  spec: RecordSpec;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    format: fc.constantFrom<2 | 3>(2, 3),
    network: code(1, 2),
    station: code(1, 5),
    location: code(0, 2),
    channel: code(3, 3),
    v3LongChannel: fc.boolean(),
    quality: fc.constantFrom('D', 'R', 'Q', 'M'),
    start: fc.integer({ min: MIN_START, max: MAX_START }),
    usecAligned: fc.boolean(),
    exp: fc.integer({ min: 7, max: 16 }),
    fill: fc.double({ min: 0, max: 1, noNaN: true }),
    byteOrder: fc.constantFrom<'big' | 'little'>('big', 'little'),
    timeCorrection: fc.oneof(fc.constant(0), fc.integer({ min: -200_000, max: 200_000 })),
    timeCorrectionApplied: fc.boolean(),
    blockette1000: fc.boolean(),
    blockette100: fc.boolean(),
    exactRate: fc.constantFrom(...exactRates),
    float32Rate: fc.constantFrom(...float32Rates),
    sequence: fc.integer({ min: 1, max: 999_999 }),
  })
  .map((r) => {
    const format = r.format;
    const channel = format === 3 && r.v3LongChannel ? `${r.channel[0]}_${r.channel[1]}_${r.channel.slice(1)}` : r.channel;
    const b100 = format === 2 && r.blockette100;
    const recordLength = 2 ** r.exp;
    const start = r.usecAligned ? r.start - (r.start % 100) : r.start;
    let capacity: number;
    if (format === 2) {
      // The writer puts the data at 64, or at 80 when blockette 100 joins 1000 and 1001.
      capacity = Math.floor((recordLength - (b100 ? 80 : 64)) / 4);
    } else {
      const sid = `FDSN:${r.network}_${r.station}_${r.location}_${channel.length === 3 ? [...channel].join('_') : channel}`;
      capacity = Math.floor((recordLength - 40 - sid.length) / 4);
    }
    const spec: RecordSpec = {
      network: r.network,
      station: r.station,
      location: r.location,
      channel,
      quality: r.quality,
      start,
      sampleRate: b100 ? r.float32Rate : r.exactRate,
      samples: Math.min(65535, Math.floor(r.fill * capacity)),
      sequence: r.sequence,
      recordLength,
      byteOrder: r.byteOrder,
      timeCorrection: r.timeCorrection,
      timeCorrectionApplied: r.timeCorrectionApplied,
      blockette1000: r.blockette1000,
      blockette100: b100,
    };
    return { format, spec };
  })
  .filter((c) => !ambiguousByteOrder(c));

/**
 * A little-endian v2 header whose year and day also read as plausible big-endian ones cannot be
 * told apart: year 2056 is 0x0808 either way, and days 1, 256 and 257 read as 256, 1 and 257. A
 * reader then takes big-endian (ours, as libmseed: SEED's own header order), and the record reads
 * as another time and rate; such records are left out of the round trips. The header holds the
 * start less a time correction not yet applied, so both times are checked.
 */
function ambiguousByteOrder({ format, spec }: Case): boolean {
  if (format !== 2 || spec.byteOrder !== 'little') return false;
  const correction = (spec.timeCorrection ?? 0) * 100;
  return [spec.start, spec.start - correction, spec.start + correction].some((micros) => {
    const t = new Date(Math.floor(micros / 1000));
    const day = Math.floor((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    return t.getUTCFullYear() === 2056 && [1, 256, 257].includes(day);
  });
}

function encode(c: Case): Buffer {
  return c.format === 2 ? encodeMseed2Record(c.spec) : encodeMseed3Record(c.spec);
}

/** What the reader must report for a record written from `c` (the spec, not the writer's output). */
function expectedHeader(c: Case, length: number, offset: number): MseedRecordHeader {
  const s = c.spec;
  const v2 = c.format === 2;
  return {
    format: c.format,
    network: s.network,
    station: s.station,
    location: s.location,
    channel: s.channel,
    quality: s.quality ?? 'D',
    start: s.start,
    sampleRate: s.sampleRate,
    samples: s.samples,
    recordLength: v2 ? s.recordLength ?? 512 : length,
    offset,
    encoding: v2 && s.blockette1000 === false ? -1 : 3,
    activityFlags: v2 && s.timeCorrectionApplied ? 0x02 : 0,
    ioFlags: 0,
    dataQualityFlags: 0,
    timeCorrection: v2 ? s.timeCorrection ?? 0 : 0,
    timeCorrectionApplied: v2 ? s.timeCorrectionApplied === true : false,
  };
}

describe('writer → reader round trips', () => {
  it('one record: parseRecordHeader returns what was written', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const rec = encode(c);
        if (c.format === 2) expect(rec.length).toBe(c.spec.recordLength);
        else expect(rec.length).toBeLessThanOrEqual(c.spec.recordLength!);
        expect(parseRecordHeader(rec, 0, rec.length)).toEqual(expectedHeader(c, rec.length, 0));
      }),
      { numRuns: 500 },
    );
  });

  it('one record inside a larger buffer, at an offset', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 300 }), (c, pad) => {
        const rec = encode(c);
        const buf = Buffer.alloc(pad + rec.length + 17, 0xee);
        rec.copy(buf, pad);
        // A v2 record without blockette 1000 ends where `available` ends.
        expect(parseRecordHeader(buf, pad, rec.length)).toEqual(expectedHeader(c, rec.length, pad));
      }),
      { numRuns: 200 },
    );
  });

  it('files of mixed records (both formats, byte orders, lengths, with and without blockette 1000), any chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(caseArb, { minLength: 1, maxLength: 12 }),
        fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 70_000 })),
        async (cases, chunkSize) => {
          const recs = cases.map(encode);
          const f = tmpFile(Buffer.concat(recs));
          const { result, headers } = await scanAll(f, { chunkSize });
          expect(result.error).toBeNull();
          let offset = 0;
          const expected = cases.map((c, i) => {
            const e = expectedHeader(c, recs[i].length, offset);
            offset += recs[i].length;
            return e;
          });
          expect(headers).toEqual(expected);
          expect(result).toEqual({ records: cases.length, bytes: offset, error: null });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('µs offsets survive: every start in a 100 µs window', () => {
    const base = Date.UTC(2024, 1, 29, 23, 59, 59) * 1000 + 999_900;
    for (let us = 0; us < 100; us++) {
      for (const timeCorrectionApplied of [false, true]) {
        const spec: RecordSpec = {
          network: 'XX', station: 'US', location: '', channel: 'HHZ',
          start: base + us, sampleRate: 100, samples: 1, timeCorrection: -7, timeCorrectionApplied,
        };
        expect(parseRecordHeader(encodeMseed2Record(spec), 0, 512).start).toBe(base + us);
        expect(parseRecordHeader(encodeMseed3Record(spec), 0, encodeMseed3Record(spec).length).start).toBe(base + us);
      }
    }
  });
});

describe('writer', () => {
  const spec: RecordSpec = { network: 'XX', station: 'W', location: '00', channel: 'BHZ', start: Date.UTC(2020, 0, 1) * 1000, sampleRate: 40, samples: 0 };

  it('fills records to maxSamplesPerRecord and rejects one sample more', () => {
    for (let exp = 7; exp <= 16; exp++) {
      const L = 2 ** exp;
      const n = maxSamplesPerRecord(L, 2);
      expect(n).toBeGreaterThan(0);
      expect(parseRecordHeader(encodeMseed2Record({ ...spec, recordLength: L, samples: n }), 0, L).samples).toBe(n);
      expect(() => encodeMseed2Record({ ...spec, recordLength: L, samples: n + 1 })).toThrow(/do not fit/);
      const n3 = maxSamplesPerRecord(L, 3);
      expect(encodeMseed3Record({ ...spec, recordLength: L, samples: n3 }).length).toBeLessThanOrEqual(L);
    }
  });

  it('rejects bad record lengths and codes', () => {
    expect(() => encodeMseed2Record({ ...spec, recordLength: 500 })).toThrow(/power of two/);
    expect(() => encodeMseed2Record({ ...spec, recordLength: 64 })).toThrow(/power of two/);
    expect(() => encodeMseed2Record({ ...spec, station: 'TOOLONG' })).toThrow(/station/);
    expect(() => encodeMseed2Record({ ...spec, quality: 'X' })).toThrow(/quality/);
  });

  it('writes into a target buffer at an offset and returns that record', () => {
    const target = Buffer.alloc(2048, 0xaa);
    const rec = encodeMseed2Record({ ...spec, samples: 10 }, target, 512);
    expect(rec.length).toBe(512);
    expect(rec.buffer).toBe(target.buffer);
    expect(target[511]).toBe(0xaa);
    expect(target[1024]).toBe(0xaa);
    expect(parseRecordHeader(target, 512, 512).samples).toBe(10);
  });

  it('encodeSeries: full records, contiguous starts k·Δ, all samples', async () => {
    for (const format of [2, 3] as const) {
      for (const rate of [40, 1 / 3, 200, 7]) {
        const total = 10_000;
        const recs = [...encodeSeries({ ...spec, sampleRate: rate, totalSamples: total, format, recordLength: 256 })];
        const f = tmpFile(Buffer.concat(recs));
        const { result, headers } = await scanAll(f);
        expect(result.error).toBeNull();
        expect(headers.reduce((n, h) => n + h.samples, 0)).toBe(total);
        // All but the last record are full and of one size.
        const sizes = new Set(headers.slice(0, -1).map((h) => h.samples));
        expect(sizes.size).toBe(1);
        let k = 0;
        for (const h of headers) {
          expect(h.start).toBe(spec.start + Math.round((k * 1e6) / rate));
          expect(h.sampleRate).toBe(rate);
          k += h.samples;
        }
      }
    }
    expect([...encodeSeries({ ...spec, totalSamples: 0 })]).toEqual([]);
  });

  it('v3 channels: "BHZ" becomes B_H_Z in the identifier, longer sub-codes stay joined with "_"', () => {
    const a = encodeMseed3Record({ ...spec, channel: 'BHZ', samples: 1 });
    expect(a.subarray(40, 40 + a[33]).toString('latin1')).toBe('FDSN:XX_W_00_B_H_Z');
    const b = encodeMseed3Record({ ...spec, channel: 'B_H_ZZ', samples: 1 });
    expect(parseRecordHeader(b, 0, b.length).channel).toBe('B_H_ZZ');
  });
});

describe('scanner object reuse', () => {
  it('passes the same header object to every call (documented: copy what you keep)', async () => {
    const recs = [...encodeSeries({ network: 'XX', station: 'R', location: '', channel: 'LHZ', start: 0 + Date.UTC(2001, 0, 1) * 1000, sampleRate: 1, totalSamples: 1000 })];
    const f = tmpFile(Buffer.concat(recs));
    const seen = new Set<object>();
    let n = 0;
    await scanMseedFile(f, (h) => {
      seen.add(h);
      n++;
    });
    expect(n).toBe(recs.length);
    expect(seen.size).toBe(1);
  });

  it('scans running at once, of files of any size and chunk size, each read only their own file (read buffers are reused between scans)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.array(caseArb, { minLength: 1, maxLength: 6 }), fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 70_000 }))), { minLength: 2, maxLength: 5 }),
        async (files) => {
          const written = files.map(([cases, chunkSize]) => {
            const recs = cases.map(encode);
            return { file: tmpFile(Buffer.concat(recs)), chunkSize, recs, cases };
          });
          const scans = await Promise.all(written.map(({ file, chunkSize }) => scanAll(file, { chunkSize, sizeHint: chunkSize })));
          scans.forEach(({ result, headers }, i) => {
            const { recs, cases } = written[i];
            let offset = 0;
            const expected = cases.map((c, k) => {
              const e = expectedHeader(c, recs[k].length, offset);
              offset += recs[k].length;
              return e;
            });
            expect(result.error).toBeNull();
            expect(headers).toEqual(expected);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
