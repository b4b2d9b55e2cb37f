import { basename, join, resolve } from 'node:path';
import type { Store } from '@lacuna/core';
import type { ToleranceRule } from '@lacuna/core';
import { streamChannel } from '@lacuna/core';
import { parseNamePattern } from '@lacuna/collector';
import { DEFAULT_STAGES, DEFAULT_STUCK, FileDropPipeline, type PipelineConfig } from '@lacuna/collector';
import { loadExpectedStreams, type ExpectedStreamRule } from '@lacuna/collector';
import { LiveWriter } from '@lacuna/collector';
import { parseSeedLinkAddress, type SeedLinkAddress } from '@lacuna/collector';
import { SeedLinkSource } from '@lacuna/collector';
import { UsageError, type OptionSpec } from '../args.ts';
import type { Io } from '../context.ts';

export const DEFAULT_SPOOL_DIR = './data/spool';
/** How often a SeedLink source hands what it received to the store: what /api/v1 waits for a packet. */
export const DEFAULT_LIVE_FLUSH = '1s';

/** Options of the live writer, shared by `start` (live sources, push) and `serve` (push). */
export const INGEST_OPTIONS: Record<string, OptionSpec> = {
  'expected-streams': { type: 'string', multiple: true, value: 'FILE', description: 'expected rate and warn/fail intervals of live streams, a CSV as ooi-status writes it (name,method,…) or with a stream column; repeatable' },
  spool: { type: 'string', value: 'DIR', description: `where live data waits while the store is unreachable (default ${DEFAULT_SPOOL_DIR})` },
};

export const LIVE_OPTIONS: Record<string, OptionSpec> = {
  seedlink: { type: 'string', multiple: true, value: 'HOST:PORT[/SEL]', description: 'SeedLink server to follow, e.g. 127.0.0.1:18000/IU_ANMO:00BHZ,GE_*; without a selection, every station it lists; repeatable' },
  watch: { type: 'string', multiple: true, value: 'DIR', description: 'file-drop pipeline folder with one subfolder per stage; repeatable (needs --watch-interval)' },
  'live-flush': { type: 'string', value: 'DURATION', description: `how often SeedLink data received is written to the store, e.g. 500ms, 2s: what /api/v1 waits for a packet, against rows written (default ${DEFAULT_LIVE_FLUSH})` },
  'watch-interval': { type: 'string', value: 'DURATION', description: 'expected interval between two files of a stream, e.g. 10m' },
  'watch-pattern': { type: 'string', value: 'REGEX', description: 'file names with named groups stream and time (or year, month, day, doy, hour, minute, second); default: the folder name and the modification time' },
  'watch-stages': { type: 'string', value: 'LIST', description: `stage subfolders in order (default ${DEFAULT_STAGES.join(',')}); all but the last are backlogs` },
  'watch-stuck': { type: 'string', value: 'N/DURATION', description: `a backlog not fallen over N samples spanning DURATION is stuck (default ${DEFAULT_STUCK.samples}/10m)` },
  ...INGEST_OPTIONS,
};

/** Whether any live source is asked for. */
export function wantsLiveSources(values: Record<string, unknown>): boolean {
  return ((values.seedlink as string[] | undefined) ?? []).length > 0 || ((values.watch as string[] | undefined) ?? []).length > 0;
}

async function duration(command: string, option: string, text: string): Promise<number> {
  const { parseWindow } = await import('@lacuna/exporter');
  try {
    return parseWindow(text).micros;
  } catch {
    throw new UsageError(`${command}: --${option} "${text}" is not a duration (a whole number and s, m, h, d or w, e.g. 10m)`);
  }
}

async function expectedStreams(command: string, values: Record<string, unknown>): Promise<ExpectedStreamRule[]> {
  const rules: ExpectedStreamRule[] = [];
  for (const file of (values['expected-streams'] as string[] | undefined) ?? []) {
    try {
      rules.push(...(await loadExpectedStreams(file)));
    } catch (error) {
      throw new UsageError(`${command}: --expected-streams ${(error as Error).message}`);
    }
  }
  return rules;
}

/** `500ms`, `1s`, `2.5s` → milliseconds; throws a usage error naming the option. */
function flushMs(command: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(text);
  const ms = match ? Number(match[1]) * (match[2] === 's' ? 1000 : 1) : NaN;
  if (!(ms >= 10 && ms <= 3_600_000)) throw new UsageError(`${command}: --live-flush "${text}" must be a duration from 10ms to 1h, e.g. 500ms or 2s`);
  return ms;
}

/** The live options, checked: what to follow and watch, and how to write. */
export interface LiveConfig {
  spoolDir: string;
  /** SeedLink sources' flush interval. */
  flushMs: number;
  rules: ExpectedStreamRule[];
  seedlink: SeedLinkAddress[];
  pipelines: Omit<PipelineConfig, 'sampleEveryMs'>[];
}

