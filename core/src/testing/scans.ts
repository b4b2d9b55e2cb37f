import type { ChannelSegment } from '../model.ts';
import type { FileScan } from '../store/store.ts';
import { parseTime } from '../time.ts';

/** A stored-segment fixture: `samples` at `sampleRate` from `start`, channel `NET.STA.LOC.CHA`, tolerance 0.5Δ. */
export function segmentOf(channel: string, start: string, samples: number, sampleRate = 1, quality = 'D'): ChannelSegment & { toleranceUs: number } {
  const [network, station, location, code] = channel.split('.');
  const startUs = parseTime(start);
  return {
    network,
    station,
    location,
    channel: code,
    quality,
    sampleRate,
    start: startUs,
    end: startUs + Math.round(((samples - 1) * 1e6) / sampleRate),
    samples,
    toleranceUs: Math.round(0.5e6 / sampleRate),
  };
}

/** A file scan fixture: a file read whole, with these segments. */
export function fileScanOf(path: string, mtime: string, segments: FileScan['segments'], size = 4096): FileScan {
  return { state: { path, size, mtime: parseTime(mtime), status: 'ok', error: '', errorOffset: null, records: segments.length, format: 2 }, segments };
}
