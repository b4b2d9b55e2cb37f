import { STORE_OPTION, CLUSTER_OPTION, UsageError, choice, type CommandSpec } from '../args.ts';
import { withReports, type Io } from '../context.ts';
import { FORMATS, formatRows, type Column } from '../output.ts';

export const filesSpec: CommandSpec = {
  name: 'files',
  summary: 'List the files scanned, with size, modification time and status; --errors lists only those that failed, with why and where.',
  usage: 'lacuna files [--errors] [--format text|json|csv] [--store DIR|URL]',
  options: {
    errors: { type: 'boolean', description: 'only files that could not be read whole' },
    format: { type: 'string', value: 'text|json|csv', description: 'output format (default text)' },
    store: STORE_OPTION,
    cluster: CLUSTER_OPTION,
  },
};

const COLUMNS: Column[] = [
  { key: 'path', kind: 'string' },
  { key: 'size', kind: 'number' },
  { key: 'mtime', kind: 'time' },
  { key: 'status', kind: 'string' },
  { key: 'records', kind: 'number' },
  { key: 'error_offset', kind: 'number' },
  { key: 'error', kind: 'string' },
  { key: 'scanned_at', kind: 'time' },
];

export async function filesCommand(values: Record<string, unknown>, positionals: string[], io: Io): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`files: unexpected argument "${positionals[0]}"`);
  const format = choice('files', 'format', values.format, FORMATS, 'text');
  const errorsOnly = Boolean(values.errors);
  const rows = await withReports(values, (reader) => reader.files(errorsOnly));
  io.stdout.write(formatRows(rows, COLUMNS, format, errorsOnly ? 'no file has failed' : 'no files scanned yet'));
  return 0;
}
