import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fileScanOf, segmentOf } from '@lacuna/core/testing';
import { testBackends } from '@lacuna/core/testing';
import { parseTime } from '@lacuna/core';
import { writeDemoArchive } from '@lacuna/collector';
import { attentionReport } from './commands/start.ts';
import { runProcess } from './testing/run.ts';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/lacuna.js');

/** `lacuna ARGS` as its own process in `cwd`, as from another terminal. */
const run = (cwd: string, ...args: string[]) => runProcess(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, LACUNA_STORE: '' } });

/** `lacuna start` in `cwd` until its first summary of what needs attention; then `inside` runs, and it is stopped. */
async function untilFirstSummary(cwd: string, inside: (output: { stdout: string; stderr: string }) => Promise<void>): Promise<{ stdout: string; stderr: string; status: number | null }> {
  const child = spawn(process.execPath, [BIN, 'start', '--listen', '127.0.0.1:0'], { cwd, env: { ...process.env, LACUNA_STORE: '', LACUNA_LISTEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    const deadline = Date.now() + 120_000;
    while (!/below \d+ %/.test(output.stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    await inside(output);
  } finally {
    child.kill('SIGTERM');
  }
  const status = await exited;
  return { ...output, status };
}

describe('lacuna start with no configuration (what npm start runs)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'lacuna-start-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('writes and scans the demo archive, serves the exporter, lists what needs attention, and stops cleanly', async () => {
    // A fresh folder stands for a fresh clone: everything it writes goes to ./data there.
    let beside: Awaited<ReturnType<typeof run>> = { status: null, stdout: '', stderr: '' };
    const { stderr, status } = await untilFirstSummary(cwd, async ({ stdout, stderr }) => {
      expect(stderr).toMatch(/demo archive .*data\/demo: 32 channels/);
      expect(stderr).toMatch(/scanned (\d+) of \1 files \(0 unchanged, 0 deleted\)/);
      expect(existsSync(join(cwd, 'data', 'lacuna'))).toBe(true);
      // The dead channel of the demo is at the top of the list.
      expect(stdout).toMatch(/: 2 failed, 0 degraded; over the last 24 h, \d+ below 99 %:\n\s+\S+\s+FAILED\s+0\.00 %/);
      const url = /exporter (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      expect(url).toBeDefined();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      // Another terminal, while the store is held.
      beside = await run(cwd, 'gaps', '--format', 'json');
    });
    expect(status).toBe(0);
    expect(stderr).toContain('stopping');
    expect(beside.stderr).toBe('');
    expect(beside.status).toBe(0);
    const stopped = await run(cwd, 'gaps', '--format', 'json');
    expect(stopped.status).toBe(0);
    expect(JSON.parse(beside.stdout).length).toBeGreaterThan(5);
    expect(beside.stdout).toBe(stopped.stdout);
  });

  it('started on a later day, brings the demo up to now first: still only the dead and the late channel need attention', async () => {
    const later = mkdtempSync(join(tmpdir(), 'lacuna-start-later-'));
    try {
      // Written three days ago, and not run since.
      const written = await writeDemoArchive(join(later, 'data/demo'), { days: 5, end: Math.floor(Date.now() / 1000 - 3 * 86_400) * 1_000_000 });
      const { stdout, stderr, status } = await untilFirstSummary(later, async () => undefined);
      expect(status).toBe(0);
      expect(stderr).toMatch(/demo archive .*data\/demo: brought to now, \d+ records appended/);
      expect(stdout).toMatch(/: 2 failed, 0 degraded; over the last 24 h, 2 below 99 %:\n/);
      const listed = stdout.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim().split(/\s+/)[0]);
      expect(listed.sort()).toEqual([written.deadChannel.channel, written.lateChannel.channel].sort());
    } finally {
      rmSync(later, { recursive: true, force: true });
    }
  });

  it('refuses a bad --listen before it writes a demo archive or opens a store', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'lacuna-start-listen-'));
    try {
      const refused = await run(bad, 'start', '--listen', '99999');
      expect(refused.status).toBe(2);
      expect(refused.stderr).toBe('lacuna: --listen must be HOST:PORT, e.g. 127.0.0.1:9470 (got "99999")\n');
      expect(existsSync(join(bad, 'data'))).toBe(false);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('started a second time beside a running one, says who holds the store before touching the demo archive the first one extends', async () => {
    const twice = mkdtempSync(join(tmpdir(), 'lacuna-start-twice-'));
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      // An hour behind: a start that went ahead would append an hour of records beside the running one's.
      await writeDemoArchive(join(twice, 'data/demo'), { days: 3, end: Math.floor(Date.now() / 1000 - 3600) * 1_000_000 });
      const manifest = readFileSync(join(twice, 'data/demo/demo-manifest.json'), 'utf8');
      mkdirSync(join(twice, 'data/lacuna'));
      writeFileSync(join(twice, 'data/lacuna/status'), `PID: ${holder.pid}\nStarted at: 2026-12-07 12:00:00\nRevision: 54513\n`);
      const second = await run(twice, 'start', '--listen', '127.0.0.1:0');
      expect(second.status).toBe(3);
      expect(second.stderr).toBe(`lacuna: store ${join(twice, 'data/lacuna')} is unreachable: it is in use by process ${holder.pid}, which serves no API to read it through; try again when it has finished\n`);
      expect(readFileSync(join(twice, 'data/demo/demo-manifest.json'), 'utf8')).toBe(manifest);
    } finally {
      holder.kill();
      rmSync(twice, { recursive: true, force: true });
    }
  });

  it('writes a demo of the older kind, which did not grow, anew, and scans it although its old files are gone', async () => {
    const older = mkdtempSync(join(tmpdir(), 'lacuna-start-older-'));
    try {
      const demo = join(older, 'data/demo');
      // Forty days old: none of its day files is among the new demo's three weeks.
      const old = await writeDemoArchive(demo, { days: 5, end: Math.floor(Date.now() / 1000 - 40 * 86_400) * 1_000_000 });
      expect((await run(older, 'scan', demo)).status).toBe(0);
      const manifest = JSON.parse(readFileSync(join(demo, 'demo-manifest.json'), 'utf8'));
      writeFileSync(join(demo, 'demo-manifest.json'), JSON.stringify({ ...manifest, version: 1 }));
      const { stdout, stderr, status } = await untilFirstSummary(older, async () => undefined);
      expect(status).toBe(0);
      expect(stderr).toMatch(/demo archive .*data\/demo is of an older kind that does not grow: writing it anew/);
      expect(stderr).toContain(`0 unchanged, ${old.files} deleted)`);
      expect(stdout).toMatch(/: 2 failed, 0 degraded; over the last 24 h, \d+ below 99 %:\n/);
    } finally {
      rmSync(older, { recursive: true, force: true });
    }
  });
});

describe('the attention report after each scan', () => {
  it('gives each channel its availability over the whole last 24 hours, across midnight', async () => {
    const [backend] = testBackends();
    const store = await backend.open();
    try {
      // Data until 03-02 06:00 with 6 h missing on 03-01: 75 % of the last 24 h (66.7 % of 03-01's part, 100 % of 03-02's).
      await store.storeFileScans(
        [fileScanOf('/p/2024.061', '2024-03-02T06:00:00Z', [segmentOf('XX.PART..LHZ', '2024-03-01T00:00:00Z', 12 * 3600), segmentOf('XX.PART..LHZ', '2024-03-01T18:00:00Z', 12 * 3600)])],
        1,
      );
      const report = await attentionReport(store, [], parseTime('2024-03-02T06:00:00Z'));
      expect(report).toContain('1 channels at 2024-03-02T06:00:00.000000Z: 0 failed, 0 degraded; over the last 24 h, 1 below 99 %:');
      expect(report).toMatch(/XX\.PART\.\.LHZ\s+NOT_TRACKED\s+75\.00 %\s+   1 gap  latency 1s\n$/);
    } finally {
      await backend.dispose(store);
    }
  });
});
