import { readFile } from 'node:fs/promises';
import { matchesChannel, parseChannelPatterns, type ChannelPattern } from '@lacuna/core';
import type { ChannelId } from '@lacuna/core';
import type { StreamThresholds } from '@lacuna/core';
import { streamChannel } from '@lacuna/core';
import { csvRecords } from '../metadata/csv.ts';

/** One row of an expected-streams file: which channels, their expected rate and thresholds. */
export interface ExpectedStreamRule {
  patterns: ChannelPattern[];
  /** Hz; null when 0 or not given. */
  expectedRate: number | null;
  /** Seconds; both null when the stream is not tracked. */
  warnS: number | null;
  failS: number | null;
}

const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses an expected-streams CSV, the ooi-status model: a header row, then one stream per row.
 * Columns by name (any order):
 * - `stream`: a stream id (`CE01ISSM-MFD37-03-CTDBPC000/telemetered`, see core stream-id.ts) or
 *   a channel pattern with `*` and `?` (`IU.*.*.BH?`); or, as ooi-status writes them,
 * - `name` and `method`: the stream name and delivery method, for every reference designator
 *   (`*.*.*.METHOD-NAME`, the channel a `REFDES/METHOD/NAME` stream id maps to);
 * - `expected_rate` (Hz), `warn_interval` and `fail_interval` (seconds), each ≥ 0. A rate of 0 is
 *   no expected rate; 0, 0, 0 marks a stream not tracked (NOT_TRACKED), as in ooi-status.
 * Blank lines and lines starting with `#` are skipped; fields may be quoted (RFC 4180). The first
 * matching row wins. Throws an Error naming the file, the line and the fault.
 */
export function parseExpectedStreamsCsv(text: string, sourceName: string): ExpectedStreamRule[] {
  const rules: ExpectedStreamRule[] = [];
  let header: string[] | null = null;
  for (const record of csvRecords(text, sourceName)) {
    const where = `${sourceName} line ${record.line}`;
    const fields = record.fields.map((field) => field.trim());
    if (header === null) {
      header = fields.map((field) => field.toLowerCase());
      const known = new Set(['stream', 'name', 'method', 'expected_rate', 'warn_interval', 'fail_interval']);
      const unknown = header.filter((column) => !known.has(column));
      if (unknown.length > 0) throw new Error(`${where}: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (expected stream or name,method, then expected_rate,warn_interval,fail_interval)`);
      const repeated = header.find((column, k) => header!.indexOf(column) !== k);
      if (repeated !== undefined) throw new Error(`${where}: column ${repeated} appears twice`);
      const has = (column: string) => header!.includes(column);
      if (!has('stream') && !(has('name') && has('method'))) throw new Error(`${where}: a stream column, or name and method columns, are required`);
      for (const column of ['expected_rate', 'warn_interval', 'fail_interval']) if (!has(column)) throw new Error(`${where}: column ${column} is required`);
      continue;
    }
    const columns = header;
    if (fields.length !== columns.length) throw new Error(`${where}: ${fields.length} fields, the header has ${columns.length}`);
    const field = (column: string) => fields[columns.indexOf(column)];
    const number = (column: string) => {
      const value = field(column);
      if (!NUMBER.test(value)) throw new Error(`${where}: ${column} ${JSON.stringify(value)} is not a number ≥ 0`);
      return Number(value);
    };
    let patterns: ChannelPattern[];
    try {
      if (columns.includes('stream') && field('stream') !== '') {
        const stream = field('stream');
        patterns = /[*?]/.test(stream) || stream.includes('.') ? parseChannelPatterns(stream) : [{ ...streamChannel(stream) }];
      } else {
        patterns = parseChannelPatterns(`*.*.*.${field('method')}-${field('name')}`);
      }
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
    const expectedRate = number('expected_rate');
    const warn = number('warn_interval');
    const fail = number('fail_interval');
    const tracked = expectedRate !== 0 || warn !== 0 || fail !== 0;
    rules.push({ patterns, expectedRate: expectedRate > 0 ? expectedRate : null, warnS: tracked ? warn : null, failS: tracked ? fail : null });
  }
  if (header === null) throw new Error(`${sourceName}: empty file (a header row is required)`);
  return rules;
}

/** Reads an expected-streams CSV; errors name the file. */
export async function loadExpectedStreams(path: string): Promise<ExpectedStreamRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read: ${(error as Error).message}`}`);
  }
  return parseExpectedStreamsCsv(text, path);
}

/** The thresholds of the first rule matching the channel; null when none does. */
export function thresholdsFor(rules: readonly ExpectedStreamRule[], id: ChannelId): StreamThresholds | null {
  const rule = rules.find((candidate) => matchesChannel(candidate.patterns, id));
  if (rule === undefined) return null;
  return { network: id.network, station: id.station, location: id.location, channel: id.channel, expectedRate: rule.expectedRate, warnS: rule.warnS, failS: rule.failS };
}
