import type { Response } from 'express';
import { HttpError } from './errors.ts';

/** How long a refused client is asked to wait before it asks again (Retry-After, seconds). */
const RETRY_AFTER_S = 10;

/**
 * Work that takes turns: at most `running` pieces run at once, the others wait in order, and one
 * that would wait behind `waiting` others is refused at once. A turn lasts as long as its work,
 * not as its request: a client that leaves, or a request answered by its deadline, does not free
 * the store while its queries still run. Fifty heavy FDSN queries at once each got a share of the
 * two cores: nearly all ran past the 60 s deadline, /healthz took 6 s and the collector's scan
 * 250 s instead of 0.1.
 */
export class Turns {
  #running = 0;
  readonly #line: { start: () => void; leave: () => void }[] = [];

  constructor(private readonly limits: { running: number; waiting: number }) {}

  /** How many wait now. */
  get waiting(): number {
    return this.#line.length;
  }

  /**
   * Runs `work` in its turn for the request answered by `res`: a 503 (with Retry-After) when the
   * line is full; while it waits, its client leaving takes it out of the line.
   */
  async run<T>(res: Response, work: () => Promise<T>): Promise<T> {
    if (this.#running < this.limits.running) this.#running += 1;
    else await this.#wait(res);
    try {
      return await work();
    } finally {
      // The turn passes on as it is, or the slot is freed.
      const next = this.#line.shift();
      if (next) next.start();
      else this.#running -= 1;
    }
  }

  #wait(res: Response): Promise<void> {
    if (this.#line.length >= this.limits.waiting) {
      res.set('Retry-After', String(RETRY_AFTER_S));
      throw new HttpError(503, `the store is busy: ${this.limits.waiting} requests are waiting for it already; try again in a moment (Retry-After)`);
    }
    return new Promise<void>((start, reject) => {
      const entry = { start, leave: () => reject(new HttpError(503, 'the request left the line: its client is gone, or its deadline passed')) };
      this.#line.push(entry);
      res.on('close', () => {
        const at = this.#line.indexOf(entry);
        if (at < 0) return;
        this.#line.splice(at, 1);
        entry.leave();
      });
    });
  }
}
