/**
 * miniSEED 2.4 and 3 record writer for tests, the demo archive and benchmarks: INT32 samples of a
 * small synthetic signal, exact header times, either byte order (v2), valid CRC-32C (v3).
 *
 * v2 record layout: 48-byte fixed header, then blockettes 1000 (unless disabled), 1001 (only when
 * the start is not a multiple of 100 µs), 100 (when asked for, or when the rate has no exact
 * factor/multiplier form), then the data at offset max(64, blockettes rounded up to 8).
 * With the default blockettes the data starts at 64, so `maxSamplesPerRecord(L, 2)` = (L − 64)/4.
 *
 * v3 records have no fixed length: a record is 40 + identifier + 4 × samples bytes, and
 * `recordLength` is the most it may take.
 */
import type { Micros } from '@lacuna/core';
import { MICROS_PER_SECOND } from '@lacuna/core';
import { utcFields, type UtcFields } from '@lacuna/core';
import { crc32c } from './crc32c.ts';

export interface RecordSpec {
  network: string;
  station: string;
  location: string;
  /** v2: up to 3 characters. v3: "BHZ" (band, source, subsource) or "B_S_SS". */
  channel: string;
  /** D, R, Q or M; default 'D'. v3 stores it as the publication version (R 1, D 2, Q 3, M 4). */
  quality?: string;
  /** Record start as a reader computes it (docs/definitions.md), integer µs. */
  start: Micros;
  sampleRate: number;
  /** Number of samples in the record. */
  samples: number;
  /** v2 sequence number (default 1), kept to 1..999999. */
  sequence?: number;
  /** v2: 2^7..2^16 bytes. v3: the largest record allowed. Default 512. */
  recordLength?: number;
  /** v2 header and data byte order; default 'big'. v3 is always little-endian. */
  byteOrder?: 'big' | 'little';
  /** v2 header time correction, 0.0001 s units. Ignored for v3. */
  timeCorrection?: number;
  /** Set activity flag 0x02 (the start time already includes the correction). */
  timeCorrectionApplied?: boolean;
  /** Write blockette 1000 (v2); default true. Without it a reader must find the length. */
  blockette1000?: boolean;
  /** Write blockette 100 (float sample rate, v2). */
  blockette100?: boolean;
}

const V2_HEADER = 48;
const V3_HEADER = 40;
/** Identifier room assumed by `maxSamplesPerRecord(L, 3)` when none is given. */
const V3_DEFAULT_SID_ROOM = 32;

/** Largest number of INT32 samples that fit, by the default layout (see the module comment). */
export function maxSamplesPerRecord(recordLength: number, format: 2 | 3, sourceIdLength = V3_DEFAULT_SID_ROOM): number {
  if (format === 2) {
    checkV2Length(recordLength);
    return Math.floor((recordLength - 64) / 4);
  }
  return Math.max(0, Math.floor((recordLength - V3_HEADER - sourceIdLength) / 4));
}

function checkV2Length(len: number): void {
  if (!Number.isInteger(len) || len < 128 || len > 65536 || (len & (len - 1)) !== 0) {
    throw new RangeError(`miniSEED 2 record length must be a power of two in 128..65536, not ${len}`);
  }
}

/** The UTC fields of a record start (integer µs, year 1900..2100) as a header carries them. */
function headerFields(t: Micros, start: number): UtcFields {
  if (!Number.isSafeInteger(start)) throw new RangeError(`start must be integer microseconds, not ${start}`);
  const fields = utcFields(t);
  if (fields.year < 1900 || fields.year > 2100) throw new RangeError(`start year ${fields.year} outside 1900..2100`);
  return fields;
}

/** The SEED factor/multiplier pair whose rate, computed as a reader does, is `rate` exactly; null if none. */
function factorMultiplier(rate: number): [number, number] | null {
  if (rate === 0) return [0, 0];
  if (Number.isInteger(rate)) {
    for (let m = 1; m <= 32767; m++) {
      if (rate % m === 0 && rate / m <= 32767) return [rate / m, m];
      if (rate / m < 1) break;
    }
  }
  const period = 1 / rate;
  if (Number.isInteger(period) && period <= 32767 && -1 / -period === rate) return [-period, 1];
  // Best rational approximation num/den with both ≤ 32767 (continued fractions).
  let h0 = 0, h1 = 1, k0 = 1, k1 = 0;
  let x = rate;
  for (let i = 0; i < 40; i++) {
    const a = Math.floor(x);
    const h2 = a * h1 + h0;
    const k2 = a * k1 + k0;
    if (h2 > 32767 || k2 > 32767) break;
    h0 = h1; h1 = h2; k0 = k1; k1 = k2;
    if (-h1 / -k1 === rate) return [h1, -k1];
    const frac = x - a;
    if (frac < 1e-12) break;
    x = 1 / frac;
  }
  return null;
}

