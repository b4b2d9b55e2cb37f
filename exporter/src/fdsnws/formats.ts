/**
 * The output formats of the FDSN availability web service 1.0: text, geocsv, json and request. Pure: rows in, a body and its media type out.
 *
 * Span bounds and extents print with six fractional digits and Z; `updated` and `created` in whole
 * seconds and Z. Sample rates print with at least one decimal (20.0, 0.1), keeping any further
 * digits that SeisComP's one-decimal style would lose. The empty location is `--` in text and
 * request, an empty field in geocsv and an empty string in json.
 */
import type { ChannelId, Micros } from '@lacuna/core';
import { formatTime } from '@lacuna/core';
import type { OutputFormat } from './params.ts';
import type { AvailabilityExtent, AvailabilitySpan } from './spans.ts';

export interface FormattedBody {
  contentType: string;
  body: string;
}

export interface ColumnChoice {
  /** False when qualities are merged. */
  showQuality: boolean;
  /** False when sample rates are merged. */
  showSampleRate: boolean;
}

export interface SpanFormatOptions extends ColumnChoice {
  /** show=latestupdate. */
  showUpdated: boolean;
  /** When the response was made (json `created`). */
  created: Micros;
}

export interface ExtentFormatOptions extends ColumnChoice {
  created: Micros;
}

/** `2024-01-03T04:05:06Z`: whole seconds (truncated), as the digest has `updated` and `created`. */
export function formatSeconds(us: Micros): string {
  return `${formatTime(us).slice(0, 19)}Z`;
}

/** 20 → `20.0`, 0.1 → `0.1`, 0.05 → `0.05`. */
export function formatSampleRate(rate: number): string {
  return Number.isInteger(rate) ? rate.toFixed(1) : String(rate);
}

type Row = ChannelId & { quality: string | null; sampleRate: number | null };

interface Column<T> {
  name: string;
  unit: string;
  type: string;
  value(row: T): string;
}

function channelColumns<T extends Row>(choice: ColumnChoice): Column<T>[] {
  const columns: Column<T>[] = [
    { name: 'Network', unit: 'unitless', type: 'string', value: (row) => row.network },
    { name: 'Station', unit: 'unitless', type: 'string', value: (row) => row.station },
    { name: 'Location', unit: 'unitless', type: 'string', value: (row) => row.location },
    { name: 'Channel', unit: 'unitless', type: 'string', value: (row) => row.channel },
  ];
  if (choice.showQuality) columns.push({ name: 'Quality', unit: 'unitless', type: 'string', value: (row) => row.quality ?? '' });
  if (choice.showSampleRate) {
    columns.push({ name: 'SampleRate', unit: 'hertz', type: 'float', value: (row) => (row.sampleRate === null ? '' : formatSampleRate(row.sampleRate)) });
  }
  return columns;
}

const timeColumn = <T>(name: string, value: (row: T) => Micros): Column<T> => ({
  name,
  unit: 'ISO_8601',
  type: 'datetime',
  value: (row) => formatTime(value(row)),
});

const updatedColumn = <T extends { updated: Micros }>(): Column<T> => ({
  name: 'Updated',
  unit: 'ISO_8601',
  type: 'datetime',
  value: (row) => formatSeconds(row.updated),
});

function spanColumns(options: SpanFormatOptions): Column<AvailabilitySpan>[] {
  const columns = [
    ...channelColumns<AvailabilitySpan>(options),
    timeColumn<AvailabilitySpan>('Earliest', (span) => span.start),
    timeColumn<AvailabilitySpan>('Latest', (span) => span.end),
  ];
  if (options.showUpdated) columns.push(updatedColumn());
  return columns;
}

function extentColumns(options: ExtentFormatOptions): Column<AvailabilityExtent>[] {
  return [
    ...channelColumns<AvailabilityExtent>(options),
    timeColumn<AvailabilityExtent>('Earliest', (extent) => extent.earliest),
    timeColumn<AvailabilityExtent>('Latest', (extent) => extent.latest),
    updatedColumn(),
    { name: 'TimeSpans', unit: 'unitless', type: 'integer', value: (extent) => String(extent.timespans) },
    { name: 'Restriction', unit: 'unitless', type: 'string', value: (extent) => extent.restriction },
  ];
}

/**
 * text: a `#` header with the full column names, then rows; each column padded to its widest
 * value (or name) and one space apart, the last one unpadded. The empty location prints as `--`.
 */
