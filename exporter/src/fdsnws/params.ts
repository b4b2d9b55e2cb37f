/**
 * The parameters of the FDSN availability web service 1.0:
 * a GET query string or a POST body becomes one validated AvailabilityRequest. Pure: no I/O.
 *
 * Every problem is an HttpError 400 whose message names the parameter (or the POST line) and
 * says what is wrong; the router renders it as the FDSN error document.
 */
import { z } from 'zod';
import { MAX_CHANNEL_PATTERNS, type ChannelPattern } from '@lacuna/core';
import type { Micros } from '@lacuna/core';
import { InvalidTimeError, parseTime } from '@lacuna/core';
import { badRequest, HttpError } from '../http/errors.ts';
import { validate } from '../http/validation.ts';

export type Endpoint = 'query' | 'extent';
export type OutputFormat = 'text' | 'geocsv' | 'json' | 'request';
export type OrderBy =
  | 'nslc_time_quality_samplerate'
  | 'latestupdate'
  | 'latestupdate_desc'
  | 'timespancount'
  | 'timespancount_desc';

/** Orderings each endpoint accepts (the digest's parameter table). */
export const ORDERINGS: Record<Endpoint, readonly OrderBy[]> = {
  query: ['nslc_time_quality_samplerate', 'latestupdate', 'latestupdate_desc'],
  extent: ['nslc_time_quality_samplerate', 'latestupdate', 'latestupdate_desc', 'timespancount', 'timespancount_desc'],
};

/** Channels and a time window: the GET parameters, or one line of a POST body. */
export interface Selection {
  patterns: ChannelPattern[];
  /** null: unbounded. */
  start: Micros | null;
  end: Micros | null;
}

export interface AvailabilityRequest {
  endpoint: Endpoint;
  selections: Selection[];
  /** Quality codes to keep; null: any. */
  qualities: string[] | null;
  mergeQuality: boolean;
  mergeSampleRate: boolean;
  /** Only on query. */
  mergeOverlap: boolean;
  /** Join tolerance in seconds; null: the default 0.5Δ. Only on query. */
  mergeGaps: number | null;
  /** Only on query. */
  showLatestUpdate: boolean;
  orderBy: OrderBy;
  /** Most rows (spans or extents) returned; null: no limit of the caller's. */
  limit: number | null;
  format: OutputFormat;
  nodata: 204 | 404;
}

/** A parameter value longer than this is refused (codes are at most 8 characters; lists are short). */
export const MAX_PARAMETER_LENGTH = 1000;
/** One network, station, location or channel code or pattern. */
export const MAX_CODE_LENGTH = 16;
/** Selection lines in one POST body: each costs a store query. */
export const MAX_POST_SELECTIONS = 1000;

const ALIASES: Record<string, string> = {
  net: 'network',
  sta: 'station',
  loc: 'location',
  cha: 'channel',
  start: 'starttime',
  end: 'endtime',
};

/** Parameters whose values are comma lists: repeating them adds items. */
const LIST_PARAMETERS = new Set(['network', 'station', 'location', 'channel', 'quality', 'merge']);
/** Parameters that describe the selection: in a POST body they belong on the selection lines. */
const SELECTION_PARAMETERS = new Set(['network', 'station', 'location', 'channel', 'starttime', 'endtime']);

/** A value for a message: quoted, and cut short so a hostile 10 kB value is not echoed back. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** A zod string field whose text `parse` turns into a value, or throws an Error saying what is wrong. */
function parsedField<T>(parse: (text: string) => T) {
  return z.string().transform((text, context): T => {
    try {
      return parse(text);
    } catch (error) {
      context.issues.push({ code: 'custom', message: (error as Error).message, input: text });
      return z.NEVER;
    }
  });
}

function checkLength(text: string): void {
  if (text.length > MAX_PARAMETER_LENGTH) {
    throw new Error(`value of ${text.length} characters, at most ${MAX_PARAMETER_LENGTH} are allowed`);
  }
}

