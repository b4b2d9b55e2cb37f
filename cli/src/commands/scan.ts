import { resolve } from 'node:path';
import { leanEngineMemory, type StationShard, type ToleranceRule } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { compileLayout, LayoutError, type Layout } from '@lacuna/collector';
import { PRUNE_LIMIT, scanArchive, ScanRootError, type ScanReport } from '@lacuna/collector';
import { loadChannelMetadata, MetadataError } from '@lacuna/collector';
import { choice, STORE_OPTION, CLUSTER_OPTION, TOLERANCE_OPTION, toleranceRules, UsageError, type CommandSpec } from '../args.ts';
import { terminalProgress } from '../progress.ts';
import { isNewStore, openStore, refuseIfHeld, storeLocation, type Io } from '../context.ts';

/** `--prune` of scan and start. */
export const PRUNE_OPTION = {
  type: 'boolean',
  description: `forget known files gone from disk even when they are more than ${PRUNE_LIMIT * 100} % of a folder's (without it such a scan is refused: a mount briefly empty looks the same)`,
} as const;

export const scanSpec: CommandSpec = {
  name: 'scan',
  summary: 'Scan miniSEED archives (folders in a layout) or files into the store: segments, gaps and scan state per file. Unchanged files are skipped; changed files replace their own segments; files gone from disk are forgotten.',
  usage: 'lacuna scan PATH... [--layout sds|bud|PATTERN] [--metadata FILE] [--tolerance RULE]... [--prune] [--read-threads N] [--store DIR|URL]',
  options: {
    layout: { type: 'string', value: 'sds|bud|PATTERN', description: 'archive layout (default sds); a PATTERN is a path template such as "{NET}/{STA}/{YEAR}/*.{DAY}.mseed" or "**/*.mseed"' },
    metadata: { type: 'string', multiple: true, value: 'FILE', description: 'channel metadata (StationXML or CSV) giving the expected epochs; repeatable' },
    tolerance: TOLERANCE_OPTION,
    format: { type: 'string', value: 'text|json', description: 'how to print the summary (default text)' },
    prune: PRUNE_OPTION,
    'read-threads': { type: 'string', value: 'N', description: 'threads reading files beside the one storing them; 0 reads in that one (default: one per core, at most 4, for 64 MB or more in files of 64 kB or more on average; one for 64 MB or more in smaller files, or for less into a new store; none otherwise)' },
    store: STORE_OPTION,
    cluster: CLUSTER_OPTION,
  },
  details: 'A PATH that is a file is scanned whatever its name; the layout picks the files under a folder.\nPlaceholders in a layout PATTERN: {YEAR} {DAY} {NET} {STA} {LOC} {CHA} {TYPE}; * matches within a folder name, ** any folders.\nExit status is 0 when the scan ran, even if some files are damaged (they are listed); 2 for unusable arguments; 3 when the store is unreachable.',
};

/** `--read-threads`: a whole number 0..64, or undefined (the scan chooses). */
export function readThreadsOption(command: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!/^\d+$/.test(String(value)) || count > 64) throw new UsageError(`${command}: --read-threads must be a whole number from 0 to 64 (got "${String(value)}")`);
  return count;
}

export function layoutOption(command: string, value: unknown): Layout {
  try {
    return compileLayout((value as string | undefined) ?? 'sds');
  } catch (error) {
    if (error instanceof LayoutError) throw new UsageError(`${command}: ${error.message}`);
    throw error;
  }
}

/**
 * Loads metadata files into the store (rollups of changed channels follow, joined by `tolerance`),
 * only the stations of `shard` when given; a bad file is an unusable argument.
 */
export async function loadMetadata(store: Store, command: string, files: readonly string[], tolerance: readonly ToleranceRule[], shard?: StationShard): Promise<number> {
  let epochs = 0;
  for (const file of files) {
    try {
      const loaded = await loadChannelMetadata(file);
      await store.replaceEpochs(resolve(file), loaded, { tolerance, shard });
      epochs += loaded.length;
    } catch (error) {
      if (error instanceof MetadataError) throw new UsageError(`${command}: ${error.message}`);
      throw error;
    }
  }
  return epochs;
}

export function scanSummary(report: ScanReport, layout: string): string {
  const mb = report.bytes / (1024 * 1024);
  const seconds = report.elapsedMs / 1000;
  const lines = [
    `scanned ${report.filesScanned} of ${report.filesSeen} files (${report.filesUnchanged} unchanged, ${report.filesDeleted} deleted): ` +
      `${mb.toFixed(1)} MB, ${report.records} records, ${report.segments} segments in ${seconds.toFixed(2)} s` +
      (seconds > 0 && mb > 0 ? ` (${(mb / seconds).toFixed(0)} MB/s)` : ''),
  ];
  for (const root of report.emptyRoots) lines.push(`no file matched layout ${layout} under ${root}`);
  if (report.filesUnmatched > 0) {
    lines.push(`${report.filesUnmatched} known file${report.filesUnmatched === 1 ? '' : 's'} not matched by layout ${layout} ${report.filesUnmatched === 1 ? 'is' : 'are'} still on disk: kept, with ${report.filesUnmatched === 1 ? 'its' : 'their'} segments`);
  }
  if (report.failures.length > 0) {
    lines.push(`${report.failures.length} not scanned in full (a damaged file keeps its records before the damage):`);
    for (const failure of report.failures) lines.push(`  ${failure.path}: ${failure.error}${failure.errorOffset !== null ? ` (at byte ${failure.errorOffset})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function scanCommand(values: Record<string, unknown>, positionals: string[], io: Io): Promise<number> {
  if (positionals.length === 0) throw new UsageError('scan: give at least one archive PATH (see lacuna scan --help)');
  const format = choice('scan', 'format', values.format, ['text', 'json'] as const, 'text');
  const layout = layoutOption('scan', values.layout);
  const tolerance = toleranceRules('scan', values.tolerance);
  const readThreads = readThreadsOption('scan', values['read-threads']);
  const location = storeLocation(values);
  refuseIfHeld(location);
  leanEngineMemory();
  const opened: { store?: Store } = {};
  // The store is opened by the scan, once it has listed the archive: a new store's files are
  // read while it opens.
  const open = async () => {
    const store = (opened.store = await openStore(location));
    await loadMetadata(store, 'scan', (values.metadata as string[] | undefined) ?? [], tolerance);
    return store;
  };
  const progress = terminalProgress(io.stderr);
  let report: ScanReport;
  try {
    report = await scanArchive(open, { roots: positionals, layout, tolerance, readThreads, newStore: isNewStore(location), prune: values.prune === true, onProgress: progress.update });
  } catch (error) {
    if (error instanceof ScanRootError) throw new UsageError(`scan: ${error.message}`);
    throw error;
  } finally {
    progress.clear();
    await opened.store?.close();
  }
  io.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : scanSummary(report, String(values.layout ?? 'sds')));
  return 0;
}
