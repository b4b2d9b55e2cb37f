/**
 * Property tests of the SeedLink framing as the client reads a transfer (FrameReader and
 * nextPacket): damaged packets never throw or stall it nor make records up, and good packets among
 * stray bytes all come out, once and in order. Any bytes at all are the fuzz target's
 * (../fuzz-targets.ts, `npm run fuzz`). Bounded to a few hundred inputs each so that `npm test`
 * stays fast.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTime } from '@lacuna/core';
import { encodeMseed2Record } from '../mseed/writer.ts';
import { FrameReader, nextPacket, type Packet } from './protocol.ts';
import { seedlinkV3Packet, seedlinkV4Packet } from './testing/packets.ts';

const T0 = parseTime('2024-05-01T00:00:00Z');
const record = (k: number) => encodeMseed2Record({ network: 'XX', station: 'ABC', location: '', channel: 'HHZ', start: T0 + k * 1_120_000, sampleRate: 100, samples: 112 });

const packet = (version: 3 | 4, sequence: number, k: number) => (version === 3 ? seedlinkV3Packet(sequence, record(k)) : seedlinkV4Packet(sequence, 'XX_ABC', record(k)));

/** Feeds `bytes` in chunks of the given sizes (cycled) and reads packets after each; throws if reading stalls. */
function readAll(version: 3 | 4, bytes: Buffer, chunkSizes: number[]): Packet[] {
  const reader = new FrameReader(() => version);
  const out: Packet[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = Math.max(1, chunkSizes[i % chunkSizes.length]);
    reader.push(bytes.subarray(at, at + size));
    at += size;
    // Each packet read consumes bytes: more reads than bytes buffered would be a loop that never ends.
    for (let reads = 0, limit = reader.buffered + 2; ; reads++) {
      if (reads > limit) throw new Error(`reading stalls with ${reader.buffered} bytes buffered`);
      const next = nextPacket(reader);
      if (next === null) break;
      out.push(next);
    }
  }
  return out;
}

const version = fc.constantFrom<3 | 4>(3, 4);
const chunks = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 });

describe('SeedLink framing under hostile input', () => {
  it('never throws or stalls on good packets with bytes of them damaged, and reads no more records than were sent', () => {
    fc.assert(
      fc.property(version, fc.integer({ min: 1, max: 6 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }), chunks, (v, count, damage, sizes) => {
        const bytes = Buffer.concat(Array.from({ length: count }, (_, k) => packet(v, k + 1, k)));
        for (const [at, value] of damage) bytes[at % bytes.length] = value;
        const records = readAll(v, bytes, sizes).filter((p) => p.kind === 'record');
        expect(records.length).toBeLessThanOrEqual(count);
      }),
      { numRuns: 300 },
    );
  });

  it('reads every good packet among stray bytes, once and in order, in any chunking', () => {
    // Stray bytes without "S" or "E", the first bytes of a packet or an END/ERROR text.
    const stray = fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes.map((b) => (b === 0x53 || b === 0x45 ? 0x20 : b))));
    fc.assert(
      fc.property(version, fc.array(stray, { minLength: 1, maxLength: 8 }), chunks, (v, strays, sizes) => {
        const bytes = Buffer.concat(strays.flatMap((noise, k) => [noise, packet(v, k + 1, k)]));
        const records = readAll(v, bytes, sizes).filter((p) => p.kind === 'record');
        expect(records.map((p) => [Number(p.sequence), p.stationId, p.header.start])).toEqual(strays.map((_, k) => [k + 1, 'XX_ABC', T0 + k * 1_120_000]));
      }),
      { numRuns: 300 },
    );
  });
});
