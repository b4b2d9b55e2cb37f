/**
 * A small cache of completion matrices' whole-day part (the per-channel JSON text of the rows),
 * so a dashboard asking again for the same channels and days gets them without ClickHouse
 * formatting 2,000 × 365 cells again. An entry is valid while its fingerprint holds: the rollup
 * rows' version in the range (newest computed_at and row count: every refresh inserts newer rows)
 * and the selection (channels and their epochs, which fill days without rollup rows). The day cut
 * by `to` is never cached. Pure apart from its own memory; bounded by entries and bytes.
 */
import { createHash } from 'node:crypto';
import type { ChannelEpoch, ChannelId } from '@lacuna/core';

/** Per selected channel, in order: the JSON array texts of its whole days. */
export interface CachedRows {
  percent: string[];
  completeness: string[];
  /** JSON arrays of the indexes of the days with overlaps. */
  overlaps: string[];
}

interface Entry {
  fingerprint: string;
  rows: CachedRows;
  bytes: number;
}

/** The fingerprint of a selection: its channels in order and their epochs. */
export function selectionFingerprint(channels: readonly ChannelId[], epochs: ReadonlyMap<string, readonly ChannelEpoch[]>): string {
  const hash = createHash('sha1');
  for (const id of channels) hash.update(`${id.network}.${id.station}.${id.location}.${id.channel}\n`);
  for (const [key, list] of [...epochs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(key);
    for (const e of list) hash.update(`|${e.start}/${e.end}/${e.sampleRate}`);
    hash.update('\n');
  }
  return hash.digest('hex');
}

export class CompletionCache {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(
    readonly maxEntries = 8,
    readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /** The rows stored under `key` when their fingerprint is still `fingerprint`. */
  get(key: string, fingerprint: string): CachedRows | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.fingerprint !== fingerprint) {
      this.#delete(key);
      return undefined;
    }
    // Most recently used last.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.rows;
  }

  set(key: string, fingerprint: string, rows: CachedRows): void {
    this.#delete(key);
    let bytes = 0;
    for (const text of rows.percent) bytes += 2 * text.length;
    for (const text of rows.completeness) bytes += 2 * text.length;
    for (const text of rows.overlaps) bytes += 2 * text.length;
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { fingerprint, rows, bytes });
    this.#bytes += bytes;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries && this.#bytes <= this.maxBytes) break;
      this.#delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#bytes -= entry.bytes;
    this.#entries.delete(key);
  }
}
