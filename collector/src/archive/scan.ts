import { lstat, realpath, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { ownsStation, formatShard, type Micros, type StationShard } from '@lacuna/core';
import type { ToleranceRule } from '@lacuna/core';
import type { FileScan, FileState, Store } from '@lacuna/core';
import { collectGarbage, isRefusedContent } from '@lacuna/core';
import type { Layout } from './layouts.ts';
import { defaultReadThreads, ReadThreads } from './readers.ts';
import { scanFile } from './scan-file.ts';
import { fileAt, FileListBuilder, InByteOrder, pathAt, totalSize, type FileList } from './file-list.ts';
import { isSameOrUnder, isUnder, walkArchive, type FollowedLink, type Unlisted } from './walk.ts';

export interface ScanProgress {
  /**
   * `listing`: the archive is being walked, and filesDone and bytesDone count what was found so far
   * (the totals are 0: not known yet); `reading`: the changed files are being read.
   */
  phase: 'listing' | 'reading';
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
  elapsedMs: number;
}

export interface ScanOptions {
  roots: string[];
  layout: Layout;
  tolerance?: readonly ToleranceRule[];
  /** Scan only the files of this part of the stations (sharded collectors); the layout must name {NET} and {STA}. */
  shard?: StationShard;
  onProgress?: (progress: ScanProgress) => void;
  /**
   * Forget known files gone from disk even when they are more than PRUNE_LIMIT of a root's known
   * files (without it such a scan is refused: an archive mount briefly empty or moved looks the same).
   */
  prune?: boolean;
  /**
   * Threads reading files beside the one storing them (readers.ts); 0 reads in this thread.
   * Default (readThreadsFor): one per core for READ_THREADS_FROM bytes to read or more in files
   * of SMALL_FILE bytes or more on average; one for many small files (storing them, not reading,
   * takes the time: 50,000 files of 4 KB in the same 3.9 s on one thread as on two, at 491 MB
   * instead of 536) and into a new store (it reads while the store opens: 10,000 files of 4 KB in
   * 1.1 s instead of 2.6); none otherwise (starting a thread costs more than reading a few changed
   * files).
   */
  readThreads?: number;
  /**
   * Files between checkpoints (rollups refreshed, files recorded; default CHECKPOINT_FILES, and
   * one a minute whatever the count): fewer keep less waiting in memory and leave less to read
   * again after an interruption, at the cost of more refreshes.
   */
  checkpointFiles?: number;
  /**
   * The store is new, made by this scan's opening it (it holds no file and no segment): reading
   * begins before it is open (scanArchive), and no earlier segments are looked for. A file it
   * does know unchanged after all is read for nothing, and not stored again.
   */
  newStore?: boolean;
}

export interface ScanReport {
  runId: Micros;
  filesSeen: number;
  filesUnchanged: number;
  filesScanned: number;
  filesDeleted: number;
  /** Known files still on disk that the layout did not match this time: kept, with their segments. */
  filesUnmatched: number;
  /** Folders given in which the layout matched no file at all. */
  emptyRoots: string[];
  /** Files of this scan that could not be read whole, with why and where. */
  failures: Pick<FileState, 'path' | 'error' | 'errorOffset'>[];
  bytes: number;
  records: number;
  segments: number;
  elapsedMs: number;
}

/** A root that cannot be scanned at all: an unusable argument, not a bad file. */
export class ScanRootError extends Error {}

/** A scan that would forget too many files at once: refused, with why and what to do. */
export class ScanRefusedError extends Error {}

/** More than this share of a root's known files gone from disk: the scan refuses to forget them without `prune`. */
export const PRUNE_LIMIT = 0.1;

/** Known files that are still files on disk (the layout no longer matches them, or they are given otherwise). */
async function stillOnDisk(paths: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < paths.length; i += 64) {
    const batch = paths.slice(i, i + 64);
    const stats = await Promise.all(batch.map((path) => lstat(path).catch(() => null)));
    stats.forEach((info, k) => {
      if (info?.isFile()) found.add(batch[k]);
    });
  }
  return found;
}


