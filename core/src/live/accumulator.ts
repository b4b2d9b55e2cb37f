import { channelKey } from '../channel.ts';
import { MICROS_PER_SECOND, type ChannelId, type Micros } from '../model.ts';
import { ratesMatch, recordEnd, toleranceMicros, type Tolerance } from '../segments.ts';
import { toleranceFor, type ToleranceRule } from '../tolerance-rules.ts';
import type { LatestSample, LivePiece } from './batch.ts';

/** How many of a channel's latest pieces a record is checked against for being a duplicate. */
const RECENT_PIECES = 8;

/** What `add` did with a record. */
export type AddResult = 'joined' | 'new' | 'duplicate' | 'unusable';

interface Piece {
  start: Micros;
  end: Micros;
  samples: number;
  sampleRate: number;
  quality: string;
  firstSeen: Micros;
}

/** The continuous run a channel's data is in, across flushes: what a resent record would repeat. */
interface Run {
  start: Micros;
  end: Micros;
  sampleRate: number;
  quality: string;
}

interface ChannelState {
  id: ChannelId;
  stream: string;
  tolerance: Tolerance;
  /** Runs already in the store (from before a restart): records inside one are repeats. */
  stored: Run[];
  /** Pieces since the last drain; `open` is the one the next record may extend. */
  pieces: Piece[];
  open: Piece | null;
  run: Run | null;
  lastSample: Micros | null;
  receivedAt: Micros;
  latestChanged: boolean;
}

/**
 * Live records (SeedLink packets, dropped files, pushed segments) of many channels, turned into
 * the segment pieces and newest samples of the next batch. A record that continues its channel's
 * open piece (same rate and quality, |start − (end + Δ)| ≤ tol) extends it in O(1); any other one
 * starts a new piece, which the store's compaction joins later. A record wholly inside the run it
 * would continue, inside a piece already received, or inside data stored before a restart
 * (`markStored`), is a duplicate (a packet resent after a reconnect or a crash) and is dropped.
 * The newest sample of each channel and its receipt time are tracked exactly, record by record.
 */
export class LiveAccumulator {
  readonly #rules: readonly ToleranceRule[];
  readonly #channels = new Map<string, ChannelState>();
  #pieceCount = 0;

  constructor(options: { tolerance?: readonly ToleranceRule[] } = {}) {
    this.#rules = options.tolerance ?? [];
  }

  /** Pieces waiting for the next drain (what bounds the accumulator's memory). */
  get pieceCount(): number {
    return this.#pieceCount;
  }

  #state(key: string, id: ChannelId, stream: string): ChannelState {
    let state = this.#channels.get(key);
    if (state === undefined) {
      state = {
        id: { network: id.network, station: id.station, location: id.location, channel: id.channel },
        stream,
        tolerance: toleranceFor(this.#rules, id),
        stored: [],
        pieces: [],
        open: null,
        run: null,
        lastSample: null,
        receivedAt: 0,
        latestChanged: false,
      };
      this.#channels.set(key, state);
    }
    return state;
  }

