/**
 * /api/v1 answers shared between requests. Identical requests that arrive while one is being
 * answered wait for that answer instead of computing their own, and an answer is given again
 * while the store's data version (core dataVersion) is the one it was computed at and it is at
 * most `maxAgeMs` old: an answer depends on the clock too (what is not yet due, windows relative
 * to now), so it is kept only as long as a second on the clock changes little; past half that age
 * it is computed again in the background while still given. Errors are shared
 * with the requests that waited, never kept. Bounded by entries and bytes, least recently used
 * first out. Pure apart from its own memory and the two functions it is given.
 */

interface Entry {
  version: string;
  at: number;
  json: string;
}

export interface SharedAnswersOptions {
  /** How long an answer is given again while the data version holds (default 1,000 ms). */
  maxAgeMs?: number;
  maxEntries?: number;
  /** Bytes of JSON text kept at most (default 64 MB). */
  maxBytes?: number;
  /** Milliseconds (default Date.now). */
  clock?: () => number;
}

export class SharedAnswers {
  readonly #entries = new Map<string, Entry>();
  readonly #answering = new Map<string, Promise<string>>();
  readonly #renewing = new Set<string>();
  #bytes = 0;
  #reading: Promise<string> | null = null;
  readonly #maxAgeMs: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #clock: () => number;

  /** `version` reads the store's data version (concurrent requests share one reading). */
  constructor(
    private readonly version: () => Promise<string>,
    options: SharedAnswersOptions = {},
  ) {
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
    this.#maxEntries = options.maxEntries ?? 256;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * The JSON text answering `key`: one being computed, a kept one still valid, or `compute()`'s,
   * given the data version it computes at.
   */
  answer(key: string, compute: (version: string) => Promise<string>): Promise<string> {
    const answering = this.#answering.get(key);
    if (answering) return answering;
    const run = this.#answer(key, compute).finally(() => this.#answering.delete(key));
    this.#answering.set(key, run);
    return run;
  }

  async #answer(key: string, compute: (version: string) => Promise<string>): Promise<string> {
    const version = await this.#readVersion();
    const at = this.#clock();
    const kept = this.#entries.get(key);
    if (kept && kept.version === version && at - kept.at <= this.#maxAgeMs) {
      this.#entries.delete(key); // most recently used last
      this.#entries.set(key, kept);
      // Past half its age, a kept answer is computed again in the background, so that requests
      // asking all the time never wait for it to expire.
      if (at - kept.at > this.#maxAgeMs / 2 && !this.#renewing.has(key)) {
        this.#renewing.add(key);
        compute(version)
          .then((json) => this.#keep(key, { version, at, json }))
          .catch(() => undefined) // the next request that needs it computes it, and sees the error
          .finally(() => this.#renewing.delete(key));
      }
      return kept.json;
    }
    const json = await compute(version);
    this.#keep(key, { version, at, json });
    return json;
  }

  #readVersion(): Promise<string> {
    this.#reading ??= this.version().finally(() => {
      this.#reading = null;
    });
    return this.#reading;
  }

  #keep(key: string, entry: Entry): void {
    this.#forget(key);
    const bytes = 2 * entry.json.length;
    if (bytes > this.#maxBytes) return;
    this.#entries.set(key, entry);
    this.#bytes += bytes;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#forget(oldest);
    }
  }

  #forget(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#bytes -= 2 * entry.json.length;
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