/**
 * Why scanning `roots` would store known files a second time under other paths, or null: a root
 * that leads (through a symbolic link) into the same folder as a root of an earlier scan, or the
 * other way round, without either lying under the other as written. Each file would then be
 * stored under both paths, and every segment overlap itself.
 */
async function aliasRefusal(store: Store, roots: readonly string[], earlier: readonly EarlierRoot[]): Promise<string | null> {
  // Roots that lie in one another as written are the same files under the same names.
  const unrelated = earlier.filter((known) => !roots.some((root) => isSameOrUnder(root, known.root) || isSameOrUnder(known.root, root)));
  for (const root of roots) {
    const rootReal = await realOrNull(root);
    if (rootReal === null) continue;
    for (const { root: known, real: knownReal } of unrelated) {
      if (!(isSameOrUnder(rootReal, knownReal) || isSameOrUnder(knownReal, rootReal))) continue;
      if (!(await store.knowsFilesUnder(known))) continue;
      const through = knownReal === known ? '' : `, which leads to ${knownReal}`;
      return (
        `refusing to scan ${root}: it leads to ${rootReal}, to files the store knows under ${known} (scanned before${through}): the same files under two names, through a symbolic link. ` +
        `Scanned as ${root} they would be stored a second time, and every segment overlap itself. Scan ${known} instead.`
      );
    }
  }
  return null;
}

/** A root scanned before (by this scan's roots or others), with where it leads in the end. */
interface EarlierRoot {
  root: string;
  real: string;
}

const realOrNull = (path: string) => realpath(path).catch(() => null);

async function earlierRoots(store: Store): Promise<EarlierRoot[]> {
  const earlier: EarlierRoot[] = [];
  for (const root of await store.scannedRoots()) {
    const real = await realOrNull(root);
    if (real !== null) earlier.push({ root, real });
  }
  return earlier;
}

/**
 * The followed links that lead into the folder of an earlier scan's root (not one of this scan's
 * roots nor under one; an ancestor counts) whose files the store knows under that name, as folders
 * not scanned: through the link every file would be stored a second time (years linked to another
 * disk, that disk scanned as a root of its own). A link into this scan's own roots is the walk's
 * to handle (it lists a folder once).
 */
async function linksIntoEarlierRoots(store: Store, roots: readonly string[], followed: readonly FollowedLink[], earlier: readonly EarlierRoot[]): Promise<Unlisted[]> {
  const others = earlier.filter((known) => !roots.some((root) => isSameOrUnder(known.root, root)));
  const rootReals = (await Promise.all(roots.map(realOrNull))).filter((real): real is string => real !== null);
  const skipped: Unlisted[] = [];
  for (const link of followed) {
    if (rootReals.some((real) => isSameOrUnder(link.target, real))) continue;
    const into = others.find((known) => isSameOrUnder(link.target, known.real));
    if (into === undefined || !(await store.knowsFilesUnder(into.root))) continue;
    skipped.push({
      path: link.path,
      folder: true,
      reason: `not scanned: the link leads to ${link.target}, whose files the store knows under ${into.root} (scanned before as a root of its own); through the link every one would be stored a second time`,
    });
  }
  return skipped;
}

/** Why forgetting `gone` of the known files (`knownUnder[i]` of them under `roots[i]`) would be refused without `prune`, or null. */
function pruneRefusal(roots: readonly string[], knownUnder: readonly number[], gone: readonly string[]): string | null {
  for (const [i, root] of roots.entries()) {
    const knownHere = knownUnder[i];
    const goneHere = gone.filter((path) => isUnder(root, path)).length;
    if (goneHere > PRUNE_LIMIT * knownHere) {
      return (
        `refusing to forget ${goneHere} of the ${knownHere} files known under ${root} (more than ${PRUNE_LIMIT * 100} %): they are gone from disk. ` +
        'An archive mount that is briefly empty or moved looks like this, and forgetting them would drop their segments from the store. ' +
        'If they were removed on purpose, scan again with --prune.'
      );
    }
  }
  return null;
}

const BATCH_FILES = 1000;
const BATCH_SEGMENTS = 100_000;
/**
 * A checkpoint (rollups refreshed, files recorded) at least this often, and after this many files:
 * what waits for it (the files' states, the channel-days touched) and what it writes at once stay
 * bounded whatever the archive's size (50,000 small files into a new store peaked at 800–910 MB
 * with one checkpoint at the end).
 */
