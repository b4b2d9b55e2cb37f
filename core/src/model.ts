/** Integer microseconds since the Unix epoch, UTC (exact in a JS number until 2255). */
export type Micros = number;

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_HOUR = 3_600_000_000;
export const MICROS_PER_DAY = 86_400_000_000;

/** A channel's identity: FDSN source identifier parts. An empty location stays empty. */
export interface ChannelId {
  network: string;
  station: string;
  location: string;
  channel: string;
}

/**
 * A run of contiguous samples of one channel at one rate (a record is the smallest one).
 * As in docs/definitions.md: `start` is the first sample's time, `end` the last sample's time,
 * end = start + (samples − 1)Δ, and the run covers [start, end + Δ).
 */
export interface Segment {
  start: Micros;
  end: Micros;
  samples: number;
  /** Samples per second, > 0. */
  sampleRate: number;
  /** miniSEED data quality code (D, R, Q, M); when qualities are merged, the distinct codes in order, e.g. "DM". */
  quality: string;
}

/** A segment of a named channel. */
export type ChannelSegment = ChannelId & Segment;

/**
 * One epoch of a channel's metadata (StationXML Channel element or a CSV row): the time the
 * channel is *expected* to have data. `end` null means open (still running).
 */
export interface ChannelEpoch extends ChannelId {
  start: Micros;
  end: Micros | null;
  sampleRate: number | null;
  latitude: number | null;
  longitude: number | null;
  elevation: number | null;
  /** Total-latency interval (s) past which the channel is DEGRADED; null: not set. */
  warnS: number | null;
  /** Total-latency interval (s) past which the channel is FAILED; null: not set. */
  failS: number | null;
}
