/** Helpers shared by the miniSEED tests (not a test file itself). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanMseedFile, type MseedRecordHeader, type MseedScanOptions, type MseedScanResult } from './reader.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedMseedDir = path.resolve(repoRoot, '../shared/data/mseed');

/** Scans a file and keeps a copy of every header. */
export async function scanAll(
  file: string,
  options?: MseedScanOptions,
): Promise<{ result: MseedScanResult; headers: MseedRecordHeader[] }> {
  const headers: MseedRecordHeader[] = [];
  const result = await scanMseedFile(file, (h) => headers.push({ ...h }), options);
  return { result, headers };
}

/** Epoch µs of an ISO-8601 UTC time with up to 6 fractional digits ("2010-02-27T06:50:00.069539Z"). */
export function isoMicros(iso: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) throw new Error(`bad ISO time ${iso}`);
  const whole = Date.parse(`${m[1]}Z`);
  return whole * 1000 + Number((m[2] ?? '').padEnd(6, '0'));
}

export interface SimpleSegment {
  start: number;
  /** Time of the last sample. */
  end: number;
  samples: number;
}

/**
 * Joins the records of one channel into segments by the README's rule (libmseed's): a record
 * joins when |next.start − (prev.end + Δ)| ≤ 0.5Δ. Records are sorted by start first.
 */
export function segmentsOf(headers: MseedRecordHeader[]): SimpleSegment[] {
  const sorted = [...headers].filter((h) => h.samples > 0).sort((a, b) => a.start - b.start);
  const out: SimpleSegment[] = [];
  for (const h of sorted) {
    const delta = 1e6 / h.sampleRate;
    const end = h.start + (h.samples - 1) * delta;
    const last = out[out.length - 1];
    if (last && Math.abs(h.start - (last.end + delta)) <= 0.5 * delta) {
      last.end = end;
      last.samples += h.samples;
    } else {
      out.push({ start: h.start, end, samples: h.samples });
    }
  }
  return out;
}

export function channelKey(h: MseedRecordHeader): string {
  return `${h.network}.${h.station}.${h.location}.${h.channel}`;
}

/** A temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lacuna-mseed-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