const CHECKPOINT_MS = 60_000;
const CHECKPOINT_FILES = 10_000;
const READ_LANES = 2;
/** Files found between two progress reports while the archive is listed. */
const LISTING_PROGRESS_FILES = 1000;
const READ_THREADS_FROM = 64 * 1024 * 1024;
const SMALL_FILE = 64 * 1024;

/** The reading threads for `files` files of `bytes` in all, when the scan is not told (ScanOptions.readThreads). */
function readThreadsFor(files: number, bytes: number, newStore: boolean): number {
  if (bytes >= READ_THREADS_FROM) return bytes / files >= SMALL_FILE ? defaultReadThreads() : 1;
  return newStore ? 1 : 0;
}

/**
 * Whether a file under `roots` is this shard's: the station its path names (through the layout) is
 * in the shard. A path naming none (stored under another layout) belongs to part 0, so that every
 * file has exactly one owner and a deleted one is forgotten once.
 */
export function shardOwnsPath(shard: StationShard, layout: Layout, roots: readonly string[], path: string): boolean {
  const root = roots.find((r) => isUnder(r, path));
  const station = root === undefined ? null : layout.stationOf(relative(root, path).split(sep).join('/'));
  return station === null ? shard.index === 0 : ownsStation(shard, station.network, station.station);
}

/**
 * Scans archive roots incrementally: a file unchanged in size and mtime is skipped, a changed
 * file replaces exactly its own earlier segments, a deleted file's segments go. A damaged file is
 * recorded with its reason and offset and the scan goes on.
 *
 * `store` may be a function that opens it: the archive is then listed first, and with
 * `newStore` its files are read while the store opens (loading the embedded engine and opening
 * its tables take a few hundred milliseconds, a good part of a whole scan).
 */