const CODE_PATTERN = /^[A-Za-z0-9_*?]+$/;

/** One code or glob (`*`, `?`); for locations `--` (or nothing) is the empty location. */
function parseCode(item: string, isLocation: boolean): string {
  if (isLocation && (item === '--' || item === '')) return '';
  if (item === '') throw new Error('empty code in the list');
  if (item.length > MAX_CODE_LENGTH) {
    throw new Error(`code ${quote(item)} has ${item.length} characters, at most ${MAX_CODE_LENGTH} are allowed`);
  }
  if (!CODE_PATTERN.test(item)) {
    throw new Error(
      `code ${quote(item)} may hold only letters, digits, _ and the wildcards * and ?` + (isLocation ? ' (-- for the empty location)' : ''),
    );
  }
  return item;
}

function codeList(isLocation: boolean) {
  return parsedField((text) => {
    checkLength(text);
    return [...new Set(text.split(',').map((item) => parseCode(item.trim(), isLocation)))];
  });
}

const QUALITY_CODES = ['D', 'R', 'Q', 'M'];

/** `D,M` → ['D', 'M']; `*` anywhere in the list → null (any quality). */
const qualityField = parsedField((text): string[] | null => {
  checkLength(text);
  const items = text.split(',').map((item) => item.trim().toUpperCase());
  if (items.includes('*')) return null;
  for (const item of items) {
    if (!QUALITY_CODES.includes(item)) throw new Error(`${quote(item)} is not a quality; expected D, R, Q, M or *`);
  }
  return [...new Set(items)];
});

const FDSN_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)?Z?$/i;

/** FDSN times: YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.f…], UTC, with an optional Z. */
export function parseFdsnTime(text: string): Micros {
  if (!FDSN_TIME.test(text)) {
    throw new Error(`${quote(text)} is not a time; expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.ffffff] (UTC)`);
  }
  try {
    return parseTime(text);
  } catch (error) {
    // parseTime's reason (month 13, out of range…) without its own quoting of the whole text.
    if (!(error instanceof InvalidTimeError)) throw error;
    throw new Error(`${quote(text)} is not a time (${error.reason})`);
  }
}

const timeField = parsedField(parseFdsnTime);

const MERGE_OPTIONS = ['samplerate', 'quality', 'overlap'] as const;
type MergeOption = (typeof MERGE_OPTIONS)[number];

function mergeField(endpoint: Endpoint) {
  const allowed: readonly MergeOption[] = endpoint === 'query' ? MERGE_OPTIONS : ['samplerate', 'quality'];
  return parsedField((text) => {
    checkLength(text);
    const items = text.split(',').map((item) => item.trim().toLowerCase());
    for (const item of items) {
      if (item === 'overlap' && endpoint === 'extent') throw new Error('overlap is accepted by query only, not by extent');
      if (!(allowed as readonly string[]).includes(item)) throw new Error(`${quote(item)} is not a merge option; expected ${allowed.join(', ')}`);
    }
    return new Set(items as MergeOption[]);
  });
}

/** Seconds in decimal notation, ≥ 0 (exponents are refused, as SeisComP does). */
const mergeGapsField = parsedField((text) => {
  if (!/^(?:\d{1,12}(?:\.\d*)?|\.\d+)$/.test(text)) throw new Error(`${quote(text)} is not a number of seconds ≥ 0 such as 0, 1.5 or 3600`);
  return Number(text);
});

const limitField = parsedField((text) => {
  const limit = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!(limit >= 1)) throw new Error(`${quote(text)} is not a whole number ≥ 1`);
  return limit;
});

const BOOLEANS: Record<string, boolean> = { true: true, t: true, yes: true, y: true, 1: true, false: false, f: false, no: false, n: false, 0: false };

const booleanField = parsedField((text) => {
  const value = BOOLEANS[text.toLowerCase()];
  if (value === undefined) throw new Error(`${quote(text)} is not a boolean; expected true or false (also accepted: t or f, yes or no, y or n, 1 or 0)`);
  return value;
});

