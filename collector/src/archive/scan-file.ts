import type { ChannelId, ChannelSegment } from '@lacuna/core';
import { SegmentAccumulator, toleranceMicros, type Tolerance } from '@lacuna/core';
import { toleranceFor, type ToleranceRule } from '@lacuna/core';
import type { FileScan } from '@lacuna/core';
import { scanMseedFile, type MseedRecordHeader } from '../mseed/reader.ts';
import type { ArchiveFile } from './walk.ts';

type RecordHeader = Pick<MseedRecordHeader, 'format' | 'network' | 'station' | 'location' | 'channel' | 'quality' | 'start' | 'samples' | 'sampleRate'>;

interface ChannelAccumulator {
  id: ChannelId;
  tolerance: Tolerance;
  accumulator: SegmentAccumulator;
}

/**
 * Reads one file's record headers into its segments, per channel and quality (qualities stay apart
 * in the store; queries merge them). A damaged file keeps the segments of the records before the
 * damage, with the damage's offset and reason.
 */
export async function scanFile(file: ArchiveFile, rules: readonly ToleranceRule[], options: { blocking?: boolean } = {}): Promise<FileScan> {
  const channels: ChannelAccumulator[] = [];
  let format = 0;
  const channelOf = (h: RecordHeader): ChannelAccumulator => {
    const known = channels.find((c) => c.id.channel === h.channel && c.id.station === h.station && c.id.location === h.location && c.id.network === h.network);
    format = h.format;
    if (known !== undefined) return known;
    const id = { network: h.network, station: h.station, location: h.location, channel: h.channel };
    const tolerance = toleranceFor(rules, id);
    const created = { id, tolerance, accumulator: new SegmentAccumulator({ tolerance, mergeQuality: false }) };
    channels.push(created);
    return created;
  };
  // The reader hands out the same string objects while the channel does not change, so the
  // common case (one channel per file) is one reference comparison per record. The lookup stays
  // out of this function: a closure here over `h` would cost a heap context on every record.
  let current: ChannelAccumulator | undefined;
  const onRecord = (h: RecordHeader) => {
    if (
      current === undefined ||
      current.id.channel !== h.channel ||
      current.id.station !== h.station ||
      current.id.location !== h.location ||
      current.id.network !== h.network
    ) {
      current = channelOf(h);
    }
    current.accumulator.add(0, h);
  };

  let result;
  try {
    result = await scanMseedFile(file.path, onRecord, { sizeHint: file.size, blocking: options.blocking });
  } catch (error) {
    // Unreadable (permissions, vanished): recorded like damage at offset 0, nothing stored for it.
    const reason = error instanceof Error ? error.message : String(error);
    return { state: { ...file, status: 'error', error: reason, errorOffset: 0, records: 0, format: 0 }, segments: [] };
  }

  const segments: (ChannelSegment & { toleranceUs: number })[] = [];
  for (const { id, tolerance, accumulator } of channels) {
    for (const segment of accumulator.segments(0)) {
      segments.push({ ...id, ...segment, toleranceUs: Math.round(toleranceMicros(tolerance, segment.sampleRate)) });
    }
  }
  return {
    state: {
      ...file,
      status: result.error ? 'error' : 'ok',
      error: result.error?.reason ?? '',
      errorOffset: result.error?.offset ?? null,
      records: result.records,
      format,
    },
    segments,
  };
}