export async function scanArchive(store: Store | (() => Promise<Store>), options: ScanOptions): Promise<ScanReport> {
  const started = Date.now();
  const runId = started * 1000;
  const roots = options.roots.map((root) => resolve(root));
  for (const root of roots) {
    const info = await stat(root).catch(() => null);
    if (!info) throw new ScanRootError(`${root}: no such file or directory`);
    if (!info.isDirectory() && !info.isFile()) throw new ScanRootError(`${root}: neither a directory nor a file`);
  }
  const { shard, layout } = options;
  if (shard && !layout.namesStation) {
    throw new ScanRootError(`shard ${formatShard(shard)}: layout "${layout.template}" names no {NET} and {STA}, so a file's path does not say which collector owns it; give each collector its own archive roots instead`);
  }
  const owned = (path: string) => shard === undefined || shardOwnsPath(shard, layout, roots, path);

  const listed = (filesDone: number, bytesDone: number) => options.onProgress?.({ phase: 'listing', filesTotal: 0, filesDone, bytesTotal: 0, bytesDone, elapsedMs: Date.now() - started });
  const { files, unlisted, followed } = await listArchive(roots, layout, owned, listed);

  // Until the store is open and has said which files it knows unchanged, what is read waits in
  // `early` (reading pauses when that holds a batch of segments); a file it knows unchanged is
  // then dropped, read or not.
  let wanted = (_index: number) => true;
  let skipUnwanted = () => undefined as void;
  const early: { scan: FileScan; index: number }[] = [];
  let earlySegments = 0;
  let consume: ((scan: FileScan) => Promise<void>) | null = null;
  let storeOpened = () => undefined as void;
  const opened = new Promise<void>((resolve) => (storeOpened = resolve));
  const take = async (scan: FileScan, index: number) => {
    if (!consume && earlySegments >= BATCH_SEGMENTS) await opened;
    if (!wanted(index)) return;
    if (consume) return consume(scan);
    early.push({ scan, index });
    earlySegments += scan.segments.length;
  };
  const threads: ReadThreads[] = [];
  const startReading = (toRead: FileList): Promise<unknown> => {
    const threadCount = options.readThreads ?? readThreadsFor(toRead.count, totalSize(toRead), options.newStore === true);
    if (threadCount > 0) {
      const reader = new ReadThreads(threadCount, options.tolerance ?? []);
      threads.push(reader);
      const job = reader.readAll(toRead, take);
      skipUnwanted = () => {
        for (let index = 0; index < toRead.count; index++) if (!wanted(index)) job.skip(index);
      };
      job.done.catch(() => undefined); // awaited below, once the store is open
      return job.done;
    }
    let next = 0;
    const lane = async () => {
      while (next < toRead.count) {
        const index = next++;
        if (wanted(index)) await take(await scanFile(fileAt(toRead, index), options.tolerance ?? []), index);
      }
    };
    const lanes = Promise.all(Array.from({ length: READ_LANES }, lane));
    lanes.catch(() => undefined);
    return lanes;
  };
  let reading = options.newStore ? startReading(files) : null;

  try {
    return await scanInto(typeof store === 'function' ? await store() : store);
  } finally {
    await Promise.all(threads.map((reader) => reader.close()));
  }

  async function scanInto(store: Store): Promise<ScanReport> {
    const earlier = await earlierRoots(store);
    const alias = await aliasRefusal(store, roots, earlier);
    if (alias !== null) throw new ScanRefusedError(alias);
    const skippedLinks = await linksIntoEarlierRoots(store, roots, followed, earlier);
    unlisted.push(...skippedLinks);
    const skipped = skippedLinks.length === 0 ? [] : indicesWhere(files.count, (index) => skippedLinks.some((link) => isUnder(link.path, pathAt(files, index))));
    const isSkipped = new Set(skipped);
    await store.beginRun(runId, roots);
    const known = await knownFiles(store, roots, owned, files);
    // Only files gone from disk are forgotten: a file the layout does not match (another --layout)
    // is still the archive's, and keeps its segments; so is one the walk could not stat, or in a
    // folder it could not list.
    const unseen = (path: string) => unlisted.some((entry) => (entry.folder ? isUnder(entry.path, path) : entry.path === path));
    const missing = known.notListed.filter((path) => !unseen(path));
    const unmatched = await stillOnDisk(missing);
    const deleted = missing.filter((path) => !unmatched.has(path));
    const refusal = options.prune || deleted.length === 0 ? null : pruneRefusal(roots, known.underRoots, deleted);
    if (refusal !== null) {
      await store.finishRun(runId, roots, { filesSeen: files.count, filesScanned: 0, filesFailed: 0, filesDeleted: 0, bytes: 0, records: 0, status: 'failed' });
      throw new ScanRefusedError(refusal);
    }
    // What was read while the store opened is of the listed files: those it knows unchanged are dropped.
    const toRead = (index: number) => known.status[index] !== UNCHANGED && !isSkipped.has(index);
    if (reading !== null) wanted = toRead;
    const changed = known.count === 0 && skipped.length === 0 ? files : changedFiles(files, toRead);
    // Files stored through such a link by earlier scans are the earlier root's files a second time: forgotten.
    const storedTwice = skipped.filter((index) => known.status[index] !== NEW).map((index) => pathAt(files, index));
    skipUnwanted();
    await store.forgetFiles([...deleted, ...storedTwice], runId, { tolerance: options.tolerance });
    const directories = await Promise.all(roots.map(async (root) => ((await stat(root)).isDirectory() ? root : null)));
    // A root where the walk met only what it could not list or stat is not said empty: that is named instead.
    const emptyRoots = directories.filter(
      (root): root is string => root !== null && !someIndex(files.count, (index) => isUnder(root, pathAt(files, index))) && !unlisted.some((entry) => isUnder(root, entry.path)),
    );

    const report: ScanReport = {
      runId,
      filesSeen: files.count - skipped.length,
      filesUnchanged: files.count - skipped.length - changed.count,
      filesScanned: 0,
      filesDeleted: deleted.length + storedTwice.length,
      filesUnmatched: unmatched.size,
      emptyRoots,
      failures: unlisted.map((entry) => ({ path: entry.path, error: entry.reason, errorOffset: null })),
      bytes: 0,
      records: 0,
      segments: 0,
      elapsedMs: 0,
    };
    const bytesTotal = totalSize(changed);
    const progress = () =>
      options.onProgress?.({
        phase: 'reading',
        filesTotal: changed.count,
        filesDone: report.filesScanned,
        bytesTotal,
        bytesDone: report.bytes,
        elapsedMs: Date.now() - started,
      });

    // Segments are written batch by batch; rollups refreshed and files recorded at checkpoints:
    // once a minute and at the end, so a run refreshes each channel-day it touched about once.
    // Files scanned before may have segments to replace; a new file only if a scan was cut short
    // after storing them (asked of the store, only for new files: a rescan of known ones asks
    // nothing, nor a scan into a new store).
    const stored = options.newStore && known.count === 0 ? new Set<string>() : await storedBefore(store, files, known.status);
    const writer = store.fileScanWriter(runId, { tolerance: options.tolerance, stored });
    let checkpointed = Date.now();
    let filesSinceCheckpoint = 0;
    /**
     * A batch the store refuses for its content is stored again file by file, so that one bad file
     * cannot sink the others; a file the store still refuses is recorded as failed with the store's
     * reason (its earlier segments, if any, stay). A store that is away fails the scan.
     */
    const storeBatch = async (batch: FileScan[]) => {
      try {
        await writer.write(batch);
      } catch (error) {
        if (!isRefusedContent(error)) throw error;
        for (const scan of batch) {
          try {
            await writer.write([scan]);
          } catch (error) {
            if (!isRefusedContent(error)) throw error;
            const reason = `not stored: the store refused its segments (${firstLine(error)})`;
            await store.recordFileStates([{ state: { ...scan.state, status: 'error', error: reason, errorOffset: null } }], runId);
            report.failures = report.failures.filter((failure) => failure.path !== scan.state.path);
            report.failures.push({ path: scan.state.path, error: reason, errorOffset: null });
          }
        }
      }
      filesSinceCheckpoint += batch.length;
      if (Date.now() - checkpointed >= CHECKPOINT_MS || filesSinceCheckpoint >= (options.checkpointFiles ?? CHECKPOINT_FILES)) {
        await writer.checkpoint();
        checkpointed = Date.now();
        filesSinceCheckpoint = 0;
        // What the files before the checkpoint left behind goes now, not once V8's heap has grown
        // several times its size.
        collectGarbage();
      }
    };

    let pending: FileScan[] = [];
    let pendingSegments = 0;
    let storing: Promise<void> = Promise.resolve();
    const flush = () => {
      const batch = pending;
      pending = [];
      pendingSegments = 0;
      storing = storing.then(() => storeBatch(batch));
      return storing;
    };

    try {
      consume = async (scan) => {
        report.filesScanned += 1;
        report.bytes += scan.state.size;
        report.records += scan.state.records;
        report.segments += scan.segments.length;
        if (scan.state.status === 'error') report.failures.push({ path: scan.state.path, error: scan.state.error, errorOffset: scan.state.errorOffset });
        pending.push(scan);
        pendingSegments += scan.segments.length;
        if (pending.length >= BATCH_FILES || pendingSegments >= BATCH_SEGMENTS) await flush();
        progress();
      };
      storeOpened();
      for (const { scan, index } of early.splice(0)) await take(scan, index);
      reading ??= startReading(changed);
      await reading;
      await flush();
      await writer.checkpoint();
    } catch (error) {
      // What was stored before the failure counts (when the store itself is not what failed).
      await storing.catch(() => undefined);
      await writer.checkpoint().catch(() => undefined);
      await store
        .finishRun(runId, roots, { ...summaryOf(report), status: 'failed' })
        .catch(() => undefined); // the store itself may be what failed
      throw error;
    }
    report.failures.sort((a, b) => (a.path < b.path ? -1 : 1));
    report.elapsedMs = Date.now() - started;
    await store.finishRun(runId, roots, { ...summaryOf(report), status: 'ok' });
    return report;
  }
}

