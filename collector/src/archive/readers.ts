/**
 * The reading side of an archive scan on worker threads: the files' headers are read and joined
 * into segments beside the thread that stores them, so reading and storing use a core each
 * (and more where there are more). The threads take the files one after another from a shared
 * list themselves, so they keep reading while the storing thread is busy (or blocked loading the
 * embedded engine).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileScan, ToleranceRule } from '@lacuna/core';
import { READ_CLAIMED, READ_COUNTERS, READ_LIMIT, type ReadJob, type ReadResult } from './read-job.ts';
import type { FileList } from './file-list.ts';

/**
 * Files the threads may read ahead of those whose scans were taken (`onScan` finished): a bound
 * on the scans waiting in memory when storing is slower than reading.
 */
export const READ_WINDOW = 1000;

/** The threads by default: one per core, at most 4 (reading outruns storing well before then). */
export function defaultReadThreads(): number {
  return Math.min(4, availableParallelism());
}

/**
 * The worker's script. The compiled CLI (cli/build.ts) bundles it beside itself as
 * read-worker.js; from the TypeScript sources (tests, development) it is read-worker.ts, which a
 * worker runs through tsx.
 */
function workerSource(): { code: string; eval: true } | { url: URL } {
  const compiled = !import.meta.url.endsWith('.ts');
  if (compiled) return { url: new URL('./read-worker.js', import.meta.url) };
  const script = new URL('./read-worker.ts', import.meta.url).href;
  // tsx's ES module API, by its package's exports (a worker's eval code has no import.meta.resolve).
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exported = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api'].import.default;
  const tsx = new URL(exported, pathToFileURL(manifest)).href;
  return { code: `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`, eval: true };
}

/**
 * A reading thread's young generation, MB. Its live data is one file's scan, so a small young
 * generation costs little collecting and keeps the thread's heap small: 10,000 files of 4 KB
 * into a new store peaked at 471-481 MB with V8's default (two threads), 442-452 MB with this.
 */
const THREAD_YOUNG_GENERATION_MB = 2;

export class ReadThreads {
  readonly #workers: Worker[];
  #onResult: ((result: ReadResult) => void) | null = null;
  #failure: Error | null = null;
  #onFailure: ((error: Error) => void) | null = null;

  /** `count` reading threads applying the tolerance rules to the segments they join. */
  constructor(count: number, rules: readonly ToleranceRule[]) {
    const source = workerSource();
    const options = { workerData: { rules }, resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB } };
    this.#workers = Array.from({ length: Math.max(1, count) }, () => {
      const worker = 'url' in source ? new Worker(source.url, options) : new Worker(source.code, { ...options, eval: true });
      worker.on('message', (result: ReadResult) => this.#onResult?.(result));
      worker.on('error', (error) => this.#fail(new Error(`archive reading thread failed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        if (code !== 0) this.#fail(new Error(`archive reading thread stopped (exit code ${code})`));
      });
      return worker;
    });
  }

  /**
   * Reads `files` on the threads, each once, about in their order, and hands each file's scan (and
   * its index in `files`) to `onScan` as it comes (one at a time: the next waits until the last one's promise settles).
   * `done` resolves when every file has been handed over, but those left unread by `skip(index)`
   * before a thread came to them. At most `window` files are read ahead of the scans handed
   * over. One job at a time.
   */
  readAll(files: FileList, onScan: (scan: FileScan, index: number) => Promise<void> | void, window = READ_WINDOW): { done: Promise<void>; skip: (index: number) => void } {
    const progress = new Int32Array(new SharedArrayBuffer(READ_COUNTERS * Int32Array.BYTES_PER_ELEMENT));
    const skipped = new Uint8Array(new SharedArrayBuffer(files.count));
    Atomics.store(progress, READ_LIMIT, Math.min(files.count, window));
    const job: ReadJob = { files, progress, skipped };
    const done = new Promise<void>((resolve, reject) => {
      if (this.#failure) return reject(this.#failure);
      this.#onFailure = reject;
      let handed = 0;
      let finished = 0;
      let chain = Promise.resolve();
      const settle = () => {
        if (finished === this.#workers.length) chain.then(resolve, reject);
      };
      this.#onResult = (result) => {
        if (result.scan === undefined) {
          finished += 1;
          return settle();
        }
        const { scan, index } = result;
        chain = chain.then(async () => {
          await onScan(scan, index);
          handed += 1;
          Atomics.store(progress, READ_LIMIT, Math.min(files.count, handed + window));
          Atomics.notify(progress, READ_LIMIT);
        });
        chain.catch((error: unknown) => {
          // onScan failed: the threads stop taking files, and the job fails with its error.
          Atomics.store(progress, READ_CLAIMED, files.count);
          Atomics.notify(progress, READ_LIMIT);
          reject(error);
        });
      };
      for (const worker of this.#workers) worker.postMessage({ job });
    });
    return { done, skip: (index) => Atomics.store(skipped, index, 1) };
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#onFailure?.(this.#failure);
  }
}
