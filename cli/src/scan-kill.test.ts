/**
 * `lacuna scan` killed with SIGKILL at random moments, during a first scan and during a rescan of
 * a changed archive (files grown, cut, touched, one deleted), then run again to its end: the store
 * holds what an uninterrupted run stores, the segments, file states, daily rollups and channel
 * extents alike.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '@lacuna/core';
import { writeDemoArchive } from '@lacuna/collector';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/lacuna.js');
const KILLS_PER_PHASE = 4;

function scan(archive: string, store: string, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, 'scan', archive, '--store', store], { env: { ...process.env, LACUNA_STORE: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((done) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stderr, ms: Date.now() - started });
    }),
  );
}

/** What a store holds, without what differs from run to run (scan ids, when rows were computed). */
async function snapshot(dir: string) {
  const store = await Store.open({ kind: 'embedded', target: dir });
  try {
    return {
      segments: await store.rows(
        `SELECT network, station, location, channel, quality, sample_rate, toString(start_time) AS s, toString(end_time) AS e, samples, tolerance_us, source, toString(first_seen) AS f
         FROM segments ORDER BY ALL`,
      ),
      files: await store.rows('SELECT path, size, toString(mtime) AS m, status, error, error_offset, records, format FROM files FINAL WHERE deleted = 0 ORDER BY path'),
      rollups: await store.rows('SELECT * EXCEPT computed_at FROM availability_daily FINAL ORDER BY ALL'),
      extents: await store.rows('SELECT * EXCEPT computed_at FROM channel_extents FINAL WHERE deleted = 0 ORDER BY ALL'),
    };
  } finally {
    await store.close();
  }
}

describe('lacuna scan killed at random moments', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-scan-kill-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it(`stores what an uninterrupted scan stores, after ${KILLS_PER_PHASE} kills in a first scan and ${KILLS_PER_PHASE} in a rescan`, { timeout: 600_000 }, async () => {
    const archive = join(temp, 'archive');
    await writeDemoArchive(archive, { days: 10, end: Date.UTC(2024, 4, 10, 12) * 1000 });
    const clean = join(temp, 'clean');
    const killed = join(temp, 'killed');

    const phase = async (name: string) => {
      const uninterrupted = await scan(archive, clean);
      expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
      const kills: string[] = [];
      for (let trial = 0; trial < KILLS_PER_PHASE; trial++) {
        // Most of a run is the process starting and the engine opening: the kills fall in its later part, where the scan writes.
        const at = (0.3 + 0.7 * Math.random()) * uninterrupted.ms;
        const run = await scan(archive, killed, at);
        kills.push(`${Math.round(at)} ms: ${run.signal === 'SIGKILL' ? 'killed' : `ended ${run.code}`}`);
      }
      const rerun = await scan(archive, killed);
      expect(rerun.code, `${name}: ${rerun.stderr}`).toBe(0);
      expect(await snapshot(killed), `${name} after ${kills.join(', ')}`).toEqual(await snapshot(clean));
    };

    await phase('first scan');

    // The archive changes: a day later (every file written again, a new day's files), some cut, some only touched, one deleted.
    await writeDemoArchive(archive, { days: 10, end: Date.UTC(2024, 4, 11, 12) * 1000 });
    const files = readdirSync(archive, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.\d{4}\.\d{3}$/.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    for (const path of files.slice(0, 3)) truncateSync(path, Math.floor(statSync(path).size / 1024) * 512);
    for (const path of files.slice(3, 6)) utimesSync(path, new Date(), new Date(Date.UTC(2024, 4, 11)));
    rmSync(files[6]);
    await phase('rescan');
  });
});
