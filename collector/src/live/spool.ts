import { open, readdir, readFile, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeDirectory, type LiveBatch } from '@lacuna/core';

/** A spool file: batches appended one JSON line each. */
const FILE = /^spool-(\d{12})\.ndjson$/;
/** Where batches the store refused for their content go, never to be replayed: `{refusedAt, reason, batch}` per line. */
export const DEAD_LETTER_FILE = 'dead-letter.ndjson';

export interface SpoolFileContent {
  batches: LiveBatch[];
  /** Lines that are not a batch (a line torn by a crash mid-append, or damage): 1-based line and why. */
  bad: { line: number; reason: string }[];
}

/**
 * The local append-only spool: live batches that could not reach the store wait here, on disk,
 * until it is back. A directory of numbered files; batches are appended to the newest as one JSON
 * line each and synced to disk before `append` resolves, so a batch acknowledged as spooled
 * survives a crash of the process (and, with `fsync`, of the machine). A file is read back whole
 * (files are rotated at `maxFileBytes`, which bounds the memory a replay takes) and removed once
 * every batch in it is stored. Replaying a file twice stores nothing twice: the store replaces a
 * batch's earlier rows. One process per spool directory: `spool.lock` holds the owner's pid, and a
 * second process (or a second spool in the same process) is refused; a lock left by a process
 * that is gone is taken over.
 */
export class Spool {
  private handle: FileHandle | null = null;
  private current = '';
  private currentBytes = 0;
  private nextNumber = 1;
  private files: string[] = [];
  private bytes = 0;
  private deadLetters = 0;

  private constructor(
    readonly dir: string,
    private readonly maxFileBytes: number,
    private readonly fsync: boolean,
  ) {}

  /** Opens (creating) the spool directory and finds the files a previous run left. */
  static async open(dir: string, options: { maxFileBytes?: number; fsync?: boolean } = {}): Promise<Spool> {
    try {
      await makeDirectory(dir);
    } catch (error) {
      throw new Error(`cannot create the spool directory ${dir}: ${(error as Error).message}`);
    }
    await claim(dir);
    const spool = new Spool(dir, options.maxFileBytes ?? 4 * 1024 * 1024, options.fsync ?? true);
    const names = (await readdir(dir)).filter((name) => FILE.test(name)).sort();
    for (const name of names) spool.bytes += (await stat(join(dir, name))).size;
    spool.files = names;
    const deadLetter = await readFile(join(dir, DEAD_LETTER_FILE), 'utf8').catch(() => '');
    spool.deadLetters = deadLetter.split('\n').filter((line) => line !== '').length;
    const last = names[names.length - 1];
    if (last !== undefined) spool.nextNumber = Number(FILE.exec(last)![1]) + 1;
    return spool;
  }

  get isEmpty(): boolean {
    return this.files.length === 0;
  }

  /** Files waiting and their size in bytes. */
  stats(): { files: number; bytes: number } {
    return { files: this.files.length, bytes: this.bytes };
  }

  /** Batches set aside in the dead-letter file (by this run and earlier ones), waiting for a person. */
  get deadLetterBatches(): number {
    return this.deadLetters;
  }

  /**
   * Sets a batch the store refused for its content aside in `DEAD_LETTER_FILE`, with the reason,
   * synced to disk: replaying it again would fail again and hold up everything behind it.
   */
  async setAside(batch: LiveBatch, reason: string): Promise<void> {
    const handle = await open(join(this.dir, DEAD_LETTER_FILE), 'a');
    try {
      await handle.appendFile(`${JSON.stringify({ refusedAt: new Date().toISOString(), reason, batch })}\n`);
      if (this.fsync) await handle.datasync();
    } finally {
      await handle.close();
    }
    this.deadLetters++;
  }

  /** Appends batches and syncs them to disk. Appends must not run concurrently (the writer serializes them). */
  async append(batches: readonly LiveBatch[]): Promise<void> {
    if (batches.length === 0) return;
    const text = batches.map((batch) => `${JSON.stringify(batch)}\n`).join('');
    if (this.handle === null || this.currentBytes >= this.maxFileBytes) await this.rotate();
    const length = Buffer.byteLength(text);
    await this.handle!.appendFile(text);
    if (this.fsync) await this.handle!.datasync();
    this.currentBytes += length;
    this.bytes += length;
  }

  private async rotate(): Promise<void> {
    await this.closeCurrent();
    const name = `spool-${String(this.nextNumber++).padStart(12, '0')}.ndjson`;
    this.handle = await open(join(this.dir, name), 'a');
    this.current = name;
    this.currentBytes = 0;
    this.files.push(name);
  }

  private async closeCurrent(): Promise<void> {
    const handle = this.handle;
    if (handle === null) return;
    // Let go at once: an append arriving meanwhile starts the next file.
    this.handle = null;
    this.current = '';
    await handle.close();
  }

  /**
   * The oldest file and its batches. The file being appended to is closed first, so later
   * appends go to a new file and this one no longer changes. Null when the spool is empty. Call
   * it when no append is under way.
   */
  async oldest(): Promise<{ name: string; content: SpoolFileContent } | null> {
    const name = this.files[0];
    if (name === undefined) return null;
    if (name === this.current) await this.closeCurrent();
    const text = await readFile(join(this.dir, name), 'utf8');
    const content: SpoolFileContent = { batches: [], bad: [] };
    text.split('\n').forEach((line, index) => {
      if (line === '') return;
      try {
        const batch = JSON.parse(line) as LiveBatch;
        if (typeof batch?.source !== 'string' || typeof batch.id !== 'number' || !Array.isArray(batch.pieces) || !Array.isArray(batch.latest)) {
          throw new Error('not a live batch');
        }
        content.batches.push(batch);
      } catch (error) {
        content.bad.push({ line: index + 1, reason: (error as Error).message });
      }
    });
    return { name, content };
  }

  /**
   * Done with a file: removed, or, when it had lines that are not batches, kept aside as
   * `NAME.rejected` for a person to look at (its good batches are stored).
   */
  async done(name: string, keepAside: boolean): Promise<void> {
    const path = join(this.dir, name);
    const size = (await stat(path)).size;
    if (keepAside) await rename(path, `${path}.rejected`);
    else await unlink(path);
    this.files = this.files.filter((file) => file !== name);
    this.bytes -= size;
  }

  async close(): Promise<void> {
    await this.closeCurrent();
    await release(this.dir);
  }
}

const LOCK = 'spool.lock';
/** Spool directories this process holds (a pid alone cannot tell: in a container every restart is pid 1). */
const claimed = new Set<string>();

/** Whether a process of this id runs (EPERM: it does, as another user's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the spool directory for this process, or says who has it: two replaying one spool would race over its files. */
async function claim(dir: string): Promise<void> {
  const path = join(dir, LOCK);
  const key = resolve(dir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      claimed.add(key);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot lock the spool directory ${dir}: ${(error as Error).message}`);
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    const held = holder === process.pid ? claimed.has(key) : Number.isInteger(holder) && holder > 0 && isRunning(holder);
    if (held) {
      throw new Error(
        `the spool directory ${dir} is in use by ${holder === process.pid ? 'this process' : `process ${holder}`}; a spool serves one process: give this one its own --spool`,
      );
    }
    await unlink(path).catch(() => undefined); // left by a process that is gone
  }
  throw new Error(`cannot lock the spool directory ${dir}: ${path} keeps coming back; is another process starting on it?`);
}

async function release(dir: string): Promise<void> {
  if (!claimed.delete(resolve(dir))) return;
  await unlink(join(dir, LOCK)).catch(() => undefined);
}
