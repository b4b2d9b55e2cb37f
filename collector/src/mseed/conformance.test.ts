/**
 * Conformance on real miniSEED files (../shared/data/mseed, from libmseed's and ObsPy's test
 * data). Expected values are the facts stated in that folder's README and asserted by the
 * upstream projects' own tests (libmseed test/test-read.c and test-tracelist.c, ObsPy
 * test_mseed_util.py), never values produced by this reader.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecordHeader, MseedFormatError } from './reader.ts';
import { channelKey, isoMicros, scanAll, segmentsOf, sharedMseedDir } from './test-helpers.ts';

const haveData = existsSync(sharedMseedDir);
if (!haveData) {
  console.warn(
    `[mseed conformance] SKIPPED: the real sample files are not at ${sharedMseedDir} ` +
      '(a fresh clone does not have ../shared/data/mseed).',
  );
}

const file = (name: string): string => path.join(sharedMseedDir, name);

describe.skipIf(!haveData)('real miniSEED files', () => {
  describe.each([undefined, 1, 7, 100, 4096])('chunk size %s', (chunkSize) => {
    it('reads every file to its end without error', async () => {
      for (const name of [
        'lm_reference-testdata-steim1.mseed2',
        'lm_reference-testdata-steim2.mseed3',
        'lm_testdata-3channel-signal.mseed2',
        'lm_testdata-3channel-signal.mseed3',
        'lm_testdata-oneseries-mixedlengths-mixedorder.mseed2',
        'lm_testdata-oneseries-mixedlengths-mixedorder.mseed3',
        'lm_testdata-unapplied-timecorrection.mseed2',
        'obspy_dataquality-m.mseed',
        'obspy_gaps.mseed',
        'obspy_one_record_already_applied_time_correction.mseed',
        'obspy_qualityflags.mseed',
        'obspy_two_channels.mseed',
      ]) {
        const { result, headers } = await scanAll(file(name), { chunkSize });
        expect(result.error, name).toBeNull();
        expect(result.bytes, name).toBe(readFileSync(file(name)).length);
        expect(result.records, name).toBe(headers.length);
        // Records tile the file: each starts where the previous one ended.
        let at = 0;
        for (const h of headers) {
          expect(h.offset, name).toBe(at);
          at += h.recordLength;
        }
      }
    });

    it('oneseries-mixedlengths-mixedorder (v2): lengths 128..8192, one segment of 3952 samples', async () => {
      const { headers } = await scanAll(file('lm_testdata-oneseries-mixedlengths-mixedorder.mseed2'), { chunkSize });
      const lengths = headers.map((h) => h.recordLength);
      expect(Math.min(...lengths)).toBe(128);
      expect(Math.max(...lengths)).toBe(8192);
      expect(new Set(lengths).size).toBeGreaterThan(2);
      for (const l of lengths) expect(Number.isInteger(Math.log2(l))).toBe(true);
      expect(new Set(headers.map(channelKey))).toEqual(new Set(['XX.TEST.00.LHZ']));
      expect(headers.reduce((n, h) => n + h.samples, 0)).toBe(3952);
      // "records out of order"
      const starts = headers.map((h) => h.start);
      expect(starts).not.toEqual([...starts].sort((a, b) => a - b));
      // libmseed test-tracelist.c: one segment 06:50:00.069539 .. 07:55:51.069539, 3952 samples
      expect(segmentsOf(headers)).toEqual([
        { start: isoMicros('2010-02-27T06:50:00.069539Z'), end: isoMicros('2010-02-27T07:55:51.069539Z'), samples: 3952 },
      ]);
    });
  });

  it('oneseries-mixedlengths-mixedorder (v3): CRC-checked, one segment of 3952 samples', async () => {
    const { result, headers } = await scanAll(file('lm_testdata-oneseries-mixedlengths-mixedorder.mseed3'));
    expect(result.error).toBeNull();
    expect(headers.every((h) => h.format === 3)).toBe(true);
    expect(new Set(headers.map((h) => h.recordLength)).size).toBeGreaterThan(2);
    expect(headers.reduce((n, h) => n + h.samples, 0)).toBe(3952);
    expect(segmentsOf(headers)).toEqual([
      { start: isoMicros('2010-02-27T06:50:00.069539Z'), end: isoMicros('2010-02-27T07:55:51.069539Z'), samples: 3952 },
    ]);
  });

  it('byte-range records of the mixed-lengths files (libmseed test-read.c "byterange")', () => {
    // v3 bytes 9428-9967 and v2 bytes 9344-9855 hold one record each: 112 samples from 06:51:04.069539.
    const v3 = readFileSync(file('lm_testdata-oneseries-mixedlengths-mixedorder.mseed3'));
    const v2 = readFileSync(file('lm_testdata-oneseries-mixedlengths-mixedorder.mseed2'));
    const h3 = parseRecordHeader(v3, 9428, 9967 - 9428 + 1);
    const h2 = parseRecordHeader(v2, 9344, 9855 - 9344 + 1);
    for (const h of [h2, h3]) {
      expect(h.samples).toBe(112);
      expect(h.start).toBe(isoMicros('2010-02-27T06:51:04.069539Z'));
    }
    expect(h2.recordLength).toBe(512);
    expect(h3.recordLength).toBe(9967 - 9428 + 1);
    expect(h3.offset).toBe(9428);
  });

  it('3channel-signal: IU.COLA.00.LH1/LH2/LHZ, one segment each; first record as libmseed asserts', async () => {
    for (const name of ['lm_testdata-3channel-signal.mseed2', 'lm_testdata-3channel-signal.mseed3']) {
      const { result, headers } = await scanAll(file(name));
      expect(result.error).toBeNull();
      const byChannel = new Map<string, typeof headers>();
      for (const h of headers) byChannel.set(channelKey(h), [...(byChannel.get(channelKey(h)) ?? []), h]);
      expect(new Set(byChannel.keys())).toEqual(new Set(['IU.COLA.00.LH1', 'IU.COLA.00.LH2', 'IU.COLA.00.LHZ']));
      for (const [, hs] of byChannel) expect(segmentsOf(hs)).toHaveLength(1);
      // libmseed test-read.c v2_parse / v3_parse: first record
      const first = headers[0];
      expect(first.channel).toBe('LH1');
      expect(first.start).toBe(isoMicros('2010-02-27T06:50:00.069539Z'));
      expect(first.sampleRate).toBe(1);
      expect(first.encoding).toBe(11);
      expect(first.samples).toBe(135);
      expect(first.recordLength).toBe(name.endsWith('3') ? 414 : 512);
      // pubversion 4 ⇔ quality M; libmseed flags 4 = clock locked (v2 I/O flag bit 5)
      expect(first.quality).toBe('M');
      expect(first.ioFlags & 0x20).toBe(0x20);
    }
  });

  it('v2 and v3 counterparts give the same starts, rates, sample counts, qualities and flags', async () => {
    for (const base of ['lm_testdata-3channel-signal', 'lm_testdata-oneseries-mixedlengths-mixedorder']) {
      const v2 = (await scanAll(file(`${base}.mseed2`))).headers;
      const v3 = (await scanAll(file(`${base}.mseed3`))).headers;
      expect(v3.length).toBe(v2.length);
      const pick = (h: (typeof v2)[number]) => ({
        id: channelKey(h),
        start: h.start,
        sampleRate: h.sampleRate,
        samples: h.samples,
        quality: h.quality,
        encoding: h.encoding,
        activityFlags: h.activityFlags,
        ioFlags: h.ioFlags,
        dataQualityFlags: h.dataQualityFlags,
      });
      expect(v3.map(pick)).toEqual(v2.map(pick));
      expect(v2.every((h) => h.format === 2)).toBe(true);
      expect(v3.every((h) => h.format === 3)).toBe(true);
    }
  });

  it('v3 CRC-32C is verified: a flipped byte in a real record is reported', () => {
    const bytes = Buffer.from(readFileSync(file('lm_testdata-3channel-signal.mseed3')));
    const ok = parseRecordHeader(bytes, 0, bytes.length);
    expect(ok.recordLength).toBe(414);
    bytes[200] ^= 0x01; // inside the first record's data
    expect(() => parseRecordHeader(bytes, 0, bytes.length)).toThrow(MseedFormatError);
    // libmseed test-read.c: the first record's CRC is 0xCE52C9F7
    expect(() => parseRecordHeader(bytes, 0, bytes.length)).toThrow(/CRC-32C mismatch \(stored 0xce52c9f7, computed 0x[0-9a-f]{8}\)/);
  });

  it('unapplied time correction (+1.0 s) is added: 2003-05-29T02:13:23.043400Z (libmseed "oddball")', async () => {
    const { headers } = await scanAll(file('lm_testdata-unapplied-timecorrection.mseed2'));
    expect(headers).toHaveLength(1);
    const [h] = headers;
    expect(h.timeCorrection).toBe(10000);
    expect(h.timeCorrectionApplied).toBe(false);
    expect(h.start).toBe(isoMicros('2003-05-29T02:13:23.043400Z'));
  });

  it('obspy_gaps: BW.BGLD..EHE at 200 Hz, 512-byte records, -0.15 s correction added; 4 segments', async () => {
    const { headers } = await scanAll(file('obspy_gaps.mseed'));
    expect(new Set(headers.map(channelKey))).toEqual(new Set(['BW.BGLD..EHE']));
    expect(headers.every((h) => h.sampleRate === 200 && h.recordLength === 512)).toBe(true);
    expect(headers[0].timeCorrection).toBe(-1500);
    expect(headers[0].timeCorrectionApplied).toBe(false);
    expect(headers[0].start).toBe(isoMicros('2007-12-31T23:59:59.915000Z'));
    const segs = segmentsOf(headers);
    expect(segs.map((s) => s.start)).toEqual(
      [
        '2007-12-31T23:59:59.915000Z',
        '2008-01-01T00:00:04.035000Z',
        '2008-01-01T00:00:10.215000Z',
        '2008-01-01T00:00:18.455000Z',
      ].map(isoMicros),
    );
    const gaps = segs.slice(1).map((s, i) => s.start - segs[i].end);
    expect(gaps).toEqual([2_065_000, 2_065_000, 4_125_000]);
  });

  it('a correction flagged as applied is not added again', async () => {
    const applied = (await scanAll(file('obspy_one_record_already_applied_time_correction.mseed'))).headers;
    const gaps = (await scanAll(file('obspy_gaps.mseed'))).headers;
    expect(applied).toHaveLength(1);
    const [a] = applied;
    expect(a.timeCorrectionApplied).toBe(true);
    expect(a.activityFlags & 0x02).toBe(0x02);
    expect(a.timeCorrection).toBe(-1500);
    // Same header time as obspy_gaps' first record (only the "applied" bit differs): that one
    // adds the -0.15 s, this one does not.
    expect(gaps[0].timeCorrectionApplied).toBe(false);
    expect(a.start - gaps[0].start).toBe(150_000);
    expect(a.start).toBe(isoMicros('2008-01-01T00:00:00.065000Z'));
  });

  it('obspy_dataquality-m: quality M', async () => {
    const { headers } = await scanAll(file('obspy_dataquality-m.mseed'));
    expect(headers.length).toBeGreaterThan(0);
    expect(new Set(headers.map((h) => h.quality))).toEqual(new Set(['M']));
  });

  it('obspy_qualityflags: data-quality flag bits readable (ObsPy: counts per bit 9,8,7,6,5,4,3,2)', async () => {
    const { headers } = await scanAll(file('obspy_qualityflags.mseed'));
    // ObsPy test_get_data_quality: 18 records; record 1 no bit, records 2..9 bit 0..7 alone,
    // records 10..18 the lowest 0..8 bits set.
    expect(headers).toHaveLength(18);
    const expected = [0, 1, 2, 4, 8, 16, 32, 64, 128, 0, 1, 3, 7, 15, 31, 63, 127, 255];
    expect(headers.map((h) => h.dataQualityFlags)).toEqual(expected);
    const counts = [0, 1, 2, 3, 4, 5, 6, 7].map((bit) => headers.filter((h) => h.dataQualityFlags & (1 << bit)).length);
    expect(counts).toEqual([9, 8, 7, 6, 5, 4, 3, 2]);
    expect(headers.every((h) => h.activityFlags === 0 && h.ioFlags === 0)).toBe(true);
    expect(headers.every((h) => h.sampleRate === 200 && h.samples === 412 && h.station === 'BGLD')).toBe(true);
  });

  it('obspy_two_channels: two channels', async () => {
    const { headers } = await scanAll(file('obspy_two_channels.mseed'));
    expect(new Set(headers.map(channelKey)).size).toBe(2);
  });

  it('Steim reference files: encodings 10 (v2 Steim-1) and 11 (v3 Steim-2), XX.TEST..BHZ at 40 Hz', async () => {
    // libmseed test-write.c writes these with FDSN:XX_TEST__B_H_Z, 40 Hz, from 2012-05-12T00:00:00.
    const s1 = (await scanAll(file('lm_reference-testdata-steim1.mseed2'))).headers;
    const s2 = (await scanAll(file('lm_reference-testdata-steim2.mseed3'))).headers;
    expect(s1.every((h) => h.encoding === 10 && h.format === 2)).toBe(true);
    expect(s2.every((h) => h.encoding === 11 && h.format === 3)).toBe(true);
    for (const hs of [s1, s2]) {
      expect(new Set(hs.map(channelKey))).toEqual(new Set(['XX.TEST..BHZ']));
      expect(hs.every((h) => h.sampleRate === 40)).toBe(true);
      expect(hs[0].start).toBe(isoMicros('2012-05-12T00:00:00Z'));
      expect(segmentsOf(hs)).toHaveLength(1);
    }
  });
});
