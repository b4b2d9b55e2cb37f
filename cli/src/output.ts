import { formatTime } from '@lacuna/core';

export const FORMATS = ['text', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export interface Column {
  key: string;
  /** The field name printed (default: key). */
  name?: string;
  kind: 'string' | 'time' | 'number' | 'seconds' | 'percent';
}

function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A value as it appears in JSON: ISO times with µs and Z, seconds to the µs, percent to 1e-4. */
function jsonValue(value: unknown, column: Column): unknown {
  if (value === null || value === undefined) return null;
  switch (column.kind) {
    case 'time':
      return formatTime(value as number);
    case 'seconds':
      return roundTo(value as number, 6);
    case 'percent':
      return roundTo(value as number, 4);
    default:
      return value;
  }
}

function textValue(value: unknown, column: Column): string {
  const json = jsonValue(value, column);
  if (json === null) return column.kind === 'percent' ? 'n/a' : '';
  if (column.kind === 'percent') return (json as number).toFixed(2);
  return String(json);
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as text, JSON or CSV; `empty` is what the text format says when there are no rows (JSON and CSV stay parseable: [] and the header). */
export function formatRows(rows: readonly Record<string, unknown>[], columns: readonly Column[], format: Format, empty: string): string {
  const present = columns;
  const name = (column: Column) => column.name ?? column.key;
  if (format === 'json') {
    const objects = rows.map((row) => Object.fromEntries(present.map((c) => [name(c), jsonValue(row[c.key], c)])));
    return `${JSON.stringify(objects, null, 2)}\n`;
  }
  if (format === 'csv') {
    const lines = [present.map(name).join(',')];
    for (const row of rows) lines.push(present.map((c) => csvCell(jsonValue(row[c.key], c) === null ? '' : String(jsonValue(row[c.key], c)))).join(','));
    return `${lines.join('\n')}\n`;
  }
  if (rows.length === 0) return `${empty}\n`;
  const cells = rows.map((row) => present.map((c) => textValue(row[c.key], c)));
  const widths = present.map((c, i) => Math.max(name(c).length, ...cells.map((line) => line[i].length)));
  const align = (text: string, i: number) => (present[i].kind === 'string' || present[i].kind === 'time' ? text.padEnd(widths[i]) : text.padStart(widths[i]));
  const lines = [present.map((c, i) => align(name(c), i)).join('  '), ...cells.map((line) => line.map(align).join('  '))];
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n`;
}