function choiceField<T extends string | number>(choices: readonly T[]) {
  return parsedField((text) => {
    const choice = choices.find((candidate) => String(candidate) === text.toLowerCase());
    if (choice === undefined) throw new Error(`${quote(text)} is not one of ${choices.join(', ')}`);
    return choice;
  });
}

/** A parameter the other endpoint takes: named in the error rather than called unknown. */
function queryOnly() {
  return z.undefined({ error: 'accepted by query only, not by extent' }).optional();
}

/** Options that may come on a POST body's key=value lines as well as in a query string. */
function optionFields(endpoint: Endpoint) {
  return {
    quality: qualityField.optional(),
    merge: mergeField(endpoint).optional(),
    mergegaps: endpoint === 'query' ? mergeGapsField.optional() : queryOnly(),
    show: endpoint === 'query' ? choiceField(['latestupdate'] as const).optional() : queryOnly(),
    orderby: choiceField(ORDERINGS[endpoint]).optional(),
    limit: limitField.optional(),
    includerestricted: booleanField.optional(),
    format: choiceField(['text', 'geocsv', 'json', 'request'] as const).optional(),
    nodata: choiceField([204, 404] as const).optional(),
  };
}

const selectionFields = {
  network: codeList(false).optional(),
  station: codeList(false).optional(),
  location: codeList(true).optional(),
  channel: codeList(false).optional(),
  starttime: timeField.optional(),
  endtime: timeField.optional(),
};

type Options = z.infer<z.ZodObject<ReturnType<typeof optionFields>>>;

/**
 * Parameter name → value, with aliases resolved. Repeated list parameters (and a list given under
 * both its names) join into one comma list; any other parameter given twice is an error.
 */
function collectParameters(pairs: Iterable<[string, string]>, where: (name: string) => string): Record<string, string> {
  const collected: Record<string, string> = {};
  for (const [rawName, value] of pairs) {
    const name = ALIASES[rawName] ?? rawName;
    if (!Object.hasOwn(collected, name)) {
      collected[name] = value;
    } else if (LIST_PARAMETERS.has(name)) {
      collected[name] += `,${value}`;
    } else {
      throw badRequest(`parameter ${name}: given more than once${where(name)}`);
    }
  }
  return collected;
}

function options(endpoint: Endpoint, parsed: Options): Omit<AvailabilityRequest, 'selections'> {
  const merge = parsed.merge ?? new Set<MergeOption>();
  return {
    endpoint,
    qualities: parsed.quality ?? null,
    mergeQuality: merge.has('quality'),
    mergeSampleRate: merge.has('samplerate'),
    mergeOverlap: merge.has('overlap'),
    mergeGaps: parsed.mergegaps ?? null,
    showLatestUpdate: parsed.show === 'latestupdate',
    orderBy: parsed.orderby ?? 'nslc_time_quality_samplerate',
    limit: parsed.limit ?? null,
    format: parsed.format ?? 'text',
    nodata: parsed.nodata ?? 204,
  };
}

function checkWindow(start: Micros | null, end: Micros | null): void {
  if (start !== null && end !== null && start >= end) throw badRequest('parameter starttime: must be before endtime');
}

/** Every combination of the code lists, as channel patterns (a missing list matches any code). */
function patternsOf(lists: { network?: string[]; station?: string[]; location?: string[]; channel?: string[] }): ChannelPattern[] {
  const combinations = (lists.network?.length ?? 1) * (lists.station?.length ?? 1) * (lists.location?.length ?? 1) * (lists.channel?.length ?? 1);
  if (combinations > MAX_CHANNEL_PATTERNS) {
    throw badRequest(
      `parameters network, station, location, channel: their lists combine into ${combinations} channel patterns, at most ${MAX_CHANNEL_PATTERNS} are allowed`,
    );
  }
  const patterns: ChannelPattern[] = [];
  for (const network of lists.network ?? ['*']) {
    for (const station of lists.station ?? ['*']) {
      for (const location of lists.location ?? ['*']) {
        for (const channel of lists.channel ?? ['*']) patterns.push({ network, station, location, channel });
      }
    }
  }
  return patterns;
}

