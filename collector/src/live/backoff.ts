/** Exponential backoff from `initialMs`, capped at `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/**
 * The wait before retry number `attempt` (0 for the first): a random time in the upper half of
 * initialMs × 2^attempt (at most maxMs), so that clients that failed together do not retry together.
 */
export function backoffDelayMs(attempt: number, backoff: Backoff): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
