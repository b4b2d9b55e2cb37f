import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_DEMO_DAYS, writeDemoArchive, type DemoManifest } from '@lacuna/collector';
import { UsageError, type CommandSpec } from '../args.ts';
import type { Io } from '../context.ts';

export const demoSpec: CommandSpec = {
  name: 'demo',
  summary: 'Write a realistic synthetic SDS archive with known faults (gaps of many sizes, an overlap, a dead channel, a late channel, a backfilled gap) and its channel metadata CSV.',
  usage: 'lacuna demo DIR [--days N] [--seed N]',
  options: {
    days: { type: 'string', value: 'N', description: `whole days of data before today (default 21, from 3 to ${MAX_DEMO_DAYS})` },
    seed: { type: 'string', value: 'N', description: 'seed for where the faults go (default 1)' },
  },
  details: 'DIR/metadata.csv holds the channel epochs and DIR/demo-manifest.json lists exactly what was planted.',
};

function integerOption(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(`demo: --${name} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`} (got "${String(value)}")`);
  }
  return number;
}

/** Writes the demo archive, showing progress on a terminal. */
export async function writeDemo(dir: string, io: Io, options: { days?: number; seed?: number } = {}): Promise<DemoManifest> {
  const started = Date.now();
  const manifest = await writeDemoArchive(dir, {
    ...options,
    onProgress: io.stderr.isTTY ? (done, total) => io.stderr.write(`\r\x1b[Kwriting demo archive: ${Math.round((100 * done) / Math.max(total, 1))}%`) : undefined,
  });
  if (io.stderr.isTTY) io.stderr.write('\r\x1b[K');
  io.stderr.write(
    `demo archive ${dir}: ${manifest.channels.length} channels, ${manifest.days} days, ${manifest.files} files, ${(manifest.bytes / 1024 / 1024).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return manifest;
}

export async function demoCommand(values: Record<string, unknown>, positionals: string[], io: Io): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('demo: give exactly one target DIR (see lacuna demo --help)');
  const dir = resolve(positionals[0]);
  // Written over an existing archive (the living demo of lacuna start), the new manifest would sit beside old files.
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`demo: ${dir} is not empty: give a new or empty folder`);
  const manifest = await writeDemo(dir, io, { days: integerOption('days', values.days, 3, MAX_DEMO_DAYS), seed: integerOption('seed', values.seed, 0) });
  io.stdout.write(`${dir}\nscan it with: lacuna scan ${dir} --metadata ${resolve(dir, manifest.metadataFile)}\n`);
  return 0;
}
