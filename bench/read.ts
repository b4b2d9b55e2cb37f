/**
 * miniSEED header scanning speed: `npm run bench:read -- [--mb N] [--v3-mb N] [--chunk BYTES]`.
 *
 * Writes a temporary file of N MB (default 1024) of 512-byte v2 records (a few channels, runs of
 * records per channel, both byte orders) and a smaller v3 file, into os.tmpdir(); scans each twice
 * (the file was just written, so both scans read from the page cache; the first one also warms up
 * the JIT) and prints records/s and MB/s. Also times the
 * CRC-32C alone. Removes its files afterwards. Prints figures, asserts nothing.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '@lacuna/collector';
import { scanMseedFile } from '@lacuna/collector';
import { encodeMseed2Record, encodeMseed3Record, maxSamplesPerRecord } from '@lacuna/collector';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return v;
}

const MB = 1024 * 1024;
const v2Mb = arg('mb', 1024);
const v3Mb = arg('v3-mb', Math.max(16, Math.round(v2Mb / 8)));
const chunkSize = process.argv.includes('--chunk') ? arg('chunk', 4 * MB) : undefined;

const CHANNELS = [
  { network: 'XX', station: 'BENCH', location: '00', channel: 'HHZ' },
  { network: 'XX', station: 'BENCH', location: '00', channel: 'HHN' },
  { network: 'XX', station: 'BENCH', location: '00', channel: 'HHE' },
  { network: 'YY', station: 'B2', location: '', channel: 'BHZ' },
];
const RATE = 100;
const RUN = 64; // records per channel before switching to the next

function writeFile(path: string, megabytes: number, format: 2 | 3): { records: number; bytes: number } {
  const fd = openSync(path, 'w');
  const chunk = Buffer.allocUnsafe(8 * MB);
  const recLen = 512;
  const samples = maxSamplesPerRecord(recLen, format);
  const total = megabytes * MB;
  // One mutable spec per channel: only start and sequence change from record to record.
  const specs = CHANNELS.map((ch, i) => ({
    network: ch.network,
    station: ch.station,
    location: ch.location,
    channel: ch.channel,
    start: Date.UTC(2024, 0, 1) * 1000,
    sampleRate: RATE,
    samples,
    sequence: 1,
    recordLength: recLen,
    byteOrder: i === 3 ? ('little' as const) : ('big' as const),
  }));
  const step = Math.round((samples * 1e6) / RATE);
  let written = 0;
  let records = 0;
  let used = 0;
  try {
    while (written + used < total) {
      const spec = specs[Math.floor(records / RUN) % specs.length];
      spec.sequence = (records % 999999) + 1;
      const rec = format === 2 ? encodeMseed2Record(spec, chunk, used) : encodeMseed3Record(spec, chunk, used);
      used += rec.length;
      spec.start += step;
      records++;
      if (used + recLen > chunk.length) {
        writeSync(fd, chunk, 0, used);
        written += used;
        used = 0;
      }
    }
    if (used > 0) writeSync(fd, chunk, 0, used);
    written += used;
  } finally {
    closeSync(fd);
  }
  return { records, bytes: written };
}

async function scan(label: string, path: string, bytes: number): Promise<void> {
  for (const pass of ['1st scan', '2nd scan']) {
    let samples = 0;
    const t0 = process.hrtime.bigint();
    const r = await scanMseedFile(
      path,
      (h) => {
        samples += h.samples;
      },
      { chunkSize },
    );
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.error) console.log(`  ${label}: error at ${r.error.offset}: ${r.error.reason}`);
    console.log(
      `  ${label} ${pass} ${r.records.toLocaleString('en')} records, ${(bytes / MB).toFixed(0)} MB in ${s.toFixed(3)} s: ` +
        `${((r.records / s) / 1e6).toFixed(2)} M records/s, ${(bytes / MB / s).toFixed(0)} MB/s ` +
        `(${((s * 1e9) / r.records).toFixed(0)} ns/record; ${samples.toLocaleString('en')} samples)`,
    );
  }
}

function crcSpeed(): void {
  const buf = Buffer.allocUnsafe(64 * MB);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 131) & 0xff;
  let x = 0;
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (let o = 0; o < buf.length; o += 512) x ^= crc32c(buf, o, o + 512);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  console.log(`  CRC-32C alone (512-byte pieces): ${(buf.length / MB / best).toFixed(0)} MB/s (checksum xor ${x >>> 0})`);
}

const dir = mkdtempSync(join(tmpdir(), 'lacuna-bench-read-'));
try {
  console.log(`node ${process.version}, chunk ${chunkSize ?? 'default (4 MiB)'}`);
  const v2Path = join(dir, 'v2.mseed');
  let t0 = Date.now();
  const v2 = writeFile(v2Path, v2Mb, 2);
  console.log(`wrote v2: ${v2.records.toLocaleString('en')} records of 512 bytes, ${(v2.bytes / MB).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await scan('v2', v2Path, v2.bytes);
  rmSync(v2Path);

  const v3Path = join(dir, 'v3.mseed3');
  t0 = Date.now();
  const v3 = writeFile(v3Path, v3Mb, 3);
  console.log(`wrote v3: ${v3.records.toLocaleString('en')} records (≤ 512 bytes), ${(v3.bytes / MB).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await scan('v3', v3Path, v3.bytes);
  crcSpeed();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
