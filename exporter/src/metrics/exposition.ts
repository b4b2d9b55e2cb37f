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

/** The first page of a TextPages; each next one is twice as large, up to MAX_PAGE_BYTES. */
const FIRST_PAGE_BYTES = 4096;
const MAX_PAGE_BYTES = 64 * 1024;

/**
 * UTF-8 text appended into pages of bytes. A family of 50,000 samples is then a few megabytes
 * outside the V8 heap rather than 50,000 strings on it (that outlive a refresh's young-generation
 * collections and swell the old generation each refresh), and it is never copied as it grows.
 */
export class TextPages {
  private readonly full: Buffer[] = [];
  private page: Buffer = Buffer.alloc(0);
  private used = 0;

  append(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8: the text fits when that many bytes are free.
    if (this.page.length - this.used < text.length * 3) {
      if (this.used > 0) this.full.push(this.page.subarray(0, this.used));
      this.page = Buffer.allocUnsafe(Math.max(text.length * 3, Math.min(MAX_PAGE_BYTES, this.page.length * 2 || FIRST_PAGE_BYTES)));
      this.used = 0;
    }
    this.used += this.page.write(text, this.used);
  }

  /** The text so far: views of the pages, not copies (appending later does not change them). */
  buffers(): Buffer[] {
    return this.used === 0 ? [...this.full] : [...this.full, this.page.subarray(0, this.used)];
  }
}

/**
 * One metric family: HELP, TYPE and its samples. Samples are rendered to text as they are added,
 * into TextPages (a family of 50,000 series keeps bytes, not label objects or strings).
 */
export class MetricFamily {
  private readonly text = new TextPages();
  private count = 0;

  constructor(
    readonly name: string,
    readonly type: MetricType,
    readonly help: string,
  ) {
    if (!NAME.test(name)) throw new Error(`bad metric name "${name}"`);
  }

  get size(): number {
    return this.count;
  }

  /** Adds `name{labels} value`; for histograms, `suffix` is `_bucket`, `_sum` or `_count`. */
  add(labels: Labels, value: number, suffix = ''): this {
    for (const label in labels) if (!LABEL.test(label) || label.startsWith('__')) throw new Error(`bad label name "${label}" on ${this.name}`);
    this.text.append(`${this.name}${suffix}${formatLabels(labels)} ${formatValue(value)}\n`);
    this.count++;
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

  /** HELP, TYPE and the samples, each line ending in a newline, as buffers to be written one after the other. */
  parts(): Buffer[] {
    return [Buffer.from(`# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`), ...this.text.buffers()];
  }

  /** HELP, TYPE and the samples as one text. A family without samples is still declared. */
  render(): string {
    return Buffer.concat(this.parts()).toString('utf8');
  }

  /** The samples alone, each line ending in a newline (more samples of a family rendered before). */
  samples(): string {
    return Buffer.concat(this.text.buffers()).toString('utf8');
  }
}
