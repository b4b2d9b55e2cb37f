/**
 * What a live source hands to the store: batches of segment pieces, newest samples, health
 * counters and pipeline backlog, as plain JSON-able objects (a batch may wait in the spool on disk).
 */
import type { ChannelId, ChannelSegment, Micros } from '../model.ts';

/**
 * A run of samples received since the last flush. `firstSeen` is the receipt time of the packet
 * (file, push) that carried the piece's newest sample, so first_seen − end_time of a live row is
 * the data latency of its last sample.
 */
export interface LivePiece extends ChannelSegment {
  toleranceUs: number;
  firstSeen: Micros;
}

/**
 * A channel's newest sample (Td) and when it arrived (Ta), exact per packet. A heartbeat
 * (a pushed item without samples) is a newest sample without coverage.
 */
export interface LatestSample extends ChannelId {
  /** The stream id a non-seismic source named it by ('' for SeedLink channels). */
  stream: string;
  lastSample: Micros;
  receivedAt: Micros;
}

/** A live source's counters since it started, and whether it is connected (watching, serving). */
export interface SourceHealth {
  kind: 'seedlink' | 'filedrop' | 'push';
  up: boolean;
  /** Packets, files or pushed items received. */
  received: number;
  /** Malformed packets, file names the pattern did not match, rejected items. */
  malformed: number;
  reconnects: number;
  /**
   * SeedLink: times the server could not resume a station where asked (its ring no longer held
   * the packet after the last one received). Known only to the process following the source (not
   * stored): /metrics reads it from there.
   */
  resumeFailures?: number;
  at: Micros;
}

/** One backlog sample of a file-drop stage, for one stream ('' = all files of the stage). */
export interface BacklogSample {
  pipeline: string;
  stage: string;
  stream: string;
  files: number;
  /** Modification time of the oldest file waiting; null when none is. */
  oldest: Micros | null;
  stuck: boolean;
  at: Micros;
}

/** Channel thresholds and expected rate from the expected-streams rules (ooi-status model). */
export interface StreamThresholds extends ChannelId {
  expectedRate: number | null;
  warnS: number | null;
  failS: number | null;
}

/**
 * One write of one source. `id` is unique per source and stays the same when the batch is written
 * again from the spool, so a replay replaces exactly its own rows. `contentAddressed` batches
 * (push) take their id from their content: the same batch posted twice is the same id, and the
 * store keeps a ledger of such ids to store it once.
 */
export interface LiveBatch {
  source: string;
  id: number;
  contentAddressed?: boolean;
  createdAt: Micros;
  pieces: LivePiece[];
  latest: LatestSample[];
  thresholds?: StreamThresholds[];
  health?: SourceHealth;
  backlog?: BacklogSample[];
}

/** What became of a submitted batch. */
export type BatchOutcome = 'stored' | 'spooled' | 'duplicate';

/** Where live sources put their batches (the collector's LiveWriter). */
export interface LiveSink {
  /** Resolves once the batch is durable: stored, or appended to the spool on disk. */
  submit(batch: LiveBatch): Promise<BatchOutcome>;
  /** A fresh batch id (unique, increasing). */
  nextBatchId(): number;
  /** The expected-streams rule of a channel, if any (its expected rate and thresholds). */
  thresholdsFor(id: ChannelId): StreamThresholds | null;
  /**
   * What a source stored of data ending at or after `since`, once what waits in the spool is
   * written (a source restarting drops what a server sends again of it). Absent: nothing known.
   */
  storedSince?(source: string, since: Micros): Promise<LivePiece[]>;
}

/** What a live writer says of itself: whether the store takes its writes, and what waits to be stored. */
export interface LiveWriterStatus {
  /** The last write to the store succeeded: new batches go straight to it. */
  storeUp: boolean;
  /** Batches waiting in memory. */
  queued: number;
  /** Spool files waiting on disk for the store, and their bytes. */
  spoolFiles: number;
  spoolBytes: number;
  /** Batches the store refused for their content, set aside in the spool's dead-letter file. */
  deadLetterBatches: number;
}

/** A live channel's newest sample (Td), when it arrived (Ta), and the source it came from. */
export interface LiveLatestRow extends LatestSample {
  source: string;
}

/** A live source's health, with its name. */
export interface LiveSourceState extends SourceHealth {
  source: string;
}

/**
 * What the live sources of this process know now, before any of it is stored: each channel's
 * newest sample (exact per packet or pushed item) and each source's health. /metrics reads it at
 * every scrape, so a packet shows at the next scrape and a source that went down shows as down.
 */
export interface LiveView {
  status(): LiveWriterStatus;
  /** Per channel (by channel key), the newest sample any source of this process has (the earliest receipt of it). */
  latest(): ReadonlyMap<string, LiveLatestRow>;
  sources(): LiveSourceState[];
  /** The expected-streams rule of a channel, if any (a channel not stored yet takes its thresholds there). */
  thresholdsFor(id: ChannelId): StreamThresholds | null;
}

/** Rows in a batch: what bounds a batch's size and the spool's memory use. */
export function batchRows(batch: LiveBatch): number {
  return batch.pieces.length + batch.latest.length + (batch.thresholds?.length ?? 0) + (batch.backlog?.length ?? 0) + 1;
}