  #noteLatest(state: ChannelState, sample: Micros, receivedAt: Micros): void {
    if (state.lastSample === null || sample > state.lastSample) {
      state.lastSample = sample;
      state.receivedAt = receivedAt;
      state.latestChanged = true;
    }
  }

  /**
   * One record of channel `id` (`key` = channelKey(id), given by a caller that has it already):
   * first sample at `start`, `samples` samples at `sampleRate`, received at `receivedAt`.
   */
  add(id: ChannelId, start: Micros, samples: number, sampleRate: number, quality: string, receivedAt: Micros, key = channelKey(id), stream = ''): AddResult {
    if (!(samples >= 1 && sampleRate > 0 && Number.isFinite(sampleRate))) return 'unusable';
    const end = recordEnd(start, samples, sampleRate);
    const state = this.#state(key, id, stream);
    const run = state.run;
    const sameKind = (rate: number, q: string) => q === quality && ratesMatch(rate, sampleRate);
    if (run !== null && start >= run.start && end <= run.end && sameKind(run.sampleRate, run.quality)) return 'duplicate';
    if (state.stored.length > 0) {
      if (state.stored.some((known) => start >= known.start && end <= known.end && sameKind(known.sampleRate, known.quality))) return 'duplicate';
      // Past everything stored before: no repeat of it can follow in order.
      if (state.stored.every((known) => start > known.end)) state.stored = [];
    }
    // The newest few pieces only: a flood of gappy data must not make each record cost more.
    for (let i = state.pieces.length - 1; i >= 0 && i >= state.pieces.length - RECENT_PIECES; i--) {
      const piece = state.pieces[i];
      if (start >= piece.start && end <= piece.end && sameKind(piece.sampleRate, piece.quality)) return 'duplicate';
    }
    const delta = MICROS_PER_SECOND / sampleRate;
    const tol = toleranceMicros(state.tolerance, sampleRate);
    const open = state.open;
    if (open !== null && open.sampleRate === sampleRate && open.quality === quality) {
      const difference = start - (open.end + delta);
      if (difference <= tol && difference >= -tol) {
        if (end > open.end) {
          open.end = end;
          open.firstSeen = receivedAt;
        }
        open.samples += samples;
        if (run !== null && end > run.end) run.end = end;
        this.#noteLatest(state, end, receivedAt);
        return 'joined';
      }
    }
    const piece: Piece = { start, end, samples, sampleRate, quality, firstSeen: receivedAt };
    state.pieces.push(piece);
    state.open = piece;
    this.#pieceCount++;
    const continuesRun = run !== null && sameKind(run.sampleRate, run.quality) && Math.abs(start - (run.end + delta)) <= tol;
    if (continuesRun) {
      if (end > run.end) run.end = end;
    } else if (run === null || end >= run.end) {
      // A new run: data after a gap (an older piece arriving late leaves the run as it is).
      state.run = { start, end, sampleRate, quality };
    }
    this.#noteLatest(state, end, receivedAt);
    return 'new';
  }

  /**
   * Data the store holds already (pieces written before a restart): records wholly inside one are
   * repeats (a server sending again what a crash left unacknowledged) and are dropped.
   */
  markStored(pieces: readonly (ChannelId & Run)[]): void {
    for (const piece of pieces) {
      const state = this.#state(channelKey(piece), piece, '');
      state.stored.push({ start: piece.start, end: piece.end, sampleRate: piece.sampleRate, quality: piece.quality });
    }
  }

  /** A sign of life without data: the channel's newest sample is at `time`, received at `receivedAt`. */
  addHeartbeat(id: ChannelId, time: Micros, receivedAt: Micros, key = channelKey(id), stream = ''): void {
    this.#noteLatest(this.#state(key, id, stream), time, receivedAt);
  }

  /** Every channel's newest sample and its receipt by channel key, whether drained or not (what /metrics reads at a scrape). */
  *newest(): Generator<[string, LatestSample]> {
    for (const [key, state] of this.#channels) {
      if (state.lastSample !== null) yield [key, { ...state.id, stream: state.stream, lastSample: state.lastSample, receivedAt: state.receivedAt }];
    }
  }

  /** The pieces and changed newest samples since the last drain; the next records start new pieces. */
  drain(): { pieces: LivePiece[]; latest: LatestSample[] } {
    const pieces: LivePiece[] = [];
    const latest: LatestSample[] = [];
    for (const state of this.#channels.values()) {
      for (const piece of state.pieces) {
        pieces.push({ ...state.id, ...piece, toleranceUs: Math.round(toleranceMicros(state.tolerance, piece.sampleRate)) });
      }
      state.pieces = [];
      state.open = null;
      if (state.latestChanged && state.lastSample !== null) {
        latest.push({ ...state.id, stream: state.stream, lastSample: state.lastSample, receivedAt: state.receivedAt });
        state.latestChanged = false;
      }
    }
    this.#pieceCount = 0;
    return { pieces, latest };
  }
}
