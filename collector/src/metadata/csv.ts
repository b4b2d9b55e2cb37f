import type { ChannelEpoch, Micros } from '@lacuna/core';
import { MetadataError } from './errors.ts';
import { formatTime, sampleRateProblem } from '@lacuna/core';
import { isFarFuture, parseIsoMicros, TimeSyntaxError } from './time.ts';

/**
 * Channel metadata as CSV: one row per channel epoch.
 *
 * ```
 * network,station,location,channel,start,end,sample_rate,latitude,longitude,warn_s,fail_s
 * IU,ANMO,00,BHZ,2020-01-01,,20,34.9459,-106.4572,600,3600
 * ```
 *
 * - The header row is required; columns are found by name (case-insensitive), so their order may
 *   vary. `network`, `station`, `location`, `channel` and `start` are required; `end`,
 *   `sample_rate`, `latitude`, `longitude`, `elevation`, `warn_s` and `fail_s` may be left out
 *   (all null). Any other column is an error, and so is a repeated one.
 * - An empty field is null; an empty `end` is an open epoch, and so is one in or after 2255
 *   (e.g. 2599-12-31, a common "open" marker). A location of `--` or empty is the
 *   empty location.
 * - Times are ISO 8601 (`2024-02-01`, `2024-02-01T12:00:00.250Z`, an offset, or none = UTC;
 *   also ordinal `2024-032`), exact to the microsecond (core `parseTime`, without `now`/`-7d`).
 * - Fields may be quoted (RFC 4180: `"a,b"`, `""` for a quote, line breaks inside quotes).
 *   Blank lines and lines starting with `#` are skipped; a UTF-8 byte order mark is ignored.
 */
export const CSV_COLUMNS = [
  'network',
  'station',
  'location',
  'channel',
  'start',
  'end',
  'sample_rate',
  'latitude',
  'longitude',
  'warn_s',
  'fail_s',
] as const;

/** Columns accepted besides {@link CSV_COLUMNS}. */
const OPTIONAL_EXTRA_COLUMNS = ['elevation'] as const;
const REQUIRED_COLUMNS = ['network', 'station', 'location', 'channel', 'start'] as const;

type Column = (typeof CSV_COLUMNS)[number] | (typeof OPTIONAL_EXTRA_COLUMNS)[number];
const KNOWN_COLUMNS: ReadonlySet<string> = new Set<string>([...CSV_COLUMNS, ...OPTIONAL_EXTRA_COLUMNS]);

/** One CSV record: its fields and the (1-based) line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Splits CSV text into records (RFC 4180 quoting); skips blank and `#` comment lines. Errors are
 * MetadataErrors naming `source` and the line. The one CSV reader of the collector's inputs.
 */
