import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Store } from '@lacuna/core';
import { formatShard, leanEngineMemory, parseShard, ShardError, type StationShard } from '@lacuna/core';
import { formatTime, type ChannelState, type Micros, type ToleranceRule } from '@lacuna/core';
import { DEMO_MANIFEST, extendDemoArchive, readDemoManifest, scanArchive, startDemoDigitiser, type DemoDigitiser } from '@lacuna/collector';
import { choice, STORE_OPTION, CLUSTER_OPTION, toleranceRules, UsageError, type CommandSpec } from '../args.ts';
import { openStore, refuseIfHeld, storeLocation, type Io } from '../context.ts';
import { terminalProgress } from '../progress.ts';
import { writeDemo } from './demo.ts';
import { EXPORTER_OPTIONS, listenOption, runExporter, untilStopped, type ExporterProcess } from './serve.ts';
import { LIVE_OPTIONS, liveConfig, openLiveWriter, startLiveSources, wantsLiveSources } from './live.ts';
import { layoutOption, loadMetadata, PRUNE_OPTION, scanSummary } from './scan.ts';

export const DEFAULT_DEMO_DIR = './data/demo';
export const DEFAULT_SCHEDULE = '*/5 * * * *';
/** The demo grows every few seconds; scanned every minute, its channels' latency stays within their warn intervals. */
export const DEMO_SCHEDULE = '* * * * *';
/** Below this availability over the last day a channel is listed after each scan. */
const ATTENTION_PERCENT = 99;

export const startSpec: CommandSpec = {
  name: 'start',
  summary: 'Run Lacuna all-in-one on the embedded store: scan the archives now and again on a schedule, and serve metrics, the API and FDSN availability. With no --archive it writes and scans a demo archive.',
  usage: 'lacuna start [--target all|collector [--shard I/N]] [--archive DIR]... [--layout sds|bud|PATTERN] [--metadata FILE]... [--tolerance RULE]... [--schedule CRON] [--seedlink HOST:PORT[/SEL]]... [--watch DIR --watch-interval DURATION]... [--expected-streams FILE]... [--listen HOST:PORT] [--store DIR|URL [--cluster NAME]]',
  options: {
    target: { type: 'string', value: 'all|collector', description: 'all: collector and exporter in this process (default); collector: scans only, for a deployment where `lacuna serve` runs the exporter against the same ClickHouse server' },
    shard: {
      type: 'string',
      value: 'I/N',
      description: 'with --target collector: this collector is part I of N (counting from 0) sharing the archives by station (CRC-32 of NET.STA mod N); it scans the files whose paths name its stations and loads their metadata. Run one collector per part, all on the same ClickHouse server',
    },
    ...EXPORTER_OPTIONS,
    archive: { type: 'string', multiple: true, value: 'DIR', description: `archive to watch; repeatable (default: a demo archive in ${DEFAULT_DEMO_DIR}, written on first start)` },
    layout: { type: 'string', value: 'sds|bud|PATTERN', description: 'archive layout (default sds)' },
    prune: PRUNE_OPTION,
    metadata: { type: 'string', multiple: true, value: 'FILE', description: 'channel metadata, StationXML or CSV; repeatable' },
    schedule: { type: 'string', value: 'CRON', description: `when to rescan, a cron expression (default "${DEFAULT_SCHEDULE}": every 5 minutes; "${DEMO_SCHEDULE}", every minute, for the demo)` },
    ...LIVE_OPTIONS,
    store: STORE_OPTION,
    cluster: CLUSTER_OPTION,
  },
  details: 'Stop with Ctrl-C: a scan under way finishes its current batch; nothing stored is lost.',
};

const SEVERITY: Record<ChannelState, number> = { FAILED: 0, DEGRADED: 1, OPERATIONAL: 2, NOT_TRACKED: 3 };

/** A latency for people: 45s, 12m 3s, 2h 5m, 4d 3h. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/**
 * What needs attention now: channels late beyond their warn or fail interval (their state, as
 * /metrics and the alerts see it) and channels below 99 % over the last 24 hours up to now,
 * worst first.
 */
