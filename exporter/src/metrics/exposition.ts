/**
 * The Prometheus text exposition format (version 0.0.4), for the metrics computed from the store.
 *
 * prom-client renders the process metrics and the exporter's own gauges, but the store-derived
 * families are written here: they are computed once per refresh and served as a cached text,
 * the scan-duration histogram comes pre-aggregated from ClickHouse (prom-client can only
 * `observe()` one value at a time), and 10,000 channels make ~200,000 series that this writer
 * renders several times faster than prom-client's label maps, and in chunks between which the
 * event loop serves scrapes (see store-metrics.ts). Escaping follows the format: in HELP,
 * backslash and newline; in label values, backslash, double quote and newline.
 */

export type MetricType = 'gauge' | 'counter' | 'histogram';

export type Labels = Readonly<Record<string, string>>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabelValue = (text: string) => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** A sample value as the format writes it: Go float text, with +Inf, -Inf and NaN spelled out. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** `{name="value",…}` with the values escaped; '' without labels. */
export function formatLabels(labels: Labels): string {
  const parts: string[] = [];
  for (const name in labels) parts.push(`${name}="${escapeLabelValue(labels[name])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/**
 * One metric family: HELP, TYPE and its samples. Samples are rendered to text as they are added
 * (a family of 50,000 series keeps strings, not label objects).
 */
export class MetricFamily {
  private readonly lines: string[] = [];

  constructor(
    readonly name: string,
    readonly type: MetricType,
    readonly help: string,
  ) {
    if (!NAME.test(name)) throw new Error(`bad metric name "${name}"`);
  }

  get size(): number {
    return this.lines.length;
  }

  /** Adds `name{labels} value`; for histograms, `suffix` is `_bucket`, `_sum` or `_count`. */
  add(labels: Labels, value: number, suffix = ''): this {
    for (const label in labels) if (!LABEL.test(label) || label.startsWith('__')) throw new Error(`bad label name "${label}" on ${this.name}`);
    this.lines.push(`${this.name}${suffix}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }

  /**
   * A whole histogram series from cumulative counts: `counts[i]` observations ≤ `bounds[i]`
   * (bounds ascending), `count` in all (the +Inf bucket) and their `sum`.
   */
  addHistogram(labels: Labels, bounds: readonly number[], counts: readonly number[], count: number, sum: number): this {
    if (this.type !== 'histogram') throw new Error(`${this.name} is a ${this.type}, not a histogram`);
    bounds.forEach((bound, i) => this.add({ ...labels, le: formatValue(bound) }, counts[i], '_bucket'));
    this.add({ ...labels, le: '+Inf' }, count, '_bucket');
    this.add(labels, sum, '_sum');
    this.add(labels, count, '_count');
    return this;
  }

  /** HELP, TYPE and the samples, each line ending in a newline. A family without samples is still declared. */
  render(): string {
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n${this.samples()}`;
  }

  /** The samples alone, each line ending in a newline (more samples of a family rendered before). */
  samples(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}
