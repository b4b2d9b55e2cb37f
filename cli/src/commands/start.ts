import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import schedule from 'node-schedule';
import { resolveStoreLocation } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { availabilityOver, dueUntil, expectedIntervals, newestCoveredEnd } from '@lacuna/core';
import { channelKey } from '@lacuna/core';
import { groupByChannel } from '@lacuna/core';
import { MICROS_PER_DAY } from '@lacuna/core';
import { formatTime } from '@lacuna/core';
import { toleranceFor, type ToleranceRule } from '@lacuna/core';
import { formatShard, parseShard, ShardError, type StationShard } from '@lacuna/core';
import { scanArchive } from '@lacuna/collector';
import { choice, STORE_OPTION, toleranceRules, UsageError, type CommandSpec } from '../args.ts';
import { openStore, type Io } from '../context.ts';
import { terminalProgress } from '../progress.ts';
import { writeDemo } from './demo.ts';
import { EXPORTER_OPTIONS, runExporter, untilStopped, type ExporterProcess } from './serve.ts';
import { LIVE_OPTIONS, liveConfig, openLiveWriter, startLiveSources, wantsLiveSources } from './live.ts';
import { layoutOption, loadMetadata, scanSummary } from './scan.ts';

export const DEFAULT_DEMO_DIR = './data/demo';
export const DEFAULT_SCHEDULE = '*/5 * * * *';
/** Below this availability over the last day a channel is listed after each scan; a few minutes of latency stay quiet. */
const ATTENTION_PERCENT = 99;

export const startSpec: CommandSpec = {
  name: 'start',
  summary: 'Run Lacuna all-in-one on the embedded store: scan the archives now and again on a schedule, and serve metrics, the API and FDSN availability. With no --archive it writes and scans a demo archive.',
  usage: 'lacuna start [--target all|collector [--shard I/N]] [--archive DIR]... [--layout sds|bud|PATTERN] [--metadata FILE]... [--tolerance RULE]... [--schedule CRON] [--seedlink HOST:PORT[/SEL]]... [--watch DIR --watch-interval DURATION]... [--expected-streams FILE]... [--listen HOST:PORT] [--store DIR|URL]',
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
    metadata: { type: 'string', multiple: true, value: 'FILE', description: 'channel metadata, StationXML or CSV; repeatable' },
    schedule: { type: 'string', value: 'CRON', description: `when to rescan, a cron expression (default "${DEFAULT_SCHEDULE}": every 5 minutes)` },
    ...LIVE_OPTIONS,
    store: STORE_OPTION,
  },
  details: 'Stop with Ctrl-C: a scan under way finishes its current batch; nothing stored is lost.',
};

/** A few lines on what needs attention: the channels least available over the last 24 hours. */
export async function attentionReport(store: Store, tolerance: readonly ToleranceRule[]): Promise<string> {
  const extent = await store.extent([]);
  if (extent === null) return 'no data yet\n';
  const window = { start: extent.end + 1 - MICROS_PER_DAY, end: extent.end + 1 };
  const [channels, segments, epochs] = await Promise.all([store.channels([]), store.segments({ patterns: [], window, neighbors: true }), store.epochs([])]);
  const worst = groupByChannel(channels, segments, epochs)
    .map((data) => ({
      channel: channelKey(data.id),
      // As of the newest data: what has not arrived by then is not yet missing.
      figures: availabilityOver(data.segments, {
        window,
        expected: expectedIntervals(data.epochs, { start: window.start, end: dueUntil(window, data.epochs, newestCoveredEnd(data.segments), window.end) }),
        tolerance: toleranceFor(tolerance, data.id),
      }),
    }))
    .filter(({ figures }) => figures.percent !== null && figures.percent < ATTENTION_PERCENT)
    .sort((a, b) => a.figures.percent! - b.figures.percent!);
  const lines = [`${channels.length} channels, data until ${formatTime(extent.end)}; over the last 24 h, ${worst.length} below ${ATTENTION_PERCENT} %:`];
  for (const { channel, figures } of worst.slice(0, 10)) lines.push(`  ${channel.padEnd(18)} ${figures.percent!.toFixed(2).padStart(6)} %  ${figures.gaps} gaps`);
  if (worst.length > 10) lines.push(`  … and ${worst.length - 10} more`);
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

export async function startCommand(values: Record<string, unknown>, positionals: string[], io: Io): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`start: unexpected argument "${positionals[0]}" (archives go with --archive)`);
  const target = choice('start', 'target', values.target, ['all', 'collector'] as const, 'all');
  const layout = layoutOption('start', values.layout);
  const tolerance = toleranceRules('start', values.tolerance);
  const cron = (values.schedule as string | undefined) ?? DEFAULT_SCHEDULE;
  const probe = schedule.scheduleJob(cron, () => undefined);
  if (probe === null) throw new UsageError(`start: --schedule "${cron}" is not a valid cron expression`);
  probe.cancel();
  let archives = ((values.archive as string[] | undefined) ?? []).map((dir) => resolve(dir));
  let metadata = (values.metadata as string[] | undefined) ?? [];
  const liveOptions = await liveConfig('start', values);
  const shard = shardOption(values.shard, target, layout.namesStation, layout.template);

  if (archives.length === 0 && !wantsLiveSources(values)) {
    const demoDir = resolve(DEFAULT_DEMO_DIR);
    if (!existsSync(join(demoDir, 'demo-manifest.json'))) await writeDemo(demoDir, io);
    else io.stderr.write(`demo archive ${demoDir} (already there)\n`);
    archives = [demoDir];
    if (metadata.length === 0) metadata = [join(demoDir, 'metadata.csv')];
  }

  const location = resolveStoreLocation(values.store as string | undefined);
  const store = await openStore(location);
  io.stderr.write(`store: ${location.target} (${location.kind === 'embedded' ? 'embedded ClickHouse' : 'ClickHouse server'})\n`);
  if (shard) io.stderr.write(`collector ${formatShard(shard)}: scanning the stations of part ${shard.index} of ${shard.count}\n`);
  await loadMetadata(store, 'start', metadata, tolerance, shard);

  let exporter: ExporterProcess | null = null;
  let scanning: Promise<void> | null = null;
  const scan = () => {
    if (scanning) {
      io.stderr.write('previous scan still running; skipping this one\n');
      return scanning;
    }
    const progress = terminalProgress(io.stderr);
    scanning = scanArchive(store, { roots: archives, layout, tolerance, shard, onProgress: progress.update })
      .then(async (report) => {
        progress.clear();
        io.stderr.write(`[${new Date().toISOString()}] ${scanSummary(report)}`);
        await exporter?.refreshMetrics();
        io.stdout.write(await attentionReport(store, tolerance));
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
  await scanning;
  await live?.stop();
  await exporter?.close();
  await writer?.close();
  await store.close();
  return 0;
}
