/**
 * `lacuna start` killed with SIGKILL at random moments while it follows a SeedLink server
 * (FakeSeedLinkServer, the collector's test double of a server) and takes pushes, then started
 * again: the store ends up with what a clean run stores, every packet and pushed item once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compactLiveSegments, parseChannelPatterns, parseTime, Store } from '@lacuna/core';
import { encodeSeries } from '@lacuna/collector';
import { FakeSeedLinkServer, until } from '@lacuna/collector/testing';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/lacuna.js');
const TOKEN = 'kill-token';
const T0 = parseTime('2024-05-01T00:00:00Z');
const RECORD_US = 1_120_000; // 112 samples at 100 Hz
const KILLS = 4;
const ITEMS_PER_BATCH = 3;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  url: () => string | null;
}

describe('lacuna start killed during live ingest', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-live-kill-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it(`stores every SeedLink packet and pushed item once across ${KILLS} kills at random moments`, { timeout: 300_000 }, async () => {
    const server = await new FakeSeedLinkServer('ringserver').listen(0);
    const storeDir = join(temp, 'store');
    const spool = join(temp, 'spool');
    const stateFile = join(spool, `seedlink-127.0.0.1_${server.port}.state.json`);
    const start = (): Run => {
      const args = [BIN, 'start', '--seedlink', `127.0.0.1:${server.port}/XK_KIL`, '--listen', '127.0.0.1:0', '--store', storeDir, '--spool', spool, '--live-flush', '100ms'];
      const child = spawn(process.execPath, args, { cwd: temp, env: { ...process.env, LACUNA_API_TOKEN: TOKEN, LACUNA_STORE: '', LACUNA_LISTEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      child.stdout!.resume();
      return {
        child,
        stderr: () => stderr,
        exited: new Promise((done) => child.on('exit', (code) => done(code))),
        url: () => /exporter (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1] ?? null,
      };
    };
    const ready = (run: Run, what: string) =>
      until(what, () => (run.stderr().includes('connected to SeedLink server') && run.url() !== null) || run.child.exitCode !== null, 60_000).then(() => {
        if (run.child.exitCode !== null) throw new Error(`lacuna start exited (${run.child.exitCode}):\n${run.stderr()}`);
      });

    let records = 0;
    const addRecord = () => server.add(encodeSeries({ network: 'XK', station: 'KIL', location: '', channel: 'HHZ', start: T0 + records++ * RECORD_US, sampleRate: 100, totalSamples: 112 }));

    let run = start();
    let feeder: NodeJS.Timeout | undefined;
    try {
      await ready(run, 'the first start');
      // The very first connection starts with the next packet: the kills begin once the station has a resume point.
      addRecord();
      await until('a resume point in the state file', () => existsSync(stateFile) && readFileSync(stateFile, 'utf8').includes('XK_KIL'), 60_000);
      feeder = setInterval(addRecord, 25);

      // A client that retries each batch until it is answered, with its items in another order each time.
      let batches = 0;
      let pushing = true;
      const pusher = (async () => {
        while (pushing) {
          const items = Array.from({ length: ITEMS_PER_BATCH }, (_, i) => {
            const minute = T0 + (batches * ITEMS_PER_BATCH + i) * 60_000_000;
            return { stream: 'kill-push/x', start: new Date(minute / 1000).toISOString(), end: new Date((minute + 59_000_000) / 1000).toISOString(), samples: 60 };
          });
          for (let attempt = 0; ; attempt++) {
            const url = run.url();
            const body = JSON.stringify(attempt % 2 === 0 ? items : [...items].reverse());
            const answer = url === null ? null : await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body }).catch(() => null);
            if (answer?.status === 200) break;
            await sleep(30);
          }
          batches++;
        }
      })();

      for (let kill = 0; kill < KILLS; kill++) {
        await sleep(300 + Math.random() * 1500);
        run.child.kill('SIGKILL');
        await run.exited;
        run = start();
        await ready(run, `the start after kill ${kill + 1}`);
      }
      clearInterval(feeder);
      pushing = false;
      await pusher;

      // Everything the server holds is in, as /metrics says from the running process.
      const lastSample = (T0 + (records - 1) * RECORD_US + 111 * 10_000) / 1e6;
      await until(
        'the last packet',
        async () => (await (await fetch(`${run.url()}/metrics`)).text()).includes(`lacuna_channel_last_sample_timestamp_seconds{network="XK",station="KIL",location="",channel="HHZ",source="seedlink://127.0.0.1:${server.port}"} ${lastSample}\n`),
        60_000,
      );
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);

      const store = await Store.open({ kind: 'embedded', target: storeDir });
      try {
        const window = { start: T0 - 86_400_000_000, end: T0 + 7 * 86_400_000_000 };
        const samples = async (pattern: string) => (await store.segments({ patterns: parseChannelPatterns(pattern), window })).reduce((sum, s) => sum + s.samples, 0);
        // Before any compaction too: nothing was written twice, even for a moment.
        expect(await samples('XK.KIL')).toBe(records * 112);
        expect(await samples('kill.push..x')).toBe(batches * ITEMS_PER_BATCH * 60);
        for (const source of [`seedlink://127.0.0.1:${server.port}`, 'push']) await compactLiveSegments(store, source, Date.now() * 1000);
        const seedlink = await store.segments({ patterns: parseChannelPatterns('XK.KIL'), window });
        expect(seedlink.map((s) => [s.start, s.samples])).toEqual([[T0, records * 112]]);
        const pushed = await store.segments({ patterns: parseChannelPatterns('kill.push..x'), window });
        expect(pushed.map((s) => [s.start, s.samples])).toEqual([[T0, batches * ITEMS_PER_BATCH * 60]]);
      } finally {
        await store.close();
      }
    } finally {
      clearInterval(feeder);
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await run.exited;
      await server.stop();
    }
  });
});
