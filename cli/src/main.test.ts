import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdsRelativePath, writeDemoArchive, type DemoManifest } from '@lacuna/collector';
import { parseChannelKey } from '@lacuna/core';
import { MICROS_PER_DAY } from '@lacuna/core';
import { floorToDay, formatTime } from '@lacuna/core';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { Store } from '@lacuna/core';
import { toleranceRules } from './args.ts';
import { runExporter } from './commands/serve.ts';
import { LACUNA_VERSION } from '@lacuna/exporter';
import type { Io } from './context.ts';
import { lacuna, type Run } from './testing/run.ts';
import { SERVER_FILE } from './store-holder.ts';


const json = <T>(run: Run): T => JSON.parse(run.stdout) as T;

describe('lacuna CLI', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-cli-'));
  const store = join(temp, 'store');
  const archive = join(temp, 'demo');
  // A fixed "now" so the planted faults fall on known days.
  const end = Date.UTC(2026, 10, 20, 15, 30, 0) * 1000;
  let manifest: DemoManifest;

  beforeAll(async () => {
    manifest = await writeDemoArchive(archive, { days: 4, end });
    const scan = await lacuna('scan', archive, '--metadata', join(archive, 'metadata.csv'), '--store', store);
    expect(scan.status).toBe(0);
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('has --help for every command, and an overview', async () => {
    for (const command of ['start', 'serve', 'scan', 'segments', 'gaps', 'availability', 'files', 'demo', 'seedlink-info']) {
      const run = await lacuna(command, '--help');
      expect(run.status, command).toBe(0);
      expect(run.stdout, command).toMatch(new RegExp(`^Usage: lacuna ${command}`));
      expect(run.stdout, command).toContain('--help');
    }
    const overview = await lacuna('--help');
    expect(overview.stdout).toContain('availability');
    const version = await lacuna('--version');
    expect([version.status, version.stdout]).toEqual([0, `lacuna ${LACUNA_VERSION}\n`]);
  });

  it('scans the demo archive and reports every file read', async () => {
    const files = json<{ path: string; status: string }[]>(await lacuna('files', '--format', 'json', '--store', store));
    expect(files).toHaveLength(manifest.files);
    expect(files.every((file) => file.status === 'ok')).toBe(true);
    const rescan = await lacuna('scan', archive, '--store', store);
    expect(rescan.stdout).toMatch(new RegExp(`scanned 0 of ${manifest.files} files \\(${manifest.files} unchanged, 0 deleted\\)`));
  });

  it('keeps every file when a rescan names a layout that matches none of them, and says why nothing matched (issue 11 case 7)', async () => {
    const bud = await lacuna('scan', archive, '--layout', 'bud', '--store', store);
    expect(bud.status, bud.stderr).toBe(0);
    expect(bud.stdout).toMatch(/^scanned 0 of 0 files \(0 unchanged, 0 deleted\)/);
    expect(bud.stdout).toContain(`no file matched layout bud under ${archive}`);
    expect(bud.stdout).toContain(`${manifest.files} known files not matched by layout bud are still on disk: kept, with their segments`);
    expect(json<unknown[]>(await lacuna('files', '--format', 'json', '--store', store))).toHaveLength(manifest.files);
  });

  it('lists the planted gaps of a channel exactly, as JSON with ISO times', async () => {
    const planted = manifest.gaps.filter((gap) => gap.channel === manifest.gaps[0].channel);
    const gaps = json<Record<string, unknown>[]>(await lacuna('gaps', '--channel', planted[0].channel, '--format', 'json', '--store', store));
    expect(gaps.map((gap) => [gap.start, gap.end, gap.missing_samples])).toEqual(planted.map((gap) => [formatTime(gap.start), formatTime(gap.end), gap.missingSamples]));
    expect(Object.keys(gaps[0])).toEqual(['channel', 'quality', 'sample_rate', 'start', 'end', 'gap_s', 'missing_samples']);
    expect(gaps[0].gap_s).toBeCloseTo((planted[0].end - planted[0].start) / 1e6, 6);
  });

  it('serves gaps joined by the same --tolerance rules as `lacuna gaps`', async () => {
    const [planted] = manifest.gaps;
    // A tolerance just over the first planted gap of the channel joins across it.
    const rule = `${planted.channel}=${Math.ceil((planted.end - planted.start) / 1e6) + 1}s`;
    const cli = json<{ start: string }[]>(await lacuna('gaps', '--channel', planted.channel, '--tolerance', rule, '--format', 'json', '--store', store));
    expect(cli.map((gap) => gap.start)).not.toContain(formatTime(planted.start));
    const opened = await Store.open({ kind: 'embedded', target: store });
    const quiet = { stdout: new PassThrough(), stderr: new PassThrough() } as unknown as Io;
    const exporter = await runExporter(opened, { listen: '127.0.0.1:0' }, quiet, toleranceRules('serve', [rule]));
    try {
      const range = `from=${new Date(manifest.channelInfo[0].firstSample / 1000).toISOString()}&to=${new Date(end / 1000).toISOString()}`;
      const served = (await (await fetch(`${exporter.url}/api/v1/gaps?channel=${planted.channel}&${range}`)).json()) as { gaps: { start: number }[] };
      expect(served.gaps.map((gap) => formatTime(gap.start))).toEqual(cli.map((gap) => gap.start));
    } finally {
      await exporter.close();
      await opened.close();
    }
  });

  it('scans files given by name, as msi takes them, and skips them when unchanged', async () => {
    const fileStore = join(temp, 'file-store');
    const info = manifest.channelInfo[0];
    // A day file under a name of its own, as files are handed around: FILE.mseed.
    const file = join(temp, `${info.channel}.mseed`);
    copyFileSync(join(archive, sdsRelativePath(parseChannelKey(info.channel), floorToDay(end))), file);
    const first = await lacuna('scan', file, '--store', fileStore);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^scanned 1 of 1 files/);
    const segments = json<{ channel: string }[]>(await lacuna('segments', '--format', 'json', '--store', fileStore));
    expect(new Set(segments.map((segment) => segment.channel))).toEqual(new Set([info.channel]));
    const again = await lacuna('scan', file, '--store', fileStore);
    expect(again.stdout).toMatch(/^scanned 0 of 1 files \(1 unchanged, 0 deleted\)/);
  });

  it('prints segments with the documented fields, the end being the last sample', async () => {
    const { channel, firstSample } = manifest.channelInfo[0];
    const segments = json<Record<string, unknown>[]>(await lacuna('segments', '--channel', channel, '--format', 'json', '--store', store));
    expect(Object.keys(segments[0])).toEqual(['channel', 'quality', 'sample_rate', 'start', 'end', 'samples']);
    expect(segments[0].channel).toBe(channel);
    expect(segments[0].start).toBe(formatTime(firstSample));
  });

  it('gives the dead channel 0 % on its silent days and counts only expected time', async () => {
    const { deadChannel, notExpectedAfter } = manifest;
    const lastFullSilentDay = floorToDay(end) - MICROS_PER_DAY;
    const dead = json<Record<string, unknown>[]>(
      await lacuna('availability', '--channel', deadChannel.channel, '--start', formatTime(lastFullSilentDay), '--end', formatTime(floorToDay(end)), '--format', 'json', '--store', store),
    );
    // The outage runs through the whole day: one gap as long as the day (as MUSTANG counts a day's gaps).
    expect(dead).toEqual([{ channel: deadChannel.channel, day: formatTime(lastFullSilentDay), percent: 0, covered_s: 0, expected_s: 86400, gaps: 1, max_gap_s: 86400, overlaps: 0 }]);

    const retired = json<{ day: string; percent: number | null; expected_s: number }[]>(
      await lacuna('availability', '--channel', notExpectedAfter.channel, '--start', formatTime(floorToDay(notExpectedAfter.epochEnd)), '--end', formatTime(floorToDay(end)), '--format', 'json', '--store', store),
    );
    expect(retired[0].percent).toBe(100);
    expect(retired[0].expected_s).toBeCloseTo((notExpectedAfter.epochEnd - floorToDay(notExpectedAfter.epochEnd)) / 1e6, 6);
    expect(retired.slice(1).every((row) => row.percent === null && row.expected_s === 0)).toBe(true);
  });

  it('ends a report without --end where the newest sample\'s coverage ends: no sliver of missing time, no 47351.000001', async () => {
    for (const info of manifest.channelInfo.filter((candidate) => candidate.channel !== manifest.deadChannel.channel && candidate.epochEnd === null)) {
      const rows = json<{ day: string; expected_s: number; percent: number | null; gaps: number }[]>(await lacuna('availability', '--channel', info.channel, '--format', 'json', '--store', store));
      const today = rows.at(-1)!;
      expect(today.day, info.channel).toBe(formatTime(floorToDay(end)));
      expect(today.expected_s, info.channel).toBe((info.lastSample + 1e6 / info.sampleRate - Math.max(floorToDay(end), info.epochStart)) / 1e6);
      expect(today.percent, info.channel).toBe(100);
    }
  });

  it('writes CSV with a header and text with aligned columns', async () => {
    const csv = await lacuna('availability', '--channel', manifest.deadChannel.channel, '--format', 'csv', '--store', store);
    expect(csv.stdout.split('\n')[0]).toBe('channel,day,percent,covered_s,expected_s,gaps,max_gap_s,overlaps');
    const text = await lacuna('segments', '--channel', manifest.channelInfo[0].channel, '--store', store);
    expect(text.stdout.split('\n')[0]).toMatch(/^channel\s+quality\s+sample_rate\s+start\s+end\s+samples$/);
  });

  it('rejects bad arguments with one line and status 2', async () => {
    const cases = [
      ['availability', '--start', '2024-13-01', '--store', store],
      ['segments', '--channel', "IU'; DROP TABLE segments; --", '--store', store],
      ['gaps', '--format', 'xml', '--store', store],
      ['scan', '--store', store],
      ['scan', join(temp, 'nowhere'), '--store', store],
      ['scan', archive, '--layout', '{NET}/{BOGUS}', '--store', store],
      ['scan', archive, '--metadata', join(temp, 'missing.csv'), '--store', store],
      ['availability', '--by', 'week', '--store', store],
      ['frobnicate'],
      ['segments', '--no-such-option'],
      ['start', '--target', 'collector', '--shard', '3/3', '--archive', archive, '--store', store],
      ['start', '--shard', '0/2', '--archive', archive, '--store', store],
      ['start', '--target', 'collector', '--shard', '0/2', '--layout', '**/*', '--archive', archive, '--store', store],
      ['serve', '--metrics-shard', '2/2', '--store', store],
      ['scan', archive, '--cluster', 'lacuna', '--store', store],
    ];
    for (const argv of cases) {
      const run = await lacuna(...argv);
      expect(run.status, argv.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(run.stderr, argv.join(' ')).toMatch(/^lacuna: /);
    }
    expect((await lacuna('start', '--shard', '0/2', '--archive', archive)).stderr).toContain('add --target collector');
    // Nothing stored was lost on the way.
    const files = json<unknown[]>(await lacuna('files', '--format', 'json', '--store', store));
    expect(files).toHaveLength(manifest.files);
  });

  it('says in one line, with status 3, that a ClickHouse server is unreachable', async () => {
    const run = await lacuna('segments', '--store', 'http://127.0.0.1:9');
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/^lacuna: store http:\/\/127\.0\.0\.1:9 is unreachable: .+\n$/);
  });

  it('says there is no store, with status 3, when a report names a folder where none was made (never an empty one made there)', async () => {
    // What a user meets after `npm link`: `lacuna gaps` in a folder with no ./data/lacuna.
    const missing = join(temp, 'no-store-here');
    for (const argv of [['gaps'], ['segments', '--format', 'json'], ['availability'], ['files', '--errors']]) {
      const run = await lacuna(...argv, '--store', missing);
      expect(run.status, argv.join(' ')).toBe(3);
      expect(run.stdout, argv.join(' ')).toBe('');
      expect(run.stderr, argv.join(' ')).toBe(
        `lacuna: store ${missing} is unreachable: there is no store there; scan into it first (lacuna scan PATH, or lacuna start), or name yours with --store or LACUNA_STORE\n`,
      );
    }
    expect(existsSync(missing)).toBe(false);
  });

  it('reads through the running exporter that holds the store, printing what a stopped store prints', async () => {
    const reports = [
      ['gaps', '--format', 'json', '--overlaps'],
      ['gaps', '--channel', manifest.gaps[0].channel, '--tolerance', '0.25'],
      ['segments', '--format', 'csv', '--start', '-2d'],
      ['availability', '--by', 'hour', '--channel', 'XA', '--start', formatTime(end - MICROS_PER_DAY), '--end', formatTime(end)],
      ['availability', '--keep-quality', '--format', 'json'],
      ['files', '--format', 'json'],
      ['files', '--errors'],
    ];
    const stopped = await Promise.all(reports.map((argv) => lacuna(...argv, '--store', store)));
    const opened = await Store.open({ kind: 'embedded', target: store });
    const quiet = { stdout: new PassThrough(), stderr: new PassThrough() } as unknown as Io;
    // Its own tolerance must not change what the CLI asked for.
    const exporter = await runExporter(opened, { listen: '127.0.0.1:0' }, quiet, toleranceRules('serve', ['10s']));
    try {
      expect(existsSync(join(store, SERVER_FILE))).toBe(true);
      for (const [i, argv] of reports.entries()) {
        const running = await lacuna(...argv, '--store', store);
        expect(running.status, argv.join(' ')).toBe(0);
        expect(running.stderr, argv.join(' ')).toBe('');
        expect(running.stdout, argv.join(' ')).toBe(stopped[i].stdout);
      }
      const bad = await lacuna('gaps', '--tolerance', 'wide', '--store', store);
      expect(bad.status).toBe(2);
      // What the README's first example meets beside npm start: a scan cannot go through the holder.
      const scan = await lacuna('scan', archive, '--store', store);
      expect(scan.status).toBe(3);
      expect(scan.stderr).toBe(
        `lacuna: store ${store} is unreachable: it is in use by process ${process.pid} (serving ${exporter.url}); the report commands read it through that process, but scan, start and serve need the store to themselves: stop that process first, or give another --store\n`,
      );
    } finally {
      await exporter.close();
      await opened.close();
    }
    expect(existsSync(join(store, SERVER_FILE))).toBe(false);
    expect(stopped[6].stdout).toBe('no file has failed\n');
    expect(json<{ error: unknown }[]>(stopped[5]).every((file) => file.error === null)).toBe(true);
  });

  it('asks a token-guarded holder with LACUNA_API_TOKEN, and says so in one line without it', async () => {
    const opened = await Store.open({ kind: 'embedded', target: store });
    const quiet = { stdout: new PassThrough(), stderr: new PassThrough() } as unknown as Io;
    process.env.LACUNA_API_TOKEN = 's3cret';
    const exporter = await runExporter(opened, { listen: '127.0.0.1:0' }, quiet, []);
    try {
      expect((await lacuna('files', '--errors', '--store', store)).stdout).toBe('no file has failed\n');
      delete process.env.LACUNA_API_TOKEN;
      const refused = await lacuna('files', '--store', store);
      expect(refused.status).toBe(3);
      expect(refused.stderr).toBe(`lacuna: store ${store} is unreachable: the lacuna holding it (${exporter.url}) wants its bearer token: set LACUNA_API_TOKEN\n`);
    } finally {
      delete process.env.LACUNA_API_TOKEN;
      await exporter.close();
      await opened.close();
    }
  });

  it('says who holds a store that no API serves, in one line with status 3, without touching the engine', async () => {
    const held = join(temp, 'held');
    mkdirSync(held);
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(join(held, 'status'), `PID: ${holder.pid}\nStarted at: 2026-12-07 12:00:00\nRevision: 54513\n`);
      for (const argv of [['gaps'], ['files'], ['scan', archive]]) {
        const run = await lacuna(...argv, '--store', held);
        expect(run.status, argv.join(' ')).toBe(3);
        expect(run.stderr, argv.join(' ')).toBe(`lacuna: store ${held} is unreachable: it is in use by process ${holder.pid}, which serves no API to read it through; try again when it has finished\n`);
      }
    } finally {
      holder.kill();
    }
  });

  it('says what to do when the exporter\'s port is taken (a second lacuna start, or another program)', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as AddressInfo).port;
    try {
      const run = await lacuna('serve', '--listen', `127.0.0.1:${port}`, '--store', store);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(`lacuna: cannot listen on 127.0.0.1:${port}: another program listens there (another lacuna?); choose a free address with --listen HOST:PORT or LACUNA_LISTEN\n`);
    } finally {
      taken.close();
    }
  });

  it('writes the demo manifest beside the archive', () => {
    const written = JSON.parse(readFileSync(join(archive, 'demo-manifest.json'), 'utf8')) as DemoManifest;
    expect(written.channels).toEqual(manifest.channels);
  });

  it('writes a demo only into an empty or new folder: over an existing one (the living demo of lacuna start) it would leave a new manifest beside old files', async () => {
    const before = readFileSync(join(archive, 'demo-manifest.json'), 'utf8');
    const run = await lacuna('demo', archive);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`lacuna: demo: ${archive} is not empty: give a new or empty folder\n`);
    expect(readFileSync(join(archive, 'demo-manifest.json'), 'utf8')).toBe(before);
    const empty = join(temp, 'empty-demo');
    mkdirSync(empty);
    expect((await lacuna('demo', empty, '--days', '3')).status).toBe(0);
    expect(existsSync(join(empty, 'demo-manifest.json'))).toBe(true);
  });

  it('refuses more demo days than it writes as a bad option, writing nothing', async () => {
    const target = join(temp, 'too-long-demo');
    const run = await lacuna('demo', target, '--days', '100000');
    expect([run.status, run.stderr]).toEqual([2, 'lacuna: demo: --days must be a whole number from 3 to 3660 (got "100000")\n']);
    expect(existsSync(target)).toBe(false);
  });
});