export function* csvRecords(text: string, source: string): Generator<CsvRecord> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  while (i < n) {
    const recordLine = line;
    // Blank (or whitespace-only) line, or comment line: skip.
    let b = i;
    while (b < n && (text[b] === ' ' || text[b] === '\t')) b++;
    const c0 = text[b];
    if (b >= n) break;
    if (c0 === '\n' || c0 === '\r') {
      i = b + (c0 === '\r' && text[b + 1] === '\n' ? 2 : 1);
      line++;
      continue;
    }
    if (c0 === '#') {
      i = b;
      while (i < n && text[i] !== '\n') i++;
      i++;
      line++;
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      // One field, starting at i.
      let j = i;
      while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
      if (text[j] === '"') {
        let value = '';
        let k = j + 1;
        for (;;) {
          const q = text.indexOf('"', k);
          if (q < 0) {
            throw new MetadataError(source, `line ${recordLine}`, 'unterminated quoted field');
          }
          const chunk = text.slice(k, q);
          for (let p = chunk.indexOf('\n'); p >= 0; p = chunk.indexOf('\n', p + 1)) line++;
          value += chunk;
          if (text[q + 1] === '"') {
            value += '"';
            k = q + 2;
          } else {
            k = q + 1;
            break;
          }
        }
        while (k < n && (text[k] === ' ' || text[k] === '\t')) k++;
        if (k < n && text[k] !== ',' && text[k] !== '\n' && text[k] !== '\r') {
          throw new MetadataError(source, `line ${line}`, `unexpected ${JSON.stringify(text[k])} after a closing quote`);
        }
        fields.push(value);
        i = k;
      } else {
        let k = j;
        while (k < n && text[k] !== ',' && text[k] !== '\n' && text[k] !== '\r') k++;
        const value = text.slice(j, k);
        if (value.includes('"')) {
          throw new MetadataError(source, `line ${line}`, `stray quote in unquoted field ${JSON.stringify(value.trim())}`);
        }
        fields.push(value);
        i = k;
      }
      if (i >= n) break;
      if (text[i] === ',') {
        i++;
        continue;
      }
      // End of line.
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      break;
    }
    yield { line: recordLine, fields };
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const CODE = /^[A-Za-z0-9_-]+$/;

/**
 * Parses channel metadata CSV (format above) into channel epochs, in file order.
 * Throws {@link MetadataError} naming `sourceName`, the line and the fault on the first error.
 */
export function parseChannelCsv(text: string, sourceName: string): ChannelEpoch[] {
  const records = csvRecords(text, sourceName);
  const first = records.next();
  if (first.done) {
    throw new MetadataError(sourceName, '', `empty CSV: a header row is required (${CSV_COLUMNS.join(',')})`);
  }
  const header = first.value;
  if (!header.fields.some((f) => KNOWN_COLUMNS.has(f.trim().toLowerCase()))) {
    const found = header.fields.join(',');
    // Not the whole line: a binary file given by mistake put hundreds of bytes of it into the message.
    const shown = /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(found) ? 'what looks like binary content, not text' : JSON.stringify(found.length > 80 ? `${found.slice(0, 80)}…` : found);
    throw new MetadataError(sourceName, `line ${header.line}`, `missing header row: expected column names (${CSV_COLUMNS.join(',')}), found ${shown}`);
  }
  const index = new Map<Column, number>();
  header.fields.forEach((raw, k) => {
    const name = raw.trim().toLowerCase();
    const where = `line ${header.line}`;
    if (name === '') throw new MetadataError(sourceName, where, `header column ${k + 1} is empty`);
    if (!KNOWN_COLUMNS.has(name)) {
      throw new MetadataError(
        sourceName,
        where,
        `unknown column "${raw.trim()}" (the columns are ${CSV_COLUMNS.join(',')}, and optionally elevation)`,
      );
    }
    if (index.has(name as Column)) throw new MetadataError(sourceName, where, `column "${name}" appears twice`);
    index.set(name as Column, k);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new MetadataError(
      sourceName,
      `line ${header.line}`,
      `missing required column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')}`,
    );
  }
  const width = header.fields.length;

  const epochs: ChannelEpoch[] = [];
  for (const { line, fields } of records) {
    const where = `line ${line}`;
    const fail = (reason: string): never => {
      throw new MetadataError(sourceName, where, reason);
    };
    if (fields.length !== width) {
      fail(`${fields.length} field${fields.length === 1 ? '' : 's'}, but the header has ${width}`);
    }
    const get = (c: Column): string => {
      const k = index.get(c);
      return k === undefined ? '' : fields[k].trim();
    };
    const code = (c: 'network' | 'station' | 'channel'): string => {
      const v = get(c);
      if (v === '') fail(`empty ${c}`);
      if (!CODE.test(v)) fail(`bad ${c} "${v}"`);
      return v;
    };
    const time = (c: 'start' | 'end'): Micros | null => {
      const v = get(c);
      if (v === '' || (c === 'end' && isFarFuture(v))) return null;
      try {
        return parseIsoMicros(v);
      } catch (e) {
        if (e instanceof TimeSyntaxError) return fail(`invalid ${c} "${v}": ${e.message}`);
        throw e;
      }
    };
    const num = (c: Column, check: (x: number) => boolean, expect: string): number | null => {
      const v = get(c);
      if (v === '') return null;
      const x = Number(v);
      if (!NUMBER.test(v) || !Number.isFinite(x)) return fail(`bad ${c} "${v}" (not a number)`);
      if (!check(x)) return fail(`bad ${c} "${v}" (${expect})`);
      return x;
    };

    const network = code('network');
    const station = code('station');
    let location = get('location');
    if (location === '--') location = '';
    if (location !== '' && !CODE.test(location)) fail(`bad location "${location}"`);
    const channel = code('channel');
    const start = time('start');
    if (start === null) fail('empty start (every epoch needs a start time)');
    const end = time('end');
    if (end !== null && start !== null && end <= start) {
      fail(end < start ? `end "${get('end')}" is before start "${get('start')}"` : `end "${get('end')}" equals start`);
    }
    const sampleRate = num('sample_rate', (x) => sampleRateProblem(x) === null, sampleRateProblem(Number(get('sample_rate'))) ?? '');
    const latitude = num('latitude', (x) => x >= -90 && x <= 90, 'must be within -90..90');
    const longitude = num('longitude', (x) => x >= -180 && x <= 180, 'must be within -180..180');
    const elevation = num('elevation', () => true, '');
    const warnS = num('warn_s', (x) => x > 0, 'must be > 0 seconds');
    const failS = num('fail_s', (x) => x > 0, 'must be > 0 seconds');
    if (warnS !== null && failS !== null && failS < warnS) {
      fail(`fail_s ${get('fail_s')} is less than warn_s ${get('warn_s')}`);
    }
    epochs.push({
      network,
      station,
      location,
      channel,
      start: start as Micros,
      end,
      sampleRate,
      latitude,
      longitude,
      elevation,
      warnS,
      failS,
    });
  }
  return epochs;
}

function csvField(value: string): string {
  return /[",\r\n#]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Writes channel epochs in the CSV format {@link parseChannelCsv} reads (header
 * {@link CSV_COLUMNS}, plus `elevation` when any epoch has one; times as ISO 8601 UTC with six
 * fractional digits;
 * the empty location as `--`).
 */
export function formatChannelCsv(epochs: readonly ChannelEpoch[]): string {
  const withElevation = epochs.some((e) => e.elevation !== null);
  const columns: string[] = [...CSV_COLUMNS];
  if (withElevation) columns.push('elevation');
  const num = (x: number | null) => (x === null ? '' : String(x));
  const lines = [columns.join(',')];
  for (const e of epochs) {
    const row = [
      e.network,
      e.station,
      e.location === '' ? '--' : e.location,
      e.channel,
      formatTime(e.start),
      e.end === null ? '' : formatTime(e.end),
      num(e.sampleRate),
      num(e.latitude),
      num(e.longitude),
      num(e.warnS),
      num(e.failS),
    ];
    if (withElevation) row.push(num(e.elevation));
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}