function fitCode(value: string, width: number, what: string): string {
  if (value.length > width || !/^[\x21-\x7e]*$/.test(value)) {
    throw new RangeError(`${what} "${value}" must be at most ${width} printable ASCII characters without spaces`);
  }
  return value;
}

function writeCode(target: Buffer, at: number, value: string, width: number): void {
  for (let i = 0; i < width; i++) target[at + i] = i < value.length ? value.charCodeAt(i) : 0x20;
}

function qualityOf(spec: RecordSpec): string {
  const q = spec.quality ?? 'D';
  if (q !== 'D' && q !== 'R' && q !== 'Q' && q !== 'M') throw new RangeError(`quality must be D, R, Q or M, not "${q}"`);
  return q;
}

interface V2Layout {
  b1000: boolean;
  b1001: boolean;
  b100: boolean;
  factor: number;
  mult: number;
  dataOffset: number;
}

function v2Layout(spec: RecordSpec, b1001: boolean): V2Layout {
  const fm = factorMultiplier(spec.sampleRate);
  const b100 = spec.blockette100 === true || fm === null;
  const b1000 = spec.blockette1000 !== false;
  const blockettes = (b1000 ? 8 : 0) + (b1001 ? 8 : 0) + (b100 ? 12 : 0);
  const end = V2_HEADER + blockettes;
  return {
    b1000,
    b1001,
    b100,
    factor: fm ? fm[0] : 0,
    mult: fm ? fm[1] : 0,
    dataOffset: Math.max(64, Math.ceil(end / 8) * 8),
  };
}

function checkSpec(spec: RecordSpec): void {
  if (!(spec.sampleRate >= 0) || !Number.isFinite(spec.sampleRate)) {
    throw new RangeError(`sample rate must be a finite number ≥ 0, not ${spec.sampleRate}`);
  }
  if (!Number.isInteger(spec.samples) || spec.samples < 0) {
    throw new RangeError(`samples must be a non-negative integer, not ${spec.samples}`);
  }
}

/** Synthetic sample i of a record: a small triangle wave. */
function sampleValue(i: number): number {
  const k = i % 200;
  return k < 100 ? k - 50 : 150 - k;
}

/** The synthetic samples as INT32 bytes, enough for the largest record; copied, not computed, per record. */
let patternBE: Buffer | null = null;
let patternLE: Buffer | null = null;
function samplePattern(le: boolean): Buffer {
  if (!patternBE || !patternLE) {
    patternBE = Buffer.allocUnsafe(65536);
    patternLE = Buffer.allocUnsafe(65536);
    for (let i = 0; i < 16384; i++) {
      patternBE.writeInt32BE(sampleValue(i), 4 * i);
      patternLE.writeInt32LE(sampleValue(i), 4 * i);
    }
  }
  return le ? patternLE : patternBE;
}

function put16(b: Buffer, at: number, v: number, le: boolean): void {
  if (le) {
    b[at] = v & 0xff;
    b[at + 1] = (v >>> 8) & 0xff;
  } else {
    b[at] = (v >>> 8) & 0xff;
    b[at + 1] = v & 0xff;
  }
}

function put32(b: Buffer, at: number, v: number, le: boolean): void {
  if (le) {
    b[at] = v & 0xff;
    b[at + 1] = (v >>> 8) & 0xff;
    b[at + 2] = (v >>> 16) & 0xff;
    b[at + 3] = (v >>> 24) & 0xff;
  } else {
    b[at] = (v >>> 24) & 0xff;
    b[at + 1] = (v >>> 16) & 0xff;
    b[at + 2] = (v >>> 8) & 0xff;
    b[at + 3] = v & 0xff;
  }
}

/** Where a record of `len` bytes is written: the caller's buffer at its offset, or a new one. */
function recordSpace(len: number, target: Buffer | undefined, targetOffset: number): { out: Buffer; o: number } {
  if (!target) return { out: Buffer.allocUnsafe(len), o: 0 };
  if (targetOffset < 0 || targetOffset + len > target.length) {
    throw new RangeError(`a ${len}-byte record does not fit the target at offset ${targetOffset}`);
  }
  return { out: target, o: targetOffset };
}

/**
 * One complete miniSEED 2.4 record of `recordLength` bytes, written into `target` at
 * `targetOffset` when given (returned as a view of it), else into a new Buffer.
 */