/**
 * The files under `roots` that the layout matches and `owned` accepts, once each (a file given by
 * name may also lie under a folder given), packed as the walk finds them, and what the walk could
 * not list. Only roots that lie in one another can list a path twice: paths are remembered (a set
 * as large as the listing) only then. `listed` hears how many files (and bytes) were found, every
 * LISTING_PROGRESS_FILES files and at the end.
 */
async function listArchive(
  roots: readonly string[],
  layout: Layout,
  owned: (path: string) => boolean,
  listed: (files: number, bytes: number) => void,
): Promise<{ files: FileList; unlisted: Unlisted[]; followed: FollowedLink[] }> {
  const nested = roots.some((root, index) => roots.some((other, otherIndex) => otherIndex !== index && isSameOrUnder(root, other)));
  const seen = nested ? new Set<string>() : null;
  const files = new FileListBuilder();
  const unlisted: Unlisted[] = [];
  const followed: FollowedLink[] = [];
  let bytes = 0;
  for (const root of roots) {
    const walked = await walkArchive(root, layout, (file) => {
      if (!owned(file.path) || seen?.has(file.path)) return;
      seen?.add(file.path);
      files.add(file);
      bytes += file.size;
      if (files.count % LISTING_PROGRESS_FILES === 0) listed(files.count, bytes);
    });
    unlisted.push(...walked.unlisted.filter((entry) => entry.folder || owned(entry.path)));
    followed.push(...walked.followed);
  }
  listed(files.count, bytes);
  return { files: files.build(), unlisted, followed };
}

