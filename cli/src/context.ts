import { existsSync, readdirSync } from 'node:fs';
import { parseChannelPatterns, parseToleranceRule, readFileReport, readReport, resolveStoreLocation, SchemaError, Store, StoreUnavailableError, formatTime } from '@lacuna/core';
import { UsageError } from './args.ts';
import type { Micros, ReportKind, ReportRow, StoreLocation } from '@lacuna/core';
import { storeHolder } from './store-holder.ts';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

/**
 * The store named by --store (else $LACUNA_STORE, else ./data/lacuna), on the cluster named by
 * --cluster (else $LACUNA_CLICKHOUSE_CLUSTER) when given; a cluster without a server is an unusable argument.
 */
export function storeLocation(values: Record<string, unknown>): StoreLocation {
  try {
    return resolveStoreLocation(values.store as string | undefined, process.env, values.cluster as string | undefined);
  } catch (error) {
    if (error instanceof SchemaError) throw new UsageError(error.message);
    throw error;
  }
}

/** Opens the store of storeLocation, runs `work`, closes it. */
export async function withStore<T>(values: Record<string, unknown>, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(storeLocation(values));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Opens a store; one that another process holds is refused with who holds it (the engine would print its raw lock error). */
export async function openStore(location: StoreLocation): Promise<Store> {
  refuseIfHeld(location);
  return Store.open(location);
}

/** Throws StoreUnavailableError naming the live process that holds the store, if one does. */
export function refuseIfHeld(location: StoreLocation): void {
  const holder = storeHolder(location);
  if (holder === null) return;
  // Only the report commands can read through the holder: whatever gets here would write.
  const how = holder.url
    ? ` (serving ${holder.url}); the report commands read it through that process, but scan, start and serve need the store to themselves: stop that process first, or give another --store`
    : ', which serves no API to read it through; try again when it has finished';
  throw new StoreUnavailableError(location, new Error(`it is in use by process ${holder.pid}${how}`));
}

/** Whether opening the store makes it: an embedded store whose folder is missing or empty (it knows no file yet). */
export function isNewStore(location: StoreLocation): boolean {
  if (location.kind !== 'embedded') return false;
  try {
    return readdirSync(location.target).length === 0;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** A report's options as the user gave them, checked. */
export interface ReportArgs {
  channel?: string;
  start?: Micros;
  end?: Micros;
  by: 'day' | 'hour';
  overlaps: boolean;
  keepQuality: boolean;
  tolerance: string[];
}

/** Where the report commands read their rows: the store, or the running lacuna that holds it. */
export interface ReportReader {
  report(kind: ReportKind, args: ReportArgs): Promise<ReportRow[]>;
  files(errorsOnly: boolean): Promise<ReportRow[]>;
}

function storeReader(store: Store): ReportReader {
  return {
    report: (kind, args) =>
      readReport(store, kind, {
        patterns: args.channel === undefined ? [] : parseChannelPatterns(args.channel),
        start: args.start,
        end: args.end,
        by: args.by,
        overlaps: args.overlaps,
        keepQuality: args.keepQuality,
        tolerance: args.tolerance.map(parseToleranceRule),
      }),
    files: (errorsOnly) => readFileReport(store, errorsOnly),
  };
}

/** Reads through /api/v1/reports of the process holding the store: the same function on the same store. */
function serverReader(location: StoreLocation, url: string): ReportReader {
  const get = async (path: string, params: URLSearchParams): Promise<ReportRow[]> => {
    const token = process.env.LACUNA_API_TOKEN;
    let response: Response;
    try {
      response = await fetch(`${url}/api/v1/reports/${path}?${params}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    } catch (error) {
      throw new StoreUnavailableError(location, new Error(`the lacuna holding it does not answer at ${url}: ${(error as Error).message}`));
    }
    const body = (await response.json().catch(() => ({}))) as { rows?: ReportRow[]; error?: string };
    if (response.status === 401) throw new StoreUnavailableError(location, new Error(`the lacuna holding it (${url}) wants its bearer token: set LACUNA_API_TOKEN`));
    // Refused as asked (a report too large to make at once): the same answer as from the store itself.
    if (response.status === 400 && body.error) throw new UsageError(body.error);
    if (!response.ok || !Array.isArray(body.rows)) throw new Error(`the lacuna holding store ${location.target} (${url}) answered ${response.status}: ${body.error ?? 'no rows'}`);
    return body.rows;
  };
  return {
    report: (kind, args) => {
      const params = new URLSearchParams({ by: args.by, overlaps: String(args.overlaps), 'keep-quality': String(args.keepQuality) });
      if (args.channel !== undefined) params.set('channel', args.channel);
      if (args.start !== undefined) params.set('start', formatTime(args.start));
      if (args.end !== undefined) params.set('end', formatTime(args.end));
      for (const rule of args.tolerance) params.append('tolerance', rule);
      return get(kind, params);
    },
    files: (errorsOnly) => get('files', new URLSearchParams({ errors: String(errorsOnly) })),
  };
}

/**
 * Runs `work` on the reports of the store named by --store: opened here, or, while a running
 * `lacuna start` or `lacuna serve` holds it, read through that process, with the same rows.
 */
export async function withReports<T>(values: Record<string, unknown>, work: (reader: ReportReader) => Promise<T>): Promise<T> {
  const location = storeLocation(values);
  // Opening a missing embedded store would make an empty one and report "No gaps": a user in the
  // wrong folder would believe it.
  if (location.kind === 'embedded' && !existsSync(location.target)) {
    throw new StoreUnavailableError(location, new Error('there is no store there; scan into it first (lacuna scan PATH, or lacuna start), or name yours with --store or LACUNA_STORE'));
  }
  const holder = storeHolder(location);
  if (holder?.url) return work(serverReader(location, holder.url));
  return withStore(values, (store) => work(storeReader(store)));
}