export function encodeMseed2Record(spec: RecordSpec, target?: Buffer, targetOffset = 0): Buffer {
  checkSpec(spec);
  const len = spec.recordLength ?? 512;
  checkV2Length(len);
  const le = spec.byteOrder === 'little';
  const quality = qualityOf(spec);
  const station = fitCode(spec.station, 5, 'station');
  const location = fitCode(spec.location, 2, 'location');
  const channel = fitCode(spec.channel, 3, 'channel');
  const network = fitCode(spec.network, 2, 'network');
  const tc = spec.timeCorrection ?? 0;
  if (!Number.isInteger(tc) || tc < -2147483648 || tc > 2147483647) {
    throw new RangeError(`time correction must be an int32 (0.0001 s units), not ${tc}`);
  }
  const applied = spec.timeCorrectionApplied === true;
  // The reader adds an unapplied correction, so the header time is the start without it.
  const headerTime = spec.start - (applied ? 0 : tc * 100);
  const usec = ((headerTime % 100) + 100) % 100;
  const btime = headerFields(headerTime - usec, spec.start);
  const layout = v2Layout(spec, usec !== 0);
  const capacity = Math.floor((len - layout.dataOffset) / 4);
  if (spec.samples > capacity) {
    throw new RangeError(`${spec.samples} samples do not fit a ${len}-byte record (at most ${capacity})`);
  }

  const { out, o } = recordSpace(len, target, targetOffset);
  const seq = spec.sequence === undefined ? 1 : ((((Math.trunc(spec.sequence) - 1) % 999999) + 999999) % 999999) + 1;
  let s = seq;
  for (let i = 5; i >= 0; i--) {
    out[o + i] = 0x30 + (s % 10);
    s = Math.floor(s / 10);
  }
  out[o + 6] = quality.charCodeAt(0);
  out[o + 7] = 0x20;
  writeCode(out, o + 8, station, 5);
  writeCode(out, o + 13, location, 2);
  writeCode(out, o + 15, channel, 3);
  writeCode(out, o + 18, network, 2);
  put16(out, o + 20, btime.year, le);
  put16(out, o + 22, btime.dayOfYear, le);
  out[o + 24] = btime.hour;
  out[o + 25] = btime.minute;
  out[o + 26] = btime.second;
  out[o + 27] = 0;
  put16(out, o + 28, btime.micros / 100, le);
  put16(out, o + 30, spec.samples, le);
  put16(out, o + 32, layout.factor, le);
  put16(out, o + 34, layout.mult, le);
  out[o + 36] = applied ? 0x02 : 0;
  out[o + 37] = 0;
  out[o + 38] = 0;
  out[o + 39] = (layout.b1000 ? 1 : 0) + (layout.b1001 ? 1 : 0) + (layout.b100 ? 1 : 0);
  put32(out, o + 40, tc, le);
  put16(out, o + 44, layout.dataOffset, le);

  // Blockettes, chained in order.
  const chain: number[] = [];
  if (layout.b1000) chain.push(1000);
  if (layout.b1001) chain.push(1001);
  if (layout.b100) chain.push(100);
  put16(out, o + 46, chain.length > 0 ? V2_HEADER : 0, le);
  let at = V2_HEADER;
  for (let k = 0; k < chain.length; k++) {
    const type = chain[k];
    const size = type === 100 ? 12 : 8;
    const next = k + 1 < chain.length ? at + size : 0;
    put16(out, o + at, type, le);
    put16(out, o + at + 2, next, le);
    if (type === 1000) {
      out[o + at + 4] = 3; // INT32
      out[o + at + 5] = le ? 0 : 1;
      out[o + at + 6] = Math.log2(len);
      out[o + at + 7] = 0;
    } else if (type === 1001) {
      out[o + at + 4] = 100; // timing quality
      out[o + at + 5] = usec; // 0..99, fits int8
      out[o + at + 6] = 0;
      out[o + at + 7] = 0;
    } else {
      if (le) out.writeFloatLE(spec.sampleRate, o + at + 4);
      else out.writeFloatBE(spec.sampleRate, o + at + 4);
      out[o + at + 8] = 0;
      out[o + at + 9] = 0;
      out[o + at + 10] = 0;
      out[o + at + 11] = 0;
    }
    at += size;
  }
  out.fill(0, o + at, o + layout.dataOffset);
  const d = o + layout.dataOffset;
  samplePattern(le).copy(out, d, 0, 4 * spec.samples);
  out.fill(0, d + 4 * spec.samples, o + len);
  return target ? out.subarray(o, o + len) : out;
}

function sourceId(spec: RecordSpec): string {
  for (const [v, what] of [
    [spec.network, 'network'],
    [spec.station, 'station'],
    [spec.location, 'location'],
  ] as const) {
    if (!/^[A-Z0-9-]*$/i.test(v) || (what !== 'location' && v.length === 0)) {
      throw new RangeError(`${what} "${v}" is not a valid FDSN code`);
    }
  }
  let parts: string[];
  if (spec.channel.includes('_')) parts = spec.channel.split('_');
  else if (spec.channel.length === 3) parts = [...spec.channel];
  else throw new RangeError(`channel "${spec.channel}" must be 3 characters or "B_S_SS"`);
  if (parts.length !== 3 || parts.some((x) => !/^[A-Z0-9]*$/i.test(x))) {
    throw new RangeError(`channel "${spec.channel}" must be 3 characters or "B_S_SS"`);
  }
  return `FDSN:${spec.network}_${spec.station}_${spec.location}_${parts.join('_')}`;
}

