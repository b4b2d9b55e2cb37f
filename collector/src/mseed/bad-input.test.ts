/** Damaged and hostile input: the scan stops at the damage, keeps what came before, says why. */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MseedFormatError, parseRecordHeader, scanMseedFile } from './reader.ts';
import { encodeMseed2Record, encodeMseed3Record, encodeSeries, type RecordSpec } from './writer.ts';
import { scanAll, tempDir } from './test-helpers.ts';

const tmp = tempDir();
afterAll(tmp.cleanup);
let fileNo = 0;
const tmpFile = (bytes: Uint8Array): string => {
  const f = path.join(tmp.dir, `bad-${fileNo++}.mseed`);
  writeFileSync(f, bytes);
  return f;
};

const base: Omit<RecordSpec, 'samples'> = {
  network: 'XX',
  station: 'BAD',
  location: '00',
  channel: 'HHZ',
  start: Date.UTC(2022, 5, 1) * 1000,
  sampleRate: 100,
};

function v2Records(n: number, extra: Partial<RecordSpec> = {}): Buffer[] {
  return [...encodeSeries({ ...base, ...extra, totalSamples: n * 112 })];
}

function v3Records(n: number): Buffer[] {
  return [...encodeSeries({ ...base, totalSamples: n * 100, format: 3 })];
}

