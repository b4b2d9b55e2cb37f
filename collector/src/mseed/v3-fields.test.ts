/** miniSEED 3 header fields that the writer does not produce: extra headers, periods, flags. */
import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.ts';
import { parseRecordHeader } from './reader.ts';
import { encodeMseed3Record, type RecordSpec } from './writer.ts';

const spec: RecordSpec = {
  network: 'XX',
  station: 'V3',
  location: '',
  channel: 'LHZ',
  start: Date.UTC(2021, 2, 3, 4, 5, 6) * 1000 + 789_012,
  sampleRate: 1,
  samples: 4,
};

/** A v3 record rebuilt with the given extra headers and header edits, CRC recomputed. */
function v3With(extra: string, edit: (rec: Buffer) => void = () => undefined): Buffer {
  const plain = encodeMseed3Record(spec);
  const sidEnd = 40 + plain[33];
  const rec = Buffer.concat([plain.subarray(0, sidEnd), Buffer.from(extra, 'utf8'), plain.subarray(sidEnd)]);
  rec.writeUInt16LE(Buffer.byteLength(extra, 'utf8'), 34);
  edit(rec);
  rec.writeUInt32LE(0, 28);
  rec.writeUInt32LE(crc32c(rec), 28);
  return rec;
}

describe('miniSEED 3 fields', () => {
  it('quality: FDSN.DataQuality in the extra headers wins over the publication version', () => {
    const rec = v3With('{"FDSN":{"DataQuality":"Q","Time":{"Quality":80}}}', (r) => {
      r[32] = 1; // publication version 1 would be R
    });
    const h = parseRecordHeader(rec, 0, rec.length);
    expect(h.quality).toBe('Q');
    expect(h.recordLength).toBe(rec.length);
    expect(h.samples).toBe(4);
  });

  it('quality: publication versions 1..4 map to R, D, Q, M (as libmseed maps them to v2); others stay numbers', () => {
    const expected: Record<number, string> = { 0: '0', 1: 'R', 2: 'D', 3: 'Q', 4: 'M', 5: '5', 200: '200' };
    for (const [pub, q] of Object.entries(expected)) {
      const rec = v3With('{"FDSN":{"Time":{"Quality":100}}}', (r) => {
        r[32] = Number(pub);
      });
      expect(parseRecordHeader(rec, 0, rec.length).quality).toBe(q);
    }
  });

  it('extra headers that are not JSON do not stop the header read', () => {
    const rec = v3With('{"DataQuality" oops');
    expect(parseRecordHeader(rec, 0, rec.length).quality).toBe('D');
  });

  it('a negative sample rate is a period in seconds', () => {
    const rec = v3With('', (r) => r.writeDoubleLE(-10, 16));
    expect(parseRecordHeader(rec, 0, rec.length).sampleRate).toBeCloseTo(0.1, 15);
  });

  it('nanoseconds are rounded to the microsecond', () => {
    const second = Date.UTC(2021, 2, 3, 4, 5, 6) * 1000;
    for (const [ns, us] of [
      [789_012_499, 789_012],
      [789_012_500, 789_013],
      [999_999_600, 1_000_000],
      [0, 0],
    ]) {
      const rec = v3With('', (r) => r.writeUInt32LE(ns, 4));
      expect(parseRecordHeader(rec, 0, rec.length).start).toBe(second + us);
    }
  });

  it('flags: calibration → activity 0x01, time tag questionable → data quality 0x80, clock locked → I/O 0x20', () => {
    const cases: [number, number, number, number][] = [
      [0x01, 0x01, 0, 0],
      [0x02, 0, 0, 0x80],
      [0x04, 0, 0x20, 0],
      [0x07, 0x01, 0x20, 0x80],
    ];
    for (const [flags, activity, io, dq] of cases) {
      const rec = v3With('', (r) => {
        r[3] = flags;
      });
      const h = parseRecordHeader(rec, 0, rec.length);
      expect([h.activityFlags, h.ioFlags, h.dataQualityFlags]).toEqual([activity, io, dq]);
    }
  });

  it('a source identifier that is not FDSN:NET_STA_LOC_B_S_SS is reported', () => {
    const plain = encodeMseed3Record(spec);
    const sid = Buffer.from('XFDN:XX_V3__L_H_Z');
    const rec = Buffer.concat([plain.subarray(0, 40), sid, plain.subarray(40 + plain[33])]);
    rec[33] = sid.length;
    rec.writeUInt32LE(0, 28);
    rec.writeUInt32LE(crc32c(rec), 28);
    expect(() => parseRecordHeader(rec, 0, rec.length)).toThrow(/unsupported source identifier "XFDN:XX_V3__L_H_Z"/);
  });
});
