import { parseShard, type Store } from '@lacuna/core';
import type { ExporterContext, MetricsRefresher, RunningExporter } from '@lacuna/exporter';
import type { ToleranceRule } from '@lacuna/core';
import { STORE_OPTION, CLUSTER_OPTION, TOLERANCE_OPTION, toleranceRules, UsageError, type CommandSpec, type OptionSpec } from '../args.ts';
import { openStore, storeLocation, type Io } from '../context.ts';
import { announceServer } from '../store-holder.ts';
import type { LiveWriter } from '@lacuna/collector';
import { INGEST_OPTIONS, liveConfig, openLiveWriter } from './live.ts';

export const DEFAULT_LISTEN = '127.0.0.1:9470';

export const EXPORTER_OPTIONS: Record<string, OptionSpec> = {
  listen: { type: 'string', value: 'HOST:PORT', description: `where the exporter listens (default $LACUNA_LISTEN or ${DEFAULT_LISTEN})` },
  'metrics-level': { type: 'string', value: 'channel|station|network', description: 'finest series on /metrics, to bound cardinality on very large networks (default channel)' },
  'metrics-windows': { type: 'string', value: 'LIST', description: 'trailing availability windows on /metrics (default 1h,1d,7d)' },
  'metrics-refresh': { type: 'string', value: 'SECONDS', description: 'how often /metrics values are recomputed from the store; scrapes never wait for it (default 30)' },
  'metrics-shard': {
    type: 'string',
    value: 'I/N',
    description: "serve part I of N (counting from 0) of the stations on /metrics, by the collectors' rule (CRC-32 of NET.STA mod N), so that Prometheus scrapes a large network from N exporters; part 0 also carries the collector's and live sources' health. Other endpoints answer for every station",
  },
  tolerance: TOLERANCE_OPTION,
};

async function metricsRefresher(store: Store, values: Record<string, unknown>, tolerance: readonly ToleranceRule[], liveWriter: LiveWriter | undefined): Promise<MetricsRefresher> {
  const refresh = values['metrics-refresh'] === undefined ? 30 : Number(values['metrics-refresh']);
  if (!(refresh > 0)) throw new UsageError(`--metrics-refresh must be a positive number of seconds (got "${String(values['metrics-refresh'])}")`);
  const { MetricsRefresher, parseMetricsLevel, parseWindows } = await import('@lacuna/exporter');
  try {
    return new MetricsRefresher(store, {
      refreshIntervalMs: refresh * 1000,
      level: values['metrics-level'] === undefined ? undefined : parseMetricsLevel(values['metrics-level'] as string),
      windows: values['metrics-windows'] === undefined ? undefined : parseWindows(values['metrics-windows'] as string),
      tolerance,
      liveWriter,
      shard: values['metrics-shard'] === undefined ? undefined : parseShard(values['metrics-shard'] as string),
    });
  } catch (error) {
    throw new UsageError(`metrics options: ${(error as Error).message}`);
  }
}

export const serveSpec: CommandSpec = {
  name: 'serve',
  summary: 'Run the exporter alone: Prometheus /metrics, the /api/v1 JSON API for Grafana, the FDSN availability web service, /healthz and /readyz.',
  usage: 'lacuna serve [--listen HOST:PORT] [--metrics-level channel|station|network] [--metrics-windows LIST] [--metrics-refresh SECONDS] [--metrics-shard I/N] [--tolerance RULE]... [--spool DIR] [--expected-streams FILE]... [--store DIR|URL [--cluster NAME]]',
  options: { ...EXPORTER_OPTIONS, ...INGEST_OPTIONS, store: STORE_OPTION, cluster: CLUSTER_OPTION },
  details: 'LACUNA_API_TOKEN, when set, is the bearer token required on /api, /fdsnws and /available, and enables POST /api/v1/ingest (refused without it).',
};

/** Where the exporter listens: --listen, else LACUNA_LISTEN, else DEFAULT_LISTEN. */
export function listenOption(values: Record<string, unknown>): { host: string; port: number } {
  return parseListen((values.listen as string | undefined) || process.env.LACUNA_LISTEN || DEFAULT_LISTEN);
}

export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new UsageError(`--listen must be HOST:PORT, e.g. ${DEFAULT_LISTEN} (got "${text}")`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

export interface ExporterProcess extends RunningExporter {
  /** Recompute /metrics now (after a scan), instead of at the next refresh. */
  refreshMetrics(): Promise<void>;
}

/**
 * Starts the exporter on the store with the options shared by `serve` and `start`; `tolerance`
 * (the --tolerance rules) joins segments as the scans that filled the rollups joined them.
 */
export async function runExporter(
  store: Store,
  values: Record<string, unknown>,
  io: Io,
  tolerance: readonly ToleranceRule[],
  ingest?: LiveWriter,
): Promise<ExporterProcess> {
  const listen = listenOption(values);
  // The server's libraries (express, zod, prom-client...) load only for the commands that serve.
  const { DEFAULT_LIMITS, startExporter } = await import('@lacuna/exporter');
  const metrics = await metricsRefresher(store, values, tolerance, ingest);
  const context: ExporterContext = { store, token: process.env.LACUNA_API_TOKEN || undefined, limits: DEFAULT_LIMITS, metrics, tolerance, ingest };
  let exporter: RunningExporter;
  try {
    exporter = await startExporter(context, listen);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? 'another program listens there (another lacuna?); choose a free address with --listen HOST:PORT or LACUNA_LISTEN'
      : (error as Error).message;
    throw new UsageError(`cannot listen on ${listen.host}:${listen.port}: ${why}`);
  }
  metrics.start();
  // Beside an embedded store, so that the report commands of other processes read it through us.
  const withdraw = await announceServer(store.location, exporter.url);
  io.stderr.write(
    `exporter ${exporter.url}: metrics ${exporter.url}/metrics, API ${exporter.url}/api/v1, FDSN ${exporter.url}/fdsnws/availability/1/query${context.token ? ' (bearer token required)' : ''}; every endpoint, the store and its health: ${exporter.url}/\n`,
  );
  return {
    url: exporter.url,
    refreshMetrics: async () => {
      await metrics.refreshNow();
    },
    close: async () => {
      await withdraw();
      await metrics.stop();
      await exporter.close();
    },
  };
}

/** Resolves on SIGINT or SIGTERM. */
export function untilStopped(io: Io): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.stderr.write('stopping…\n');
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function serveCommand(values: Record<string, unknown>, positionals: string[], io: Io): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`serve: unexpected argument "${positionals[0]}"`);
  const live = await liveConfig('serve', values);
  const tolerance = toleranceRules('serve', values.tolerance);
  const store = await openStore(storeLocation(values));
  try {
    // Pushes need the token; without one, nothing is written and no spool is made.
    const writer = process.env.LACUNA_API_TOKEN ? await openLiveWriter('serve', store, live, io, tolerance) : undefined;
    const exporter = await runExporter(store, values, io, tolerance, writer);
    await untilStopped(io);
    await exporter.close();
    await writer?.close();
  } finally {
    await store.close();
  }
  return 0;
}