const PUBVERSION: Record<string, number> = { R: 1, D: 2, Q: 3, M: 4 };

/**
 * One miniSEED 3 record: 40-byte header, the FDSN source identifier, no extra headers, INT32
 * little-endian samples, CRC-32C. Written into `target` at `targetOffset` when given.
 */
export function encodeMseed3Record(spec: RecordSpec, target?: Buffer, targetOffset = 0): Buffer {
  checkSpec(spec);
  const quality = qualityOf(spec);
  const sid = Buffer.from(sourceId(spec), 'latin1');
  if (sid.length > 255) throw new RangeError(`source identifier longer than 255 bytes`);
  const max = spec.recordLength ?? 512;
  const len = V3_HEADER + sid.length + 4 * spec.samples;
  if (len > max) {
    throw new RangeError(
      `${spec.samples} samples do not fit a ${max}-byte record (at most ${Math.floor((max - V3_HEADER - sid.length) / 4)})`,
    );
  }
  const c = headerFields(spec.start, spec.start);
  const { out, o } = recordSpace(len, target, targetOffset);
  out[o] = 0x4d;
  out[o + 1] = 0x53;
  out[o + 2] = 3;
  out[o + 3] = 0;
  out.writeUInt32LE(c.micros * 1000, o + 4);
  out.writeUInt16LE(c.year, o + 8);
  out.writeUInt16LE(c.dayOfYear, o + 10);
  out[o + 12] = c.hour;
  out[o + 13] = c.minute;
  out[o + 14] = c.second;
  out[o + 15] = 3; // INT32
  out.writeDoubleLE(spec.sampleRate, o + 16);
  out.writeUInt32LE(spec.samples, o + 24);
  out.writeUInt32LE(0, o + 28);
  out[o + 32] = PUBVERSION[quality];
  out[o + 33] = sid.length;
  out.writeUInt16LE(0, o + 34);
  out.writeUInt32LE(4 * spec.samples, o + 36);
  sid.copy(out, o + V3_HEADER);
  const d = o + V3_HEADER + sid.length;
  samplePattern(true).copy(out, d, 0, 4 * spec.samples);
  out.writeUInt32LE(crc32c(out, o, o + len), o + 28);
  return target ? out.subarray(o, o + len) : out;
}

/**
 * Splits a continuous series of `totalSamples` samples into full records (the last one holds the
 * rest). Record k starts at start + round(first sample index × Δ) µs. v2 sequence numbers count
 * up from `sequence` (default 1).
 */
export function* encodeSeries(
  spec: Omit<RecordSpec, 'samples'> & { totalSamples: number; format?: 2 | 3 },
): Generator<Buffer> {
  const format = spec.format ?? 2;
  const { totalSamples, format: _format, ...base } = spec;
  if (!Number.isInteger(totalSamples) || totalSamples < 0) {
    throw new RangeError(`totalSamples must be a non-negative integer, not ${totalSamples}`);
  }
  if (totalSamples === 0) return;
  if (!(spec.sampleRate > 0) || !Number.isFinite(spec.sampleRate)) {
    throw new RangeError(`a series needs a sample rate > 0, not ${spec.sampleRate}`);
  }
  const len = spec.recordLength ?? 512;
  let capacity: number;
  if (format === 2) {
    checkV2Length(len);
    // Assume blockette 1001 may be needed so that every record has the same capacity.
    capacity = Math.floor((len - v2Layout({ ...base, samples: 0 }, true).dataOffset) / 4);
  } else {
    capacity = Math.floor((len - V3_HEADER - Buffer.byteLength(sourceId({ ...base, samples: 0 }), 'latin1')) / 4);
  }
  if (capacity <= 0) throw new RangeError(`a ${len}-byte record has no room for samples`);
  let done = 0;
  let seq = spec.sequence ?? 1;
  // One spec object for all records (the encoders keep nothing of it).
  const rec: RecordSpec = { ...base, samples: 0, sequence: seq, start: spec.start };
  while (done < totalSamples) {
    rec.samples = Math.min(capacity, totalSamples - done);
    rec.sequence = seq;
    rec.start = spec.start + Math.round((done * MICROS_PER_SECOND) / spec.sampleRate);
    yield format === 2 ? encodeMseed2Record(rec) : encodeMseed3Record(rec);
    done += rec.samples;
    seq = (seq % 999999) + 1;
  }
}