export async function attentionReport(store: Store, tolerance: readonly ToleranceRule[], now: Micros): Promise<string> {
  const { channelStatuses, parseWindows } = await import('@lacuna/exporter');
  const statuses = await channelStatuses(store, { patterns: [], windows: parseWindows('1d'), now, tolerance });
  if (statuses.length === 0) return 'no channels yet\n';
  const rows = statuses.map((status) => ({ status, ratio: status.windows['1d'].ratio }));
  const attention = rows
    .filter(({ status, ratio }) => status.state === 'FAILED' || status.state === 'DEGRADED' || (ratio !== null && ratio < ATTENTION_PERCENT / 100))
    .sort((a, b) => SEVERITY[a.status.state] - SEVERITY[b.status.state] || (a.ratio ?? 1) - (b.ratio ?? 1) || (a.status.key < b.status.key ? -1 : 1));
  const count = (state: ChannelState) => statuses.filter((status) => status.state === state).length;
  const below = rows.filter(({ ratio }) => ratio !== null && ratio < ATTENTION_PERCENT / 100).length;
  const lines = [`${statuses.length} channels at ${formatTime(now)}: ${count('FAILED')} failed, ${count('DEGRADED')} degraded; over the last 24 h, ${below} below ${ATTENTION_PERCENT} %:`];
  for (const { status, ratio } of attention.slice(0, 10)) {
    const latency = status.latency ? `latency ${humanDuration(status.latency.total)}` : 'no data';
    const percent = ratio === null ? '   n/a' : (100 * ratio).toFixed(2).padStart(6);
    const gaps = status.windows['1d'].gaps;
    lines.push(`  ${status.key.padEnd(18)} ${status.state.padEnd(11)} ${percent} %  ${`${gaps} gap${gaps === 1 ? '' : 's'}`.padStart(8)}  ${latency}`);
  }
  if (attention.length > 10) lines.push(`  … and ${attention.length - 10} more`);
  return `${lines.join('\n')}\n`;
}

/** --shard I/N: only for a collector alone, on a layout whose paths name the station. */
function shardOption(value: unknown, target: 'all' | 'collector', namesStation: boolean, template: string): StationShard | undefined {
  if (value === undefined) return undefined;
  let shard: StationShard;
  try {
    shard = parseShard(value as string);
  } catch (error) {
    if (error instanceof ShardError) throw new UsageError(`start: --shard: ${error.message}`);
    throw error;
  }
  if (target !== 'collector') throw new UsageError('start: --shard splits the archives between collectors that run alone: add --target collector (and run `lacuna serve` for the exporter)');
  if (!namesStation) throw new UsageError(`start: --shard needs a layout whose paths name {NET} and {STA}; "${template}" does not (give each collector its own --archive roots instead)`);
  return shard;
}

function archiveOption(values: Record<string, unknown>): string[] {
  return ((values.archive as string[] | undefined) ?? []).map((dir) => resolve(dir));
}

/**
 * The demo archive, brought to now: written on the first start, extended by what its channels
 * recorded since on a later one (so its faults stay as planted), written anew when it is of an
 * older kind that did not grow.
 */
async function prepareDemo(dir: string, io: Io): Promise<void> {
  if (existsSync(join(dir, DEMO_MANIFEST))) {
    const version = await readDemoManifest(dir).then((manifest) => manifest.version as number, () => 0);
    if (version === 2) {
      const before = await readDemoManifest(dir);
      const after = await extendDemoArchive(dir, Date.now() * 1000);
      io.stderr.write(`demo archive ${dir}: brought to now, ${after.records - before.records} records appended; it grows every few seconds\n`);
      return;
    }
    io.stderr.write(`demo archive ${dir} is of an older kind that does not grow: writing it anew\n`);
    await rm(dir, { recursive: true, force: true });
  }
  await writeDemo(dir, io);
}