/** The parameters of a GET request (query string pairs, in order; repeats allowed for lists). */
export function parseGetParameters(endpoint: Endpoint, pairs: Iterable<[string, string]>): AvailabilityRequest {
  const collected = collectParameters(pairs, () => '');
  const parsed = validate(z.strictObject({ ...selectionFields, ...optionFields(endpoint) }), collected);
  checkWindow(parsed.starttime ?? null, parsed.endtime ?? null);
  return {
    ...options(endpoint, parsed),
    selections: [{ patterns: patternsOf(parsed), start: parsed.starttime ?? null, end: parsed.endtime ?? null }],
  };
}

/**
 * A POST body: optional `key=value` lines (options only), then one selection per line,
 * `NET STA LOC CHA START [END]`, separated by white space, `--` for the empty location, wildcards
 * allowed. Blank lines are skipped. Errors name the line.
 */
export function parsePostBody(endpoint: Endpoint, body: string): AvailabilityRequest {
  const lines = body.split(/\r?\n/).map((line, index) => ({ number: index + 1, text: line.trim() })).filter((line) => line.text !== '');
  const optionPairs: [string, string][] = [];
  const optionLines = new Map<string, number>();
  const selections: Selection[] = [];
  // A line given again selects nothing more, but was read again: 1,000 copies of one line held 0.8 GB.
  const selectionLines = new Set<string>();
  for (const line of lines) {
    const equals = line.text.indexOf('=');
    if (equals >= 0 && selections.length === 0) {
      const name = line.text.slice(0, equals).trim();
      const value = line.text.slice(equals + 1).trim();
      if (SELECTION_PARAMETERS.has(ALIASES[name] ?? name)) {
        throw badRequest(`parameter ${name} (line ${line.number}): not allowed on a key=value line; put channels and times on the selection lines (NET STA LOC CHA START [END])`);
      }
      optionPairs.push([name, value]);
      optionLines.set(ALIASES[name] ?? name, line.number);
      continue;
    }
    if (equals >= 0) throw badRequest(`line ${line.number}: key=value lines must come before the selection lines`);
    const selection = line.text.split(/\s+/).join(' ');
    if (selectionLines.has(selection)) continue;
    selectionLines.add(selection);
    if (selections.length >= MAX_POST_SELECTIONS) throw badRequest(`request body: more than ${MAX_POST_SELECTIONS} selection lines`);
    selections.push(parseSelectionLine(line.text, line.number));
  }
  if (selections.length === 0) throw badRequest('request body: no selection line (NET STA LOC CHA START [END])');
  const collected = collectParameters(optionPairs, (name) => ` (line ${optionLines.get(name)})`);
  const parsed = validate(z.strictObject(optionFields(endpoint)), collected);
  return { ...options(endpoint, parsed), selections };
}

const selectionLineSchema = z.strictObject(selectionFields);

function parseSelectionLine(text: string, number: number): Selection {
  const tokens = text.split(/\s+/);
  if (tokens.length < 5 || tokens.length > 6) {
    throw badRequest(`line ${number}: ${tokens.length} fields, expected NET STA LOC CHA START [END]`);
  }
  const [network, station, location, channel, starttime, endtime] = tokens;
  try {
    const parsed = validate(selectionLineSchema, { network, station, location, channel, starttime, endtime });
    checkWindow(parsed.starttime ?? null, parsed.endtime ?? null);
    return { patterns: patternsOf(parsed), start: parsed.starttime ?? null, end: parsed.endtime ?? null };
  } catch (error) {
    if (error instanceof HttpError) throw badRequest(`line ${number}: ${error.message}`);
    throw error;
  }
}
