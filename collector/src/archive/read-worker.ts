/**
 * A reading thread of the archive scan (readers.ts): takes files of a job one after another
 * from the list it shares with the other threads, reads each into its segments (scan-file.ts) and
 * sends each file's scan back; once no file is left, an empty result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ToleranceRule } from '@lacuna/core';
import { scanFile } from './scan-file.ts';
import { fileAt } from './file-list.ts';
import { READ_CLAIMED, READ_LIMIT, READ_PASSED, type ReadJob, type ReadResult } from './read-job.ts';

/** Atomics.waitAsync (node 16 and later; typed only from TypeScript's lib ES2024 on). */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number, timeout: number): { async: false } | { async: true; value: Promise<unknown> } }).waitAsync;

/** How long a thread waiting for the window to move sleeps at most before it looks again (ms). */
const RECHECK_MS = 50;

/** The index of the next file to read, or -1 when none is left. */
async function take({ files, progress, skipped }: ReadJob): Promise<number> {
  for (;;) {
    const limit = Atomics.load(progress, READ_LIMIT);
    const next = Atomics.load(progress, READ_CLAIMED);
    if (next >= files.count) {
      Atomics.notify(progress, READ_LIMIT); // threads waiting for the window: there is nothing left
      return -1;
    }
    if (next >= limit + Atomics.load(progress, READ_PASSED)) {
      const waiting = waitAsync(progress, READ_LIMIT, limit, RECHECK_MS);
      if (waiting.async) await waiting.value;
      continue;
    }
    if (Atomics.compareExchange(progress, READ_CLAIMED, next, next + 1) !== next) continue;
    if (Atomics.load(skipped, next) === 0) return next;
    Atomics.add(progress, READ_PASSED, 1);
    Atomics.notify(progress, READ_LIMIT);
  }
}

const rules = (workerData as { rules: ToleranceRule[] }).rules;

/**
 * Files are read blocking this thread, one after another: it has nothing else to do meanwhile, and
 * a read costs one system call instead of a round trip through node's I/O threads for the open,
 * each chunk and the close (0.95 GB in 24 files: 0.75 s → 0.62 s for the whole scan, 3.6 GB
 * in 96 files: 1.26 → 1.07 s). Each thread has one read in flight, as msi has; the threads together
 * have as many as there are threads (an archive on a network mount gets that many at once).
 */
parentPort!.on('message', async ({ job }: { job: ReadJob }) => {
  for (let index = await take(job); index >= 0; index = await take(job)) {
    parentPort!.postMessage({ scan: await scanFile(fileAt(job.files, index), rules, { blocking: true }), index } satisfies ReadResult);
  }
  parentPort!.postMessage({} satisfies ReadResult);
});