function text<T extends Row>(columns: Column<T>[], rows: readonly T[]): FormattedBody {
  const cells = (row: T): string[] => columns.map((column) => (column.name === 'Location' && row.location === '' ? '--' : column.value(row)));
  const lines = [columns.map((column, index) => (index === 0 ? `#${column.name}` : column.name)), ...rows.map(cells)];
  const widths = columns.map(() => 0);
  for (const line of lines) line.forEach((cell, index) => (widths[index] = Math.max(widths[index], cell.length)));
  const body = lines.map((line) => line.map((cell, index) => (index === line.length - 1 ? cell : cell.padEnd(widths[index]))).join(' ')).join('\n');
  return { contentType: 'text/plain', body: `${body}\n` };
}

/** geocsv: GeoCSV 2.0 header lines, the column names, then `|`-separated rows. */
function geocsv<T extends Row>(columns: Column<T>[], rows: readonly T[]): FormattedBody {
  const lines = [
    '#dataset: GeoCSV 2.0',
    '#delimiter: |',
    `#field_unit: ${columns.map((column) => column.unit).join('|')}`,
    `#field_type: ${columns.map((column) => column.type).join('|')}`,
    columns.map((column) => column.name).join('|'),
    ...rows.map((row) => columns.map((column) => column.value(row)).join('|')),
  ];
  return { contentType: 'text/csv', body: `${lines.join('\n')}\n` };
}

/** request: `NET STA LOC CHA START END` per row, usable as a dataselect POST body. */
function request<T extends ChannelId>(rows: readonly T[], start: (row: T) => Micros, end: (row: T) => Micros): FormattedBody {
  const lines = rows.map((row) => `${row.network} ${row.station} ${row.location || '--'} ${row.channel} ${formatTime(start(row))} ${formatTime(end(row))}`);
  return { contentType: 'text/plain', body: lines.map((line) => `${line}\n`).join('') };
}

function jsonDocument(created: Micros, datasources: object[]): FormattedBody {
  return { contentType: 'application/json', body: JSON.stringify({ created: formatSeconds(created), version: 1.0, datasources }) };
}

function jsonChannel(row: Row, choice: ColumnChoice): Record<string, unknown> {
  const fields: Record<string, unknown> = { network: row.network, station: row.station, location: row.location, channel: row.channel };
  if (choice.showQuality) fields.quality = row.quality;
  if (choice.showSampleRate) fields.samplerate = row.sampleRate;
  return fields;
}

/**
 * json for /query: one datasource per run of consecutive spans of one channel, quality and rate
 * (one per group in the default order), its spans as [start, end] pairs; with show=latestupdate
 * its `updated` is the latest of its spans'.
 */
function spansJson(spans: readonly AvailabilitySpan[], options: SpanFormatOptions): FormattedBody {
  const datasources: { fields: Record<string, unknown>; key: string; timespans: string[][]; updated: Micros }[] = [];
  for (const span of spans) {
    const key = JSON.stringify(jsonChannel(span, options));
    const last = datasources[datasources.length - 1];
    if (last !== undefined && last.key === key) {
      last.timespans.push([formatTime(span.start), formatTime(span.end)]);
      last.updated = Math.max(last.updated, span.updated);
    } else {
      datasources.push({ fields: jsonChannel(span, options), key, timespans: [[formatTime(span.start), formatTime(span.end)]], updated: span.updated });
    }
  }
  return jsonDocument(
    options.created,
    datasources.map((source) => ({
      ...source.fields,
      timespans: source.timespans,
      ...(options.showUpdated ? { updated: formatSeconds(source.updated) } : {}),
    })),
  );
}

function extentsJson(extents: readonly AvailabilityExtent[], options: ExtentFormatOptions): FormattedBody {
  return jsonDocument(
    options.created,
    extents.map((extent) => ({
      ...jsonChannel(extent, options),
      earliest: formatTime(extent.earliest),
      latest: formatTime(extent.latest),
      timespanCount: extent.timespans,
      updated: formatSeconds(extent.updated),
      restriction: extent.restriction,
    })),
  );
}

/** The body of a /query response. */
export function formatSpans(spans: readonly AvailabilitySpan[], format: OutputFormat, options: SpanFormatOptions): FormattedBody {
  switch (format) {
    case 'text':
      return text(spanColumns(options), spans);
    case 'geocsv':
      return geocsv(spanColumns(options), spans);
    case 'json':
      return spansJson(spans, options);
    case 'request':
      return request(spans, (span) => span.start, (span) => span.end);
  }
}

/** The body of an /extent response. */
export function formatExtents(extents: readonly AvailabilityExtent[], format: OutputFormat, options: ExtentFormatOptions): FormattedBody {
  switch (format) {
    case 'text':
      return text(extentColumns(options), extents);
    case 'geocsv':
      return geocsv(extentColumns(options), extents);
    case 'json':
      return extentsJson(extents, options);
    case 'request':
      return request(extents, (extent) => extent.earliest, (extent) => extent.latest);
  }
}