/** Reads and checks the live options (before anything is opened); a bad one is a usage error naming it. */
export async function liveConfig(command: string, values: Record<string, unknown>): Promise<LiveConfig> {
  const seedlink = ((values.seedlink as string[] | undefined) ?? []).map((text) => {
    try {
      return parseSeedLinkAddress(text);
    } catch (error) {
      throw new UsageError(`${command}: --seedlink: ${(error as Error).message}`);
    }
  });
  const folders = (values.watch as string[] | undefined) ?? [];
  const pipelines: LiveConfig['pipelines'] = [];
  if (folders.length > 0) {
    const intervalText = values['watch-interval'] as string | undefined;
    if (intervalText === undefined) throw new UsageError(`${command}: --watch needs --watch-interval, the expected interval between two files of a stream (e.g. 10m)`);
    const intervalUs = await duration(command, 'watch-interval', intervalText);
    const stuckText = (values['watch-stuck'] as string | undefined) ?? `${DEFAULT_STUCK.samples}/10m`;
    const stuckMatch = /^(\d+)\/(.+)$/.exec(stuckText);
    if (!stuckMatch || Number(stuckMatch[1]) < 1) throw new UsageError(`${command}: --watch-stuck "${stuckText}" must be N/DURATION, e.g. 5/10m`);
    const stuck = { samples: Number(stuckMatch[1]), spanUs: await duration(command, 'watch-stuck', stuckMatch[2]) };
    const stages = values['watch-stages'] === undefined ? DEFAULT_STAGES : (values['watch-stages'] as string).split(',').map((stage) => stage.trim());
    if (stages.some((stage) => stage === '' || stage.includes('/'))) throw new UsageError(`${command}: --watch-stages "${String(values['watch-stages'])}" must be folder names separated by commas`);
    let pattern: RegExp | undefined;
    try {
      pattern = values['watch-pattern'] === undefined ? undefined : parseNamePattern(values['watch-pattern'] as string);
    } catch (error) {
      throw new UsageError(`${command}: --watch-pattern: ${(error as Error).message}`);
    }
    for (const folder of folders) {
      const root = resolve(folder);
      try {
        streamChannel(basename(root));
      } catch (error) {
        throw new UsageError(`${command}: --watch ${root}: its name is the stream id of files whose name gives none: ${(error as Error).message}`);
      }
      pipelines.push({ root, stages, pattern, intervalUs, stuck });
    }
  }
  return {
    spoolDir: resolve((values.spool as string | undefined) ?? DEFAULT_SPOOL_DIR),
    flushMs: flushMs(command, (values['live-flush'] as string | undefined) ?? DEFAULT_LIVE_FLUSH),
    rules: await expectedStreams(command, values),
    seedlink,
    pipelines,
  };
}

/** Opens the live writer (and its spool): what live sources and pushes write through. */
export async function openLiveWriter(command: string, store: Store, config: LiveConfig, io: Io, tolerance: readonly ToleranceRule[] = []): Promise<LiveWriter> {
  try {
    return await LiveWriter.open(store, { spoolDir: config.spoolDir, rules: config.rules, tolerance, log: (line) => io.stderr.write(`${line}\n`) });
  } catch (error) {
    throw new UsageError(`${command}: --spool: ${(error as Error).message}`);
  }
}

export interface LiveSources {
  /** Stops the sources; what they received is handed to the writer first. */
  stop(): Promise<void>;
}

/** Starts the SeedLink clients and file-drop watchers, writing through `writer`. */
export async function startLiveSources(config: LiveConfig, writer: LiveWriter, io: Io, tolerance: readonly ToleranceRule[] = []): Promise<LiveSources> {
  const log = (line: string) => io.stderr.write(`${line}\n`);
  // Each server's last sequences beside the spool: a restart resumes where this run stopped.
  const seedlink = config.seedlink.map(
    (address) => new SeedLinkSource({ address, sink: writer, flushMs: config.flushMs, tolerance, log, stateFile: join(config.spoolDir, `seedlink-${address.host}_${address.port}.state.json`) }),
  );
  const pipelines = config.pipelines.map((pipeline) => new FileDropPipeline(pipeline, writer, log));
  // /metrics sees each packet at the next scrape, before the flush that stores it.
  const detach = seedlink.map((source) => writer.attach(source));
  for (const source of seedlink) await source.start();
  for (const pipeline of pipelines) await pipeline.start();
  return {
    async stop() {
      await Promise.all([...seedlink.map((source) => source.stop()), ...pipelines.map((pipeline) => pipeline.stop())]);
      for (const done of detach) done();
    },
  };
}
