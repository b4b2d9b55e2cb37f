import type { Micros } from '../model.ts';

/** One look at a backlog: how many files waited at `at`. */
export interface BacklogPoint {
  at: Micros;
  files: number;
}

/** docs/definitions.md "Pipelines": over at least `samples` samples spanning at least `spanUs`. */
export interface StuckRule {
  samples: number;
  spanUs: Micros;
}

/**
 * Whether a backlog is stuck (docs/definitions.md, after the STIX pipeline monitor): it is above zero and
 * has not fallen over the trailing window — the fewest latest samples that are at least
 * `rule.samples` many and span at least `rule.spanUs`. A history too short for such a window is
 * not stuck (not yet known). `history` is in time order.
 */
export function isStuck(history: readonly BacklogPoint[], rule: StuckRule): boolean {
  const last = history.length - 1;
  if (last < 0 || rule.samples < 1) return false;
  const newest = history[last];
  let first = last - rule.samples + 1;
  if (first < 0) return false;
  while (first >= 0 && newest.at - history[first].at < rule.spanUs) first--;
  if (first < 0) return false;
  for (let i = first; i <= last; i++) {
    if (history[i].files <= 0) return false;
    if (i > first && history[i].files < history[i - 1].files) return false;
  }
  return true;
}

/** How many of the latest points `isStuck` may look at: the rest of a history can be dropped. */
export function pointsNeeded(history: readonly BacklogPoint[], rule: StuckRule): number {
  const last = history.length - 1;
  let first = last - rule.samples + 1;
  while (first > 0 && history[last].at - history[first].at < rule.spanUs) first--;
  return last - Math.max(0, first) + 1;
}