export async function startCommand(values: Record<string, unknown>, positionals: string[], io: Io): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`start: unexpected argument "${positionals[0]}" (archives go with --archive)`);
  const target = choice('start', 'target', values.target, ['all', 'collector'] as const, 'all');
  const layout = layoutOption('start', values.layout);
  const tolerance = toleranceRules('start', values.tolerance);
  const demo = archiveOption(values).length === 0 && !wantsLiveSources(values);
  // The demo archive is ours: written anew, its old files are forgotten without asking for --prune.
  const prune = values.prune === true || demo;
  const cron = (values.schedule as string | undefined) ?? (demo ? DEMO_SCHEDULE : DEFAULT_SCHEDULE);
  const { default: schedule } = await import('node-schedule');
  const probe = schedule.scheduleJob(cron, () => undefined);
  if (probe === null) throw new UsageError(`start: --schedule "${cron}" is not a valid cron expression`);
  probe.cancel();
  let archives = archiveOption(values);
  let metadata = (values.metadata as string[] | undefined) ?? [];
  const liveOptions = await liveConfig('start', values);
  const shard = shardOption(values.shard, target, layout.namesStation, layout.template);
  if (target === 'all') listenOption(values); // checked before a demo is written or a store opened

  const location = storeLocation(values);
  // A second start beside a running one would extend the demo archive that one is extending.
  refuseIfHeld(location);
  // A collector alone answers no queries: its engine gives memory back at once, as `lacuna scan`'s does.
  if (target === 'collector') leanEngineMemory();
  let digitiser: DemoDigitiser | null = null;
  if (demo) {
    const demoDir = resolve(DEFAULT_DEMO_DIR);
    await prepareDemo(demoDir, io);
    archives = [demoDir];
    if (metadata.length === 0) metadata = [join(demoDir, 'metadata.csv')];
  }

  const store = await openStore(location);
  io.stderr.write(`store: ${location.target} (${location.kind === 'embedded' ? 'embedded ClickHouse' : 'ClickHouse server'})\n`);
  if (shard) io.stderr.write(`collector ${formatShard(shard)}: scanning the stations of part ${shard.index} of ${shard.count}\n`);
  await loadMetadata(store, 'start', metadata, tolerance, shard);
  if (demo) digitiser = startDemoDigitiser(archives[0], { onError: (error) => io.stderr.write(`demo archive: ${(error as Error).message}\n`) });

  let exporter: ExporterProcess | null = null;
  let scanning: Promise<void> | null = null;
  let lastAttention: string | null = null;
  const scan = () => {
    if (scanning) {
      io.stderr.write('previous scan still running; skipping this one\n');
      return scanning;
    }
    const progress = terminalProgress(io.stderr);
    scanning = scanArchive(store, { roots: archives, layout, tolerance, shard, prune, onProgress: progress.update })
      .then(async (report) => {
        progress.clear();
        io.stderr.write(`[${new Date().toISOString()}] ${scanSummary(report, String(values.layout ?? 'sds'))}`);
        await exporter?.refreshMetrics();
        const attention = await attentionReport(store, tolerance, Date.now() * 1000);
        // Printed after the first scan and whenever which channels need attention, or their state, changes: not every minute.
        const gist = attention.split('\n').slice(1).map((line) => line.trim().split(/\s+/).slice(0, 2).join(' ')).join('\n');
        if (gist !== lastAttention) io.stdout.write(attention);
        lastAttention = gist;
      })
      .catch((error: unknown) => {
        progress.clear();
        io.stderr.write(`[${new Date().toISOString()}] scan failed: ${error instanceof Error ? error.message : String(error)}\n`);
      })
      .finally(() => {
        scanning = null;
      });
    return scanning;
  };

  // Live sources and pushes write through the live writer; without them (and without a token for pushes) none is opened.
  const writer = wantsLiveSources(values) || (target === 'all' && process.env.LACUNA_API_TOKEN) ? await openLiveWriter('start', store, liveOptions, io, tolerance) : null;
  const job = archives.length > 0 ? schedule.scheduleJob(cron, () => void scan()) : null;
  let live;
  try {
    live = writer ? await startLiveSources(liveOptions, writer, io, tolerance) : null;
    if (target === 'all') exporter = await runExporter(store, values, io, tolerance, writer ?? undefined);
  } catch (error) {
    job?.cancel();
    await digitiser?.stop();
    await live?.stop();
    await writer?.close();
    await store.close();
    throw error;
  }
  if (job) {
    io.stderr.write(`watching ${archives.join(', ')}; rescanning on "${cron}" (next ${job.nextInvocation()?.toISOString() ?? 'never'})\n`);
    await scan();
  }

  await untilStopped(io);
  job?.cancel();
  await digitiser?.stop();
  await scanning;
  await live?.stop();
  await exporter?.close();
  await writer?.close();
  await store.close();
  return 0;
}