/** A listed file as the store knows it: not at all, in another size or mtime, or the same. */
const NEW = 0;
const CHANGED = 1;
const UNCHANGED = 2;

interface KnownFiles {
  /** Files the store knows under the roots (those `owned` accepts). */
  count: number;
  /** Per listed file: NEW, CHANGED or UNCHANGED. */
  status: Uint8Array;
  /** Known files that are not listed. */
  notListed: string[];
  /** Per root: the known files under it. */
  underRoots: number[];
}

/**
 * The listed files compared with those the store knows under `roots` (that `owned` accepts). The
 * known files are read a page at a time in the order of their paths' bytes and met with the
 * listing walked in the same order, so that none is held beyond its page: as a list (paths,
 * sizes, mtimes), 1,000,000 known files took 100 MB more.
 */
async function knownFiles(store: Store, roots: readonly string[], owned: (path: string) => boolean, files: FileList): Promise<KnownFiles> {
  const known: KnownFiles = { count: 0, status: new Uint8Array(files.count).fill(NEW), notListed: [], underRoots: roots.map(() => 0) };
  const listing = new InByteOrder(files);
  for await (const page of store.fileStatePages(roots)) {
    for (const state of page) {
      if (!owned(state.path)) continue;
      known.count += 1;
      for (const [i, root] of roots.entries()) if (isUnder(root, state.path)) known.underRoots[i] += 1;
      const index = listing.find(state.path);
      if (index < 0) known.notListed.push(state.path);
      else known.status[index] = files.sizes[index] === state.size && files.mtimes[index] === state.mtime ? UNCHANGED : CHANGED;
    }
  }
  return known;
}

/** Of the listed files that changed, those that may have segments stored: known ones, and new ones a scan cut short stored. */
async function storedBefore(store: Store, files: FileList, status: Uint8Array): Promise<Set<string>> {
  const knownPaths: string[] = [];
  const newPaths: string[] = [];
  for (let index = 0; index < files.count; index++) {
    if (status[index] !== UNCHANGED) (status[index] === CHANGED ? knownPaths : newPaths).push(pathAt(files, index));
  }
  const stored = await store.storedSources(newPaths);
  for (const path of knownPaths) stored.add(path);
  return stored;
}

function changedFiles(files: FileList, changed: (index: number) => boolean): FileList {
  const picked = new FileListBuilder();
  for (let index = 0; index < files.count; index++) if (changed(index)) picked.add(fileAt(files, index));
  return picked.build();
}

function indicesWhere(count: number, test: (index: number) => boolean): number[] {
  const found: number[] = [];
  for (let index = 0; index < count; index++) if (test(index)) found.push(index);
  return found;
}

function someIndex(count: number, test: (index: number) => boolean): boolean {
  for (let index = 0; index < count; index++) if (test(index)) return true;
  return false;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

function summaryOf(report: ScanReport) {
  return {
    filesSeen: report.filesSeen,
    filesScanned: report.filesScanned,
    filesFailed: report.failures.length,
    filesDeleted: report.filesDeleted,
    bytes: report.bytes,
    records: report.records,
  };
}
