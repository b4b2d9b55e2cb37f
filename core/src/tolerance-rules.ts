import type { ChannelId } from './model.ts';
import { matchesChannel, parseChannelPatterns, type ChannelPattern } from './channel.ts';
import { DEFAULT_TOLERANCE, type Tolerance } from './segments.ts';

/** A join tolerance for the channels matching `patterns` (null: every channel). */
export interface ToleranceRule {
  patterns: ChannelPattern[] | null;
  tolerance: Tolerance;
}

/**
 * `VALUE` or `PATTERNS=VALUE`. VALUE is a fraction of the sample interval (`0.5` = 0.5Δ) or a
 * duration with a unit (`0.01s`, `10ms`, `250us`).
 */
export function parseToleranceRule(text: string): ToleranceRule {
  const at = text.lastIndexOf('=');
  const patterns = at >= 0 ? parseChannelPatterns(text.slice(0, at)) : null;
  const value = (at >= 0 ? text.slice(at + 1) : text).trim();
  const match = /^(\d+(?:\.\d*)?|\.\d+)(s|ms|us|µs)?$/.exec(value);
  if (!match) {
    throw new Error(`bad tolerance "${text}": expected a fraction of the sample interval (0.5) or a duration (0.01s, 10ms, 250us), optionally after PATTERN=`);
  }
  const number = Number(match[1]);
  const unit = match[2];
  const tolerance: Tolerance =
    unit === undefined ? { fraction: number } : { seconds: number / (unit === 's' ? 1 : unit === 'ms' ? 1e3 : 1e6) };
  return { patterns, tolerance };
}

/** The tolerance for a channel: the first rule with a matching pattern, else the first catch-all, else 0.5Δ. */
export function toleranceFor(rules: readonly ToleranceRule[], id: ChannelId): Tolerance {
  const specific = rules.find((rule) => rule.patterns !== null && matchesChannel(rule.patterns, id));
  return (specific ?? rules.find((rule) => rule.patterns === null))?.tolerance ?? DEFAULT_TOLERANCE;
}
