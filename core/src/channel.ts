import type { ChannelId } from './model.ts';

/** `NET.STA.LOC.CHA`; an empty location stays empty: `IU.ANMO..BHZ`. */
export function channelKey(id: ChannelId): string {
  return `${id.network}.${id.station}.${id.location}.${id.channel}`;
}

/** Code-unit order, as ClickHouse orders our (ASCII) codes. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Channel order as ClickHouse orders by (network, station, location, channel). */
export function compareChannelIds(a: ChannelId, b: ChannelId): number {
  return compareText(a.network, b.network) || compareText(a.station, b.station) || compareText(a.location, b.location) || compareText(a.channel, b.channel);
}

const CODE = /^[A-Za-z0-9_-]*$/;

/**
 * Parses `NET.STA.LOC.CHA` (exactly four dot-separated parts). A location of `--` means the empty
 * location. Network, station and channel must not be empty; each part may hold only letters,
 * digits, `_` and `-`. Throws an Error naming the text and what is wrong.
 */
export function parseChannelKey(text: string): ChannelId {
  const parts = text.split('.');
  if (parts.length !== 4) {
    throw new Error(
      `not a channel: ${JSON.stringify(text)} (expected NET.STA.LOC.CHA, 4 dot-separated parts, got ${parts.length})`,
    );
  }
  return namedParts(parts, CODE, 'letters, digits, _ and -', (why) => new Error(`not a channel: ${JSON.stringify(text)} (${why})`));
}

/**
 * The four parts of a channel id or pattern, by name, checked alike: `--` is the empty location,
 * network, station and channel are never empty, each part matches `allowed`.
 */
function namedParts(parts: string[], allowed: RegExp, allowedText: string, bad: (why: string) => Error): ChannelId {
  const [network, station, rawLocation, channel] = parts as [string, string, string, string];
  const id: ChannelId = { network, station, location: rawLocation === '--' ? '' : rawLocation, channel };
  for (const name of ['network', 'station', 'location', 'channel'] as const) {
    const value = id[name];
    if (value === '' && name !== 'location') throw bad(`empty ${name}`);
    if (!allowed.test(value)) throw bad(`${name} ${JSON.stringify(value)} may hold only ${allowedText}`);
  }
  return id;
}

/**
 * One channel pattern: a glob per part, `*` = any run of characters (also none), `?` = exactly one
 * character, everything else literal (matching is case-sensitive, as in ClickHouse LIKE).
 * An empty `location` glob matches only the empty location.
 */
export interface ChannelPattern {
  network: string;
  station: string;
  location: string;
  channel: string;
}

export const MAX_CHANNEL_PATTERNS = 100;
export const MAX_CHANNEL_PATTERNS_LENGTH = 1000;

const PATTERN_PART = /^[A-Za-z0-9_*?-]*$/;

/**
 * Parses the `--channel` / `channel=` selector: a comma-separated list of `NET.STA.LOC.CHA` globs
 * with `*` and `?`. Fewer than four parts means the missing trailing parts are `*` (`IU` = all of
 * IU, `IU.ANMO` = all of ANMO). `--` as location means the empty location; an empty location part
 * (`IU.ANMO..BHZ`) means the empty location too. White space around each pattern is ignored.
 * Limits: at most 1000 characters in all, at most 100 patterns; each part holds only
 * `[A-Za-z0-9_*?-]`; network, station and channel parts must not be empty.
 * Throws an Error naming the offending pattern.
 */
export function parseChannelPatterns(text: string): ChannelPattern[] {
  if (text.length > MAX_CHANNEL_PATTERNS_LENGTH) {
    throw new Error(
      `channel patterns too long: ${text.length} characters, at most ${MAX_CHANNEL_PATTERNS_LENGTH} are allowed`,
    );
  }
  const items = text.split(',').map((item) => item.trim());
  if (items.length > MAX_CHANNEL_PATTERNS) {
    throw new Error(`too many channel patterns: ${items.length}, at most ${MAX_CHANNEL_PATTERNS} are allowed`);
  }
  return items.map(parseChannelPattern);
}

function parseChannelPattern(item: string): ChannelPattern {
  const bad = (why: string): Error => new Error(`bad channel pattern ${JSON.stringify(item)} (${why})`);
  if (item === '') throw bad('empty; expected NET[.STA[.LOC[.CHA]]] such as IU.ANMO.*.BH?');
  const parts = item.split('.');
  if (parts.length > 4) throw bad(`${parts.length} dot-separated parts, at most 4 (NET.STA.LOC.CHA)`);
  while (parts.length < 4) parts.push('*');
  return namedParts(parts, PATTERN_PART, 'letters, digits, _, -, * and ?', bad);
}

const compiled = new WeakMap<ChannelPattern, RegExp[]>();

/** A glob (`*` any characters, `?` one) as an anchored RegExp; `flags` as RegExp's (e.g. `i`). */
export function globToRegExp(glob: string, flags = ''): RegExp {
  let source = '^';
  for (const c of glob) {
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += c.replace(/[\\^$.|+()[\]{}*?]/g, '\\$&');
  }
  return new RegExp(source + '$', `s${flags}`);
}

function matchers(pattern: ChannelPattern): RegExp[] {
  let regexps = compiled.get(pattern);
  if (regexps === undefined) {
    regexps = [pattern.network, pattern.station, pattern.location, pattern.channel].map((glob) => globToRegExp(glob));
    compiled.set(pattern, regexps);
  }
  return regexps;
}

/** Whether the channel matches any of the patterns (an empty list matches nothing). */
export function matchesChannel(patterns: readonly ChannelPattern[], id: ChannelId): boolean {
  for (const pattern of patterns) {
    const [network, station, location, channel] = matchers(pattern) as [RegExp, RegExp, RegExp, RegExp];
    if (
      network.test(id.network) &&
      station.test(id.station) &&
      location.test(id.location) &&
      channel.test(id.channel)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * A glob (`*`, `?`) as a ClickHouse LIKE pattern: `\`, `%` and `_` are escaped with a backslash,
 * `*` becomes `%` and `?` becomes `_`. Pass the result as a query parameter, never spliced into SQL.
 */
export function globToLike(glob: string): string {
  let like = '';
  for (const c of glob) {
    if (c === '*') like += '%';
    else if (c === '?') like += '_';
    else if (c === '\\' || c === '%' || c === '_') like += '\\' + c;
    else like += c;
  }
  return like;
}
