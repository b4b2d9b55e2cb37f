import { parseChannelPatterns, parseTime, ReportTooLargeError, type ChannelPattern, type Micros } from '@lacuna/core';
import { choice, STORE_OPTION, CLUSTER_OPTION, TOLERANCE_OPTION, toleranceRules, UsageError, type CommandSpec, type OptionSpec } from '../args.ts';
import { withReports, type Io, type ReportArgs } from '../context.ts';
import { FORMATS, formatRows, type Column } from '../output.ts';

const QUERY_OPTIONS: Record<string, OptionSpec> = {
  channel: { type: 'string', value: 'PATTERN', description: 'channels NET.STA.LOC.CHA with * and ? wildcards, comma-separated; missing parts match all ("IU", "IU.ANMO"); -- is the empty location' },
  start: { type: 'string', value: 'TIME', description: 'from this time: ISO 8601 (2024-01-31T12:00:00Z), a date, YYYY,DDD, or relative (-7d, -12h) (default: the first data)' },
  end: { type: 'string', value: 'TIME', description: 'until this time, exclusive (default: the last data)' },
  format: { type: 'string', value: 'text|json|csv', description: 'output format (default text)' },
  'keep-quality': { type: 'boolean', description: 'keep data quality codes (D, R, Q, M) apart instead of merging them' },
  tolerance: TOLERANCE_OPTION,
  store: STORE_OPTION,
  cluster: CLUSTER_OPTION,
};

export const segmentsSpec: CommandSpec = {
  name: 'segments',
  summary: 'List continuous data segments per channel, joined across files. end is the time of the last sample.',
  usage: 'lacuna segments [--channel PATTERN] [--start TIME] [--end TIME] [--format text|json|csv]',
  options: QUERY_OPTIONS,
};

export const gapsSpec: CommandSpec = {
  name: 'gaps',
  summary: 'List gaps per channel: start is the last sample before the gap, end the first sample after it, gap_s = end − start, missing_samples = round(gap_s/Δ) − 1.',
  usage: 'lacuna gaps [--channel PATTERN] [--start TIME] [--end TIME] [--overlaps] [--format text|json|csv]',
  options: { ...QUERY_OPTIONS, overlaps: { type: 'boolean', description: 'also list overlaps (negative gap_s)' } },
};

export const availabilitySpec: CommandSpec = {
  name: 'availability',
  summary: 'Percent availability per channel and UTC day or hour, counting only expected time (channel metadata epochs; a channel without metadata is expected everywhere).',
  usage: 'lacuna availability [--by day|hour] [--channel PATTERN] [--start TIME] [--end TIME] [--format text|json|csv]',
  options: { ...QUERY_OPTIONS, by: { type: 'string', value: 'day|hour', description: 'bucket size (default day)' } },
  details: 'Without --start/--end the window runs from the first to the last data of the selected channels, so a channel that stopped early shows its missing time.',
};

const SEGMENT_COLUMNS: Column[] = [
  { key: 'channel', kind: 'string' },
  { key: 'quality', kind: 'string' },
  { key: 'sample_rate', kind: 'number' },
  { key: 'start', kind: 'time' },
  { key: 'end', kind: 'time' },
  { key: 'samples', kind: 'number' },
];

const GAP_COLUMNS: Column[] = [
  { key: 'channel', kind: 'string' },
  { key: 'quality', kind: 'string' },
  { key: 'sample_rate', kind: 'number' },
  { key: 'start', kind: 'time' },
  { key: 'end', kind: 'time' },
  { key: 'gap_s', kind: 'seconds' },
  { key: 'missing_samples', kind: 'number' },
];

function availabilityColumns(by: 'day' | 'hour'): Column[] {
  return [
    { key: 'channel', kind: 'string' },
    { key: 'quality', kind: 'string' },
    { key: 'bucket', name: by, kind: 'time' },
    { key: 'percent', kind: 'percent' },
    { key: 'covered_s', kind: 'seconds' },
    { key: 'expected_s', kind: 'seconds' },
    { key: 'gaps', kind: 'number' },
    { key: 'max_gap_s', kind: 'seconds' },
    { key: 'overlaps', kind: 'number' },
  ];
}

function timeOption(command: string, name: string, value: unknown): Micros | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTime(value as string);
  } catch (error) {
    throw new UsageError(`${command}: --${name}: ${(error as Error).message}`);
  }
}

function patternsOption(command: string, value: unknown): ChannelPattern[] {
  if (value === undefined) return [];
  try {
    return parseChannelPatterns(value as string);
  } catch (error) {
    throw new UsageError(`${command}: --channel: ${(error as Error).message}`);
  }
}

type QueryKind = 'segments' | 'gaps' | 'availability';

const EMPTY: Record<QueryKind, string> = { segments: 'no segments', gaps: 'no gaps', availability: 'no data and nothing expected' };

export async function queryCommand(kind: QueryKind, values: Record<string, unknown>, positionals: string[], io: Io): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`${kind}: unexpected argument "${positionals[0]}" (select channels with --channel)`);
  const format = choice(kind, 'format', values.format, FORMATS, 'text');
  const by = choice(kind, 'by', values.by, ['day', 'hour'] as const, 'day');
  patternsOption(kind, values.channel);
  const start = timeOption(kind, 'start', values.start);
  const end = timeOption(kind, 'end', values.end);
  if (start !== undefined && end !== undefined && end <= start) throw new UsageError(`${kind}: --end must be after --start`);
  toleranceRules(kind, values.tolerance);
  const args: ReportArgs = {
    channel: values.channel as string | undefined,
    start,
    end,
    by,
    overlaps: Boolean(values.overlaps),
    keepQuality: Boolean(values['keep-quality']),
    tolerance: (values.tolerance as string[] | undefined) ?? [],
  };
  const rows = await withReports(values, (reader) => reader.report(kind, args)).catch((error: unknown) => {
    throw error instanceof ReportTooLargeError ? new UsageError(error.message) : error;
  });
  let columns = kind === 'segments' ? SEGMENT_COLUMNS : kind === 'gaps' ? GAP_COLUMNS : availabilityColumns(by);
  if (!args.keepQuality && kind === 'availability') columns = columns.filter((column) => column.key !== 'quality');
  io.stdout.write(formatRows(rows, columns, format, EMPTY[kind]));
  return 0;
}