/** Deterministic pseudo-random bytes (xorshift32). */
function pseudoRandom(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe.each([undefined, 1000])('damaged files (chunk size %s)', (chunkSize) => {
  it('truncated last record: the whole records are kept, the error names the cut record', async () => {
    const recs = v2Records(5);
    expect(recs.every((r) => r.length === 512)).toBe(true);
    const bytes = Buffer.concat(recs).subarray(0, 4 * 512 + 312);
    const { result, headers } = await scanAll(tmpFile(bytes), { chunkSize });
    expect(headers).toHaveLength(4);
    expect(result.records).toBe(4);
    expect(result.bytes).toBe(2048);
    expect(result.error).toEqual({ offset: 2048, reason: 'truncated record: 312 of 512 bytes at end of file' });
  });

  it('truncated inside the fixed header', async () => {
    const bytes = Buffer.concat(v2Records(3)).subarray(0, 2 * 512 + 20);
    const { result } = await scanAll(tmpFile(bytes), { chunkSize });
    expect(result.records).toBe(2);
    expect(result.error?.offset).toBe(1024);
    expect(result.error?.reason).toMatch(/^truncated record: 20 bytes at end of file/);
  });

  it('truncated v3 record', async () => {
    const recs = v3Records(3);
    const full = Buffer.concat(recs);
    const bytes = full.subarray(0, full.length - 100);
    const { result } = await scanAll(tmpFile(bytes), { chunkSize });
    expect(result.records).toBe(2);
    expect(result.error).toEqual({
      offset: recs[0].length + recs[1].length,
      reason: `truncated record: ${recs[2].length - 100} of ${recs[2].length} bytes at end of file`,
    });
  });

  it('truncated record without blockette 1000', async () => {
    const recs = v2Records(3, { blockette1000: false });
    const bytes = Buffer.concat(recs).subarray(0, 2 * 512 + 300);
    const { result } = await scanAll(tmpFile(bytes), { chunkSize });
    expect(result.records).toBe(2);
    expect(result.error?.offset).toBe(1024);
    expect(result.error?.reason).toMatch(/record length unknown.*truncated\?/);
  });

  it('garbage in the middle: records before kept, offset of the garbage', async () => {
    const recs = v2Records(6);
    const garbage = Buffer.from('This is not miniSEED at all. '.repeat(20));
    const bytes = Buffer.concat([...recs.slice(0, 3), garbage, ...recs.slice(3)]);
    const { result, headers } = await scanAll(tmpFile(bytes), { chunkSize });
    expect(headers.map((h) => h.offset)).toEqual([0, 512, 1024]);
    expect(result.records).toBe(3);
    expect(result.error).toEqual({ offset: 1536, reason: 'not a miniSEED record (bad sequence number/quality byte)' });
  });

  it('a flipped byte in a v3 record: CRC mismatch reported at that record', async () => {
    const recs = v3Records(4);
    const bytes = Buffer.concat(recs);
    const at = recs[0].length + recs[1].length;
    bytes[at + 100] ^= 0x10;
    const { result } = await scanAll(tmpFile(bytes), { chunkSize });
    expect(result.records).toBe(2);
    expect(result.error?.offset).toBe(at);
    expect(result.error?.reason).toMatch(/^CRC-32C mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/);
  });

  it('an impossible start time', async () => {
    const recs = v2Records(3);
    recs[1][20] = 0xff; // year 0xFFxx: implausible in both byte orders
    recs[1][21] = 0xff;
    const { result } = await scanAll(tmpFile(Buffer.concat(recs)), { chunkSize });
    expect(result.records).toBe(1);
    expect(result.error?.offset).toBe(512);
    expect(result.error?.reason).toMatch(/^impossible start time/);
  });

  it('a sample rate no series has: factor and multiplier both -32768 (issue 11 case 1)', async () => {
    const recs = v2Records(3);
    recs[1].writeInt16BE(-32768, 32);
    recs[1].writeInt16BE(-32768, 34);
    const { result, headers } = await scanAll(tmpFile(Buffer.concat(recs)), { chunkSize });
    expect(headers).toHaveLength(1);
    expect(result.error).toEqual({ offset: 512, reason: expect.stringMatching(/^sample rate 9\.31e-10 Hz is below one sample a year .*\(factor -32768, multiplier -32768\)$/) });
  });

  it('a blockette 100 rate of 1e-30 Hz', async () => {
    const recs = v2Records(2, { blockette100: true });
    let b100 = recs[1].readUInt16BE(46);
    while (recs[1].readUInt16BE(b100) !== 100) b100 = recs[1].readUInt16BE(b100 + 2);
    recs[1].writeFloatBE(1e-30, b100 + 4);
    const { result, headers } = await scanAll(tmpFile(Buffer.concat(recs)), { chunkSize });
    expect(headers).toHaveLength(1);
    expect(result.error?.offset).toBe(512);
    expect(result.error?.reason).toMatch(/^sample rate 1\.00e-30 Hz is below one sample a year .*\(blockette 100\)$/);
  });

  it('a start before 1900: year 1900, day 1, a time correction of minus a day', async () => {
    const recs = v2Records(2, { start: Date.UTC(1899, 11, 31, 0, 0, 1) * 1000, timeCorrection: -864_000_000 });
    expect(recs[0].readUInt16BE(20)).toBe(1900);
    const { result, headers } = await scanAll(tmpFile(Buffer.concat(recs)), { chunkSize });
    expect(headers).toHaveLength(0);
    expect(result.error).toEqual({ offset: 0, reason: expect.stringMatching(/^start 1899-12-31T00:00:01.000000Z is outside the storable range/) });
  });

  it('a v3 record whose last sample lies past 2255: 160 samples a year apart from 2100', async () => {
    const record = encodeMseed3Record({ ...base, start: Date.UTC(2100, 0, 1) * 1000, sampleRate: 1 / (365 * 86_400), samples: 160, recordLength: 2048 });
    const { result } = await scanAll(tmpFile(record), { chunkSize });
    expect(result.error?.offset).toBe(0);
    expect(result.error?.reason).toMatch(/^last sample .* is outside the storable range/);
  });

  it('an hour of 24', async () => {
    const recs = v2Records(2);
    recs[1][24] = 24;
    const { result } = await scanAll(tmpFile(Buffer.concat(recs)), { chunkSize });
    expect(result.records).toBe(1);
    expect(result.error?.reason).toMatch(/^impossible start time/);
  });

  it('an unknown miniSEED version', async () => {
    const recs = v3Records(2);
    recs[1][2] = 4;
    const { result } = await scanAll(tmpFile(Buffer.concat(recs)), { chunkSize });
    expect(result.records).toBe(1);
    expect(result.error).toEqual({ offset: recs[0].length, reason: 'unsupported miniSEED version 4 (only 2.x and 3 are read)' });
  });

  it('a zero-length file: no records, no error', async () => {
    expect(await scanMseedFile(tmpFile(Buffer.alloc(0)), () => undefined, { chunkSize })).toEqual({
      records: 0,
      bytes: 0,
      error: null,
    });
  });

  it('a file of random bytes: no records, an error at offset 0', async () => {
    for (const seed of [1, 2, 3, 12345]) {
      const { result } = await scanAll(tmpFile(pseudoRandom(20_000, seed)), { chunkSize });
      expect(result.records).toBe(0);
      expect(result.error?.offset).toBe(0);
      expect(result.error?.reason.length).toBeGreaterThan(0);
    }
  });
});

describe('hostile input never crashes the scan', () => {
  it('random bytes, possibly after valid records: resolves, keeps the valid prefix', async () => {
    const good = Buffer.concat([...v2Records(2), ...v3Records(1)]);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.boolean(), async (junk, prefixGood) => {
        const bytes = prefixGood ? Buffer.concat([good, junk]) : Buffer.from(junk);
        const { result } = await scanAll(tmpFile(bytes), { chunkSize: 777 });
        if (prefixGood) expect(result.records).toBeGreaterThanOrEqual(3);
        expect(result.bytes).toBeLessThanOrEqual(bytes.length);
        if (result.error === null) expect(result.bytes).toBe(bytes.length);
        else expect(result.error.offset).toBe(result.bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('mutated valid records: parseRecordHeader either parses or throws MseedFormatError', () => {
    const recs = [
      encodeMseed2Record({ ...base, samples: 50 }),
      encodeMseed2Record({ ...base, samples: 50, byteOrder: 'little', blockette1000: false, start: base.start + 7 }),
      encodeMseed3Record({ ...base, samples: 50 }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...recs),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 127 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 512 }),
        (rec, edits, cut) => {
          const b = Buffer.from(rec);
          for (const [i, v] of edits) b[i] = v;
          const available = Math.min(b.length, cut);
          try {
            const h = parseRecordHeader(b, 0, available);
            expect(h.recordLength).toBeLessThanOrEqual(available);
            expect(Number.isSafeInteger(h.start)).toBe(true);
            expect(h.sampleRate).toBeGreaterThanOrEqual(0);
          } catch (e) {
            expect(e).toBeInstanceOf(MseedFormatError);
            expect((e as MseedFormatError).offset).toBe(0);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a blockette chain that points backwards or beyond the record ends the chain (as libmseed), no loop', () => {
    const rec = encodeMseed2Record({ ...base, samples: 10, start: base.start + 3 }); // blockettes 1000 → 1001
    // Make blockette 1001 (at 56) point back to 1000 (at 48): a loop.
    rec.writeUInt16BE(48, 56 + 2);
    const h = parseRecordHeader(rec, 0, rec.length);
    expect(h.recordLength).toBe(512);
    expect(h.start).toBe(base.start + 3);
    // First blockette offset inside the fixed header: no blockettes read, length found from the end.
    rec.writeUInt16BE(40, 46);
    const h2 = parseRecordHeader(rec, 0, rec.length);
    expect(h2.encoding).toBe(-1);
    expect(h2.recordLength).toBe(512);
  });
});

describe('parseRecordHeader errors', () => {
  it('throws MseedFormatError with offset and reason', () => {
    const rec = encodeMseed3Record({ ...base, samples: 20 });
    const buf = Buffer.concat([Buffer.alloc(100), rec]);
    buf[100 + 60] ^= 1;
    try {
      parseRecordHeader(buf, 100, rec.length);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MseedFormatError);
      const err = e as MseedFormatError;
      expect(err.offset).toBe(100);
      expect(err.reason).toMatch(/^CRC-32C mismatch/);
      expect(err.message).toContain('byte 100');
    }
    expect(() => parseRecordHeader(rec, 0, 100)).toThrow(/truncated record: 100 of \d+ bytes/);
    expect(() => parseRecordHeader(rec, 0, 0)).toThrow(MseedFormatError);
    expect(() => parseRecordHeader(rec, 0, rec.length + 1)).toThrow(RangeError);
  });
});

describe('I/O errors and control', () => {
  it('a non-existent path rejects with an error naming the path', async () => {
    const missing = path.join(tmp.dir, 'no', 'such', 'file.mseed');
    await expect(scanMseedFile(missing, () => undefined)).rejects.toThrow(missing);
    await expect(scanMseedFile(missing, () => undefined)).rejects.toMatchObject({ code: 'ENOENT', path: missing });
  });

  it('a directory rejects with an error naming the path', async () => {
    await expect(scanMseedFile(tmp.dir, () => undefined)).rejects.toThrow(tmp.dir);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file rejects with EACCES naming the path', async () => {
    const f = tmpFile(Buffer.concat(v2Records(1)));
    chmodSync(f, 0o000);
    await expect(scanMseedFile(f, () => undefined)).rejects.toMatchObject({ code: 'EACCES', path: f });
  });

  it('an error thrown by the callback rejects the scan', async () => {
    const f = tmpFile(Buffer.concat(v2Records(3)));
    await expect(
      scanMseedFile(f, () => {
        throw new Error('consumer failed');
      }),
    ).rejects.toThrow('consumer failed');
  });

  it('an abort signal stops the scan', async () => {
    const f = tmpFile(Buffer.concat(v2Records(50)));
    const ac = new AbortController();
    let seen = 0;
    await expect(
      scanMseedFile(
        f,
        () => {
          if (++seen === 3) ac.abort(new Error('stop now'));
        },
        { chunkSize: 1024, signal: ac.signal },
      ),
    ).rejects.toThrow('stop now');
    expect(seen).toBeLessThan(50);
    await expect(scanMseedFile(f, () => undefined, { signal: AbortSignal.abort() })).rejects.toThrow();
  });

  // Small and 1 MB (v3) records in turn: the big ones are larger than the carry-over room.
  const big = encodeMseed3Record({ ...base, samples: 250_000, recordLength: 1 << 20 });
  const small = encodeMseed2Record({ ...base, samples: 3 });
  const bigRecords = () => tmpFile(Buffer.concat([small, big, small, big]));
  const bigRecordsRead = [
    [2, 3, 0],
    [3, 250_000, 512],
    [2, 3, 512 + big.length],
    [3, 250_000, 1024 + big.length],
  ];

  it('records larger than the carry-over room (a 1 MB v3 record) straddle chunks', async () => {
    const f = bigRecords();
    for (const chunkSize of [65_536, 300_000, undefined]) {
      const { result, headers } = await scanAll(f, { chunkSize });
      expect(result.error).toBeNull();
      expect(headers.map((h) => [h.format, h.samples, h.offset])).toEqual(bigRecordsRead);
    }
  });

  it('a record larger than the carry-over room straddles chunks while other scans run at once (they share the parser state)', async () => {
    const f = bigRecords();
    // Chunks that end inside these 512-byte records make the other scans ask for a few bytes more
    // while the big record's scan waits for its read.
    const others = tmpFile(Buffer.concat(Array.from({ length: 400 }, () => small)));
    for (let round = 0; round < 5; round++) {
      const [{ result, headers }, ...rest] = await Promise.all([
        scanAll(f, { chunkSize: 65_536 }),
        ...Array.from({ length: 4 }, () => scanAll(others, { chunkSize: 700 })),
      ]);
      expect(result.error).toBeNull();
      expect(headers.map((h) => [h.format, h.samples, h.offset])).toEqual(bigRecordsRead);
      for (const other of rest) expect([other.result.error, other.headers.length]).toEqual([null, 400]);
    }
  });
});
