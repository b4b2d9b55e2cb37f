/**
 * The reading side of an archive scan on worker threads: the files' headers are read and joined
 * into segments beside the thread that stores them, so reading and storing use a core each
 * (and more where there are more). Each thread reads a few files at a time, its reads
 * overlapping its parsing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileScan, ToleranceRule } from '@lacuna/core';
import type { ReadRequest } from './read-worker.ts';
import type { ArchiveFile } from './walk.ts';

/** Files each thread reads at once. */
const FILES_PER_THREAD = 2;

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

interface Thread {
  worker: Worker;
  busy: number;
}

export class ReadThreads {
  readonly #threads: Thread[];
  readonly #waiting = new Map<number, { resolve: (scan: FileScan) => void; reject: (error: Error) => void; thread: Thread }>();
  #nextId = 0;
  #failure: Error | null = null;

  /** `count` reading threads applying the tolerance rules to the segments they join. */
  constructor(count: number, rules: readonly ToleranceRule[]) {
    const source = workerSource();
    this.#threads = Array.from({ length: Math.max(1, count) }, () => {
      const worker = 'url' in source ? new Worker(source.url, { workerData: { rules } }) : new Worker(source.code, { eval: true, workerData: { rules } });
      const thread: Thread = { worker, busy: 0 };
      worker.on('message', ({ id, scan }: { id: number; scan: FileScan }) => {
        const waiting = this.#waiting.get(id);
        if (!waiting) return;
        this.#waiting.delete(id);
        thread.busy -= 1;
        waiting.resolve(scan);
      });
      worker.on('error', (error) => this.#fail(new Error(`archive reading thread failed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        if (code !== 0) this.#fail(new Error(`archive reading thread stopped (exit code ${code})`));
      });
      return thread;
    });
  }

  /** How many files can be read at once. */
  get capacity(): number {
    return this.#threads.length * FILES_PER_THREAD;
  }

  /** The file's scan, read on the least busy thread. */
  read(file: ArchiveFile): Promise<FileScan> {
    if (this.#failure) return Promise.reject(this.#failure);
    const thread = this.#threads.reduce((best, t) => (t.busy < best.busy ? t : best));
    const id = this.#nextId++;
    thread.busy += 1;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, thread });
      thread.worker.postMessage({ id, file } satisfies ReadRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.worker.terminate()));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const [id, waiting] of this.#waiting) {
      this.#waiting.delete(id);
      waiting.reject(this.#failure);
    }
  }
}
