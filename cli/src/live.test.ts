/**
 * `lacuna start` with live sources: a SeedLink server (FakeSeedLinkServer, the test double written
 * for the collector's tests), a file-drop folder and HTTP pushes, over 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSeries } from '@lacuna/collector';
import { FakeSeedLinkServer } from '@lacuna/collector/testing';
import { until } from '@lacuna/collector/testing';
import { lacuna } from './testing/run.ts';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/lacuna.js');
const TOKEN = 'cli-token';

describe('lacuna start with live sources', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-live-cli-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('refuses bad live options with one line naming the option, before opening anything', async () => {
    const cases: [string[], RegExp][] = [
      [['--seedlink', 'example.org:99999'], /^lacuna: start: --seedlink: bad SeedLink server "example.org:99999": port 99999 out of range/],
      [['--watch', temp], /^lacuna: start: --watch needs --watch-interval/],
      [['--watch', temp, '--watch-interval', 'soon'], /--watch-interval "soon" is not a duration/],
      [['--watch', temp, '--watch-interval', '10m,1h'], /--watch-interval "10m,1h" is not a duration/],
      [['--watch', temp, '--watch-interval', '10m', '--watch-pattern', '(?<sensor>x)'], /--watch-pattern: bad file-name pattern "\(\?<sensor>x\)": unknown group sensor/],
      [['--expected-streams', join(temp, 'missing.csv')], /--expected-streams .*missing.csv: no such file/],
      [['--seedlink', 'example.org', '--live-flush', '1 minute'], /--live-flush "1 minute" must be a duration from 10ms to 1h/],
      [['--seedlink', 'example.org', '--live-flush', '0ms'], /--live-flush "0ms" must be a duration/],
    ];
    for (const [args, message] of cases) {
      const run = await lacuna('start', ...args, '--store', join(temp, 'never'));
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('follows a SeedLink server, watches a drop folder and takes pushes, all in /metrics with their source', { timeout: 120_000 }, async () => {
    const server = await new FakeSeedLinkServer('ringserver').listen(0);
    const drop = join(temp, 'stix');
    for (const stage of ['incoming', 'processing', 'done']) mkdirSync(join(drop, stage), { recursive: true });
    const args = [
      BIN, 'start', '--seedlink', `127.0.0.1:${server.port}/XC_CLI`, '--watch', drop, '--watch-interval', '10m',
      '--listen', '127.0.0.1:0', '--store', join(temp, 'store'), '--spool', join(temp, 'spool'), '--metrics-refresh', '1',
    ];
    const child = spawn(process.execPath, args, { cwd: temp, env: { ...process.env, LACUNA_API_TOKEN: TOKEN, LACUNA_STORE: '', LACUNA_LISTEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.resume();
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      await until('the SeedLink connection', () => stderr.includes('connected to SeedLink server') || child.exitCode !== null, 60_000);
      await until('the exporter', () => /exporter (http:\/\/127\.0\.0\.1:\d+)/.test(stderr) || child.exitCode !== null, 60_000);
      const url = /exporter (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)![1];
      server.add(encodeSeries({ network: 'XC', station: 'CLI', location: '', channel: 'HHZ', start: Date.now() * 1000 - 10_000_000, sampleRate: 100, totalSamples: 5 * 112 }));
      writeFileSync(join(drop, 'incoming', 'frame-001.bin'), 'x');
      const pushed = await fetch(`${url}/api/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
        body: JSON.stringify({ stream: 'buoy-7/telemetered', start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() - 1000).toISOString(), samples: 60 }),
      });
      expect(pushed.status).toBe(200);

      const wanted = [
        /^lacuna_channel_data_latency_seconds\{network="XC",station="CLI",location="",channel="HHZ",source="seedlink:\/\/127\.0\.0\.1:\d+"\} /m,
        /^lacuna_channel_data_latency_seconds\{network="buoy",station="7",location="",channel="telemetered",source="push"\} /m,
        /^lacuna_channel_last_sample_timestamp_seconds\{network="stix",station="-",location="",channel="-",source="filedrop:[^"]+\/stix"\} /m,
        /^lacuna_pipeline_backlog_files\{pipeline="[^"]+\/stix",stage="incoming"\} 1$/m,
        /^lacuna_live_source_up\{source="seedlink:\/\/127\.0\.0\.1:\d+"\} 1$/m,
      ];
      let metrics = '';
      await until(
        'the live channels in /metrics',
        async () => {
          metrics = await (await fetch(`${url}/metrics`)).text();
          return wanted.every((pattern) => pattern.test(metrics));
        },
        60_000,
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}\n--- stderr:\n${stderr}\n--- metrics:\n${metrics.split('\n').filter((line) => /source=|pipeline/.test(line)).join('\n')}`);
      });
    } finally {
      child.kill('SIGTERM');
      await server.stop();
      await exited;
    }
    expect(child.exitCode).toBe(0);
  });
});
