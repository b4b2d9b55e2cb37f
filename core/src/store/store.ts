import { hostname } from 'node:os';
import type { ClickHouseClient } from '@clickhouse/client';
import type { ChannelEpoch, ChannelId, ChannelSegment, Micros } from '../model.ts';
import { channelKey, type ChannelPattern } from '../channel.ts';
import type { Interval } from '../segments.ts';
import { carryFirstSeen } from '../first-seen.ts';
import { connectStore, type StoreLocation } from './connect.ts';
import { migrate, SCHEMA_VERSION } from './migrations.ts';
import { Schema } from './schema.ts';
import { channelFilter } from './filter.ts';
import { selectionsMatch, type StoreSelection } from './selections.ts';
import { spanPiecesQuery, type SpanPiece, type SpanPieceOptions, type SpanPieceRow, type SpanPieceSelection } from './span-pieces.ts';
import { queryRows, type SqlFragment } from './sql.ts';
import { changedEpochChannels, refreshChannelRollups, refreshRollups, sourceEpochsOf, storedDaysOf, touchDays, type RefreshOptions, type TouchedDays } from './rollups.ts';
import { liveLatest, withLiveLatest } from './live.ts';
import { ownsStation, stationShardFilter, type StationShard } from '../shard.ts';

/** What the store knows of one scanned file. */
export interface FileState {
  path: string;
  size: number;
  mtime: Micros;
  status: 'ok' | 'error';
  error: string;
  /** Byte offset of the damage when status is error, else null. */
  errorOffset: number | null;
  records: number;
  format: number;
  scannedAt: Micros;
}

/** A stored segment: where it was read, with which tolerance, and when its data was first seen. */
export interface StoredSegment extends ChannelSegment {
  source: string;
  toleranceUs: number;
  firstSeen: Micros;
}

/** One file's scan, ready to store: its state and the segments read from it. */
export interface FileScan {
  state: Omit<FileState, 'scannedAt'>;
  segments: (ChannelSegment & { toleranceUs: number })[];
}

/** A scan run's writer (Store.fileScanWriter). */
export interface FileScanWriter {
  /** Stores the scans' segments, replacing those stored before from the same files. */
  write(scans: FileScan[]): Promise<void>;
  /** Refreshes the rollups of the channel-days written since the last checkpoint, then records those files as scanned. */
  checkpoint(): Promise<void>;
}

/** The stored data of a selection: first sample start, last sample end, number of segments. */
export interface StoredExtent extends Interval {
  segments: number;
}

export interface SegmentQuery {
  patterns: ChannelPattern[];
  window: Interval;
  /** Also fetch, per channel, the last segment before and the first after the window (gaps that cross its edges). */
  neighbors?: boolean;
}

export interface RunSummary {
  filesSeen: number;
  filesScanned: number;
  filesFailed: number;
  filesDeleted: number;
  bytes: number;
  records: number;
  status: 'ok' | 'failed';
}

interface SegmentRow {
  network: string;
  station: string;
  location: string;
  channel: string;
  quality: string;
  sample_rate: number;
  start_us: number;
  end_us: number;
  samples: number;
  tolerance_us: number;
  source: string;
  first_seen_us: number;
}

/** File states written in one insert (recordFileStates). */
const FILE_STATES_PER_INSERT = 5000;

/** File states read in one query (fileStatePages). */
const FILE_STATES_PER_QUERY = 10_000;
/**
 * The rows the engine reads at a time for such a page, in one thread: by default it read blocks of
 * 65,536 rows in each of its threads, most of them past the page, for 40 MB more at the peak of a
 * page of 1,000,000 known files and 75 ms a page instead of 47.
 */
const FILE_STATES_BLOCK_ROWS = 8192;

/** Paths asked about in one query (storedSources). */
const SOURCES_PER_QUERY = 10_000;

/** A segment row as written (as arrays: faster to encode and to parse than objects, as file states). */
const SEGMENT_INSERT_COLUMNS: [string, ...string[]] = ['network', 'station', 'location', 'channel', 'quality', 'sample_rate', 'start_time', 'end_time', 'samples', 'tolerance_us', 'source', 'scan_id', 'first_seen'];

const SEGMENT_COLUMNS = `network, station, location, channel, quality, sample_rate,
  toUnixTimestamp64Micro(start_time) AS start_us, toUnixTimestamp64Micro(end_time) AS end_us,
  samples, tolerance_us, source, toUnixTimestamp64Micro(first_seen) AS first_seen_us`;

function segmentFromRow(row: SegmentRow): StoredSegment {
  return {
    network: row.network,
    station: row.station,
    location: row.location,
    channel: row.channel,
    quality: row.quality,
    sampleRate: row.sample_rate,
    start: row.start_us,
    end: row.end_us,
    samples: row.samples,
    toleranceUs: row.tolerance_us,
    source: row.source,
    firstSeen: row.first_seen_us,
  };
}

function segmentIdentity(segment: ChannelId & { quality: string; sampleRate: number }): string {
  return `${channelKey(segment)}/${segment.quality}/${segment.sampleRate}`;
}

/** How long a write probe's answer stands (Store.writeProblem). */
const WRITE_PROBE_MS = 5_000;
/** This process, as store_probe names it. */
const PROBER = `${hostname()}:${process.pid}`;

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/**
 * The ClickHouse store. The same SQL serves the embedded engine and a server; values reach SQL
 * only as query parameters.
 */
export class Store {
  private constructor(
    readonly client: ClickHouseClient,
    readonly location: StoreLocation,
    /** One node or a cluster: what a DELETE names (schema.ts). */
    readonly schema: Schema,
    /** Reads of channels see only this part of the stations (scopedTo). */
    readonly shard?: StationShard,
  ) {}

  /**
   * The same store seen through one part of the stations: its channel reads (segments, latest
   * segments, channels, extent, epochs) return only the shard's stations, as a sharded /metrics
   * serves them. It shares this store's connection: close this store, not the view.
   */
  scopedTo(shard: StationShard): Store {
    return new Store(this.client, this.location, this.schema, shard);
  }

  /** The condition for channel patterns (core channelFilter), within the store's shard. */
  filterOf(patterns: ChannelPattern[]): SqlFragment {
    const filter = channelFilter(patterns);
    const owned = stationShardFilter(this.shard);
    return owned.sql === '1' ? filter : { sql: `${filter.sql} AND ${owned.sql}`, params: { ...filter.params, ...owned.params } };
  }

  /** Connects and applies pending migrations. Throws StoreUnavailableError when unreachable. */
  static async open(location: StoreLocation, env: NodeJS.ProcessEnv = process.env): Promise<Store> {
    const client = await connectStore(location, env);
    const schema = new Schema(location.cluster);
    await migrate(client, { schema });
    return new Store(client, location, schema);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Store reachable, schema current and taking writes (readiness). */
  async ready(): Promise<boolean> {
    return (await this.readiness()) === null;
  }

  /** Why the store is not ready (unreachable, schema not migrated, refusing writes), or null when it is. */
  async readiness(): Promise<string | null> {
    try {
      // Read only: a store that refuses writes is told apart below.
      const [row] = await this.rows<{ current: number }>('SELECT countIf(version = {version:UInt32}) AS current FROM schema_migrations', { version: SCHEMA_VERSION });
      if (row.current === 0) return `schema not migrated to version ${SCHEMA_VERSION}`;
    } catch (error) {
      return `store unreachable: ${firstLine(error)}`;
    }
    return this.writeProblem();
  }

  private lastProbe: { at: number; problem: Promise<string | null> } | null = null;

  /**
   * Why the store refuses a write now, or null when it takes one: a one-row insert into
   * store_probe (a store can answer reads while refusing writes: read-only, disk full). Probed at
   * most every WRITE_PROBE_MS; callers in between get the last answer.
   */
  writeProblem(): Promise<string | null> {
    const now = Date.now();
    if (this.lastProbe === null || now - this.lastProbe.at >= WRITE_PROBE_MS) {
      const problem = this.client
        .insert({ table: 'store_probe', values: [{ prober: PROBER, probed_at: now * 1000 }], format: 'JSONEachRow' })
        .then(() => null, (error: unknown) => `store refuses writes: ${firstLine(error)}`);
      this.lastProbe = { at: now, problem };
    }
    return this.lastProbe.problem;
  }

  /** The rows of a query as objects; values only as `params`. */
  rows<T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
    return queryRows<T>(this.client, { sql, params });
  }

  // ---- scan state -------------------------------------------------------------------------

  /**
   * The states of the files known under any of `roots` (absolute directories, or files given by
   * name), a page at a time in the order of their paths' bytes (the store's order of strings);
   * with `errorsOnly`, only those whose last scan failed. A page holds FILE_STATES_PER_QUERY files:
   * the whole result of 100,000 files at once (the engine's result, its text and its parse
   * together) raised the process's resident memory by 230 MB, in pages by 160 MB, for some 0.25 s
   * more; and a caller that keeps less than the states (a scan keeps path, size and mtime) holds
   * one page of them at a time.
   */
  async *fileStatePages(roots: readonly string[], options: { errorsOnly?: boolean } = {}): AsyncGenerator<FileState[]> {
    const prefixes = roots.map((root) => (root.endsWith('/') ? root : `${root}/`));
    // Rows as arrays: a page of 10,000 read in 43 ms instead of 47–60 as objects.
    type Row = [path: string, size: number, mtime: Micros, status: 'ok' | 'error', error: string, errorOffset: number, records: number, format: number, scannedAt: Micros];
    for (let after: string | null = null; ; ) {
      const rows: Row[] = await queryRows<Row>(
        this.client,
        {
          sql: `SELECT path, size, toUnixTimestamp64Micro(mtime), status, error, error_offset, records, format, toUnixTimestamp64Micro(scanned_at)
         FROM files FINAL
         WHERE (arrayExists(prefix -> startsWith(path, prefix), {prefixes:Array(String)}) OR has({roots:Array(String)}, path))
           AND ({first:Bool} OR path > {after:String})${options.errorsOnly ? " AND status = 'error'" : ''}
         ORDER BY path
         LIMIT {page:UInt32}
         SETTINGS max_block_size = ${FILE_STATES_BLOCK_ROWS}, max_threads = 1`,
          params: { prefixes, roots, first: after === null, after: after ?? '', page: FILE_STATES_PER_QUERY },
        },
        'JSONCompactEachRow',
      );
      yield rows.map(([path, size, mtime, status, error, errorOffset, records, format, scannedAt]) => ({
        path,
        size,
        mtime,
        status,
        error,
        errorOffset: errorOffset < 0 ? null : errorOffset,
        records,
        format,
        scannedAt,
      }));
      if (rows.length < FILE_STATES_PER_QUERY) return;
      after = rows[rows.length - 1][0];
    }
  }

  /**
   * Every file known (under `roots`, default everywhere), or only those that failed (chosen by the
   * store: a store of 100,000 files, a few failed, sends only those), ordered by path.
   */
  async files(options: { roots?: readonly string[]; errorsOnly?: boolean } = {}): Promise<FileState[]> {
    const files: FileState[] = [];
    for await (const page of this.fileStatePages(options.roots ?? ['/'], options)) files.push(...page);
    return files;
  }

  /**
   * Stores a batch of file scans and refreshes the daily rollups of the channel-days their old
   * and new segments occupy (rollups.ts), so nothing derived goes stale. The files' states are
   * recorded last: a file counts as scanned (and a rescan skips it) only once its segments and
   * their rollups are stored; a batch that fails is scanned again next time.
   */
  async storeFileScans(scans: FileScan[], scanId: Micros, options: RefreshOptions = {}): Promise<void> {
    const writer = this.fileScanWriter(scanId, options);
    await writer.write(scans);
    await writer.checkpoint();
  }

  /**
   * A scan run's writer: segments are stored batch by batch as they come, the rollups of every
   * channel-day they touched and the files' states once, at a checkpoint (a file is recorded
   * scanned only after its segments and rollups are stored). `stored`: the paths that may have
   * segments in the store already (storedSources); other files' old segments are not looked for
   * nor deleted. Default: any path may.
   */
  fileScanWriter(scanId: Micros, options: RefreshOptions & { stored?: ReadonlySet<string> } = {}): FileScanWriter {
    const touched: TouchedDays = new Map();
    let written: Pick<FileScan, 'state'>[] = [];
    return {
      write: async (scans) => {
        if (scans.length === 0) return;
        const before = scans.map((scan) => scan.state.path).filter((path) => options.stored?.has(path) ?? true);
        const previous =
          before.length === 0 ? [] : (await this.rows<SegmentRow>(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE source IN {paths:Array(String)}`, { paths: before })).map(segmentFromRow);
        await this.writeSegments(scans, scanId, previous);
        // The days of the old generation and of the new one: both change.
        for (const segment of previous) touchDays(touched, segment, segment.start, segment.end);
        for (const scan of scans) for (const segment of scan.segments) touchDays(touched, segment, segment.start, segment.end);
        written.push(...scans.map(({ state }) => ({ state })));
      },
      checkpoint: async () => {
        await refreshRollups(this, touched, options);
        touched.clear();
        if (written.length > 0) await this.recordFileStates(written, scanId);
        written = [];
      },
    };
  }

  /** Which of `paths` have segments in the store (files scanned before, or by a scan that was cut short). */
  async storedSources(paths: readonly string[]): Promise<Set<string>> {
    const stored = new Set<string>();
    for (let i = 0; i < paths.length; i += SOURCES_PER_QUERY) {
      const rows = await this.rows<{ source: string }>('SELECT DISTINCT source FROM segments WHERE source IN {paths:Array(String)}', { paths: paths.slice(i, i + SOURCES_PER_QUERY) });
      for (const { source } of rows) stored.add(source);
    }
    return stored;
  }

  /** Files that are gone: their segments go, their state rows are marked deleted, their days' rollups are refreshed. */
  async forgetFiles(paths: string[], scanId: Micros, options: RefreshOptions = {}): Promise<void> {
    if (paths.length === 0) return;
    const touched = await storedDaysOf(this, paths);
    await this.removeFiles(paths, scanId);
    await refreshRollups(this, touched, options);
  }

  /**
   * Stores the segments of a batch of file scans. Each file's new segments are written before its
   * old ones go, so a scan killed at any point loses nothing; a file whose state row is not yet
   * updated is simply scanned again next time, and the old generation is removed then. Data seen
   * before keeps its first_seen; new data is first seen at the file's modification time.
   * `previous` are the segments stored now from these files.
   */
  private async writeSegments(scans: FileScan[], scanId: Micros, previous: readonly StoredSegment[]): Promise<void> {
    const paths = scans.map((scan) => scan.state.path);
    const earlierByIdentity = new Map<string, StoredSegment[]>();
    for (const segment of previous) {
      const key = `${segment.source}\n${segmentIdentity(segment)}`;
      const list = earlierByIdentity.get(key) ?? [];
      list.push(segment);
      earlierByIdentity.set(key, list);
    }

    const segmentRows: unknown[][] = [];
    for (const scan of scans) {
      const byIdentity = new Map<string, (ChannelSegment & { toleranceUs: number })[]>();
      for (const segment of scan.segments) {
        const key = segmentIdentity(segment);
        const list = byIdentity.get(key) ?? [];
        list.push(segment);
        byIdentity.set(key, list);
      }
      for (const [key, segments] of byIdentity) {
        const earlier = earlierByIdentity.get(`${scan.state.path}\n${key}`) ?? [];
        const pieces = carryFirstSeen(earlier, segments, scan.state.mtime);
        const { network, station, location, channel, toleranceUs } = segments[0];
        for (const piece of pieces) {
          segmentRows.push([network, station, location, channel, piece.quality, piece.sampleRate, piece.start, piece.end, piece.samples, toleranceUs, scan.state.path, scanId, piece.firstSeen]);
        }
      }
    }
    if (segmentRows.length > 0) await this.client.insert({ table: 'segments', columns: SEGMENT_INSERT_COLUMNS, values: segmentRows, format: 'JSONCompactEachRow' });
    if (previous.length > 0) {
      await this.client.command({
        query: `DELETE FROM ${this.schema.mutationTarget('segments')} WHERE source IN {paths:Array(String)} AND scan_id != {scanId:UInt64}`,
        query_params: { paths, scanId },
      });
    }
  }

  /**
   * Records the files' states alone, leaving their stored segments as they are: for a file whose
   * new segments the store refused (scan.ts), what it held before stays.
   */
  async recordFileStates(scans: Pick<FileScan, 'state'>[], scanId: Micros): Promise<void> {
    const now = Date.now() * 1000;
    // In parts: one insert of 50,000 files' states raised the embedded engine's memory by 110–160 MB.
    for (let i = 0; i < scans.length; i += FILE_STATES_PER_INSERT) {
      await this.insertFileStates(scans.slice(i, i + FILE_STATES_PER_INSERT), scanId, now);
    }
  }

  private async insertFileStates(scans: Pick<FileScan, 'state'>[], scanId: Micros, now: Micros): Promise<void> {
    await this.client.insert({
      table: 'files',
      // As arrays: 100,000 states in 0.4 s instead of 0.7-0.9 as objects.
      columns: ['path', 'size', 'mtime', 'status', 'error', 'error_offset', 'records', 'format', 'scanned_at', 'scan_id', 'deleted'],
      values: scans.map(({ state }) => [state.path, state.size, state.mtime, state.status, state.error, state.errorOffset ?? -1, state.records, state.format, now, scanId, 0]),
      format: 'JSONCompactEachRow',
    });
  }

  private async removeFiles(paths: string[], scanId: Micros): Promise<void> {
    await this.client.command({ query: `DELETE FROM ${this.schema.mutationTarget('segments')} WHERE source IN {paths:Array(String)}`, query_params: { paths } });
    const now = Date.now() * 1000;
    await this.client.insert({
      table: 'files',
      values: paths.map((path) => ({
        path,
        size: 0,
        mtime: 0,
        status: 'ok',
        error: '',
        error_offset: -1,
        records: 0,
        format: 0,
        scanned_at: now,
        scan_id: scanId,
        deleted: 1,
      })),
      format: 'JSONEachRow',
    });
  }

  // ---- segments -----------------------------------------------------------------------------

  /**
   * Stored segments of the matching channels that cover part of the window (a segment covers
   * [start, end + Δ)), ordered by channel and start; with `neighbors`, also each channel's
   * last segment before the window and first segment after it.
   */
  async segments(query: SegmentQuery): Promise<StoredSegment[]> {
    const filter = this.filterOf(query.patterns);
    const params = { ...filter.params, windowStart: query.window.start, windowEnd: query.window.end };
    const inWindow = `SELECT ${SEGMENT_COLUMNS} FROM segments
      WHERE ${filter.sql}
        AND start_time < fromUnixTimestamp64Micro({windowEnd:Int64}, 'UTC')
        AND toUnixTimestamp64Micro(end_time) + 1e6 / sample_rate > {windowStart:Int64}`;
    const parts = [inWindow];
    if (query.neighbors) {
      // Each neighbour is found by its sorting key first (a few narrow columns), then read whole
      // through the primary key: sorting every earlier segment of every channel took seconds.
      const before = `${filter.sql} AND toUnixTimestamp64Micro(end_time) + 1e6 / sample_rate <= {windowStart:Int64}`;
      parts.push(`SELECT * FROM (SELECT ${SEGMENT_COLUMNS} FROM segments
        WHERE ${before} AND (network, station, location, channel, start_time) IN (
          SELECT network, station, location, channel, argMax(start_time, end_time) FROM segments
          WHERE ${before} GROUP BY network, station, location, channel, quality)
        ORDER BY end_time DESC LIMIT 1 BY network, station, location, channel, quality)`);
      const after = `${filter.sql} AND start_time >= fromUnixTimestamp64Micro({windowEnd:Int64}, 'UTC')`;
      parts.push(`SELECT * FROM (SELECT ${SEGMENT_COLUMNS} FROM segments
        WHERE ${after} AND (network, station, location, channel, quality, start_time) IN (
          SELECT network, station, location, channel, quality, min(start_time) FROM segments
          WHERE ${after} GROUP BY network, station, location, channel, quality)
        LIMIT 1 BY network, station, location, channel, quality)`);
    }
    const rows = await this.rows<SegmentRow>(
      `SELECT * FROM (${parts.join(' UNION ALL ')}) ORDER BY network, station, location, channel, start_us, end_us, quality`,
      params,
    );
    return rows.map(segmentFromRow);
  }

  /**
   * Per selection, the pieces its availability spans are built from: its stored segments, with the
   * runs that surely join into one span as one piece (span-pieces.ts). One query.
   */
  async spanPieces(selections: readonly SpanPieceSelection[], options: SpanPieceOptions): Promise<SpanPiece[][]> {
    const pieces: SpanPiece[][] = selections.map(() => []);
    if (selections.length === 0) return pieces;
    const rows = await queryRows<SpanPieceRow>(this.client, spanPiecesQuery(selections, options, stationShardFilter(this.shard)), 'JSONCompactEachRow');
    for (const [selection, network, station, location, channel, quality, sampleRate, start, end, samples, firstSeen] of rows) {
      pieces[selection].push({ network, station, location, channel, quality, sampleRate, start, end, samples, firstSeen });
    }
    return pieces;
  }

  /**
   * Per selection: how many stored segments it holds (a segment matching two of its patterns
   * counts twice), the first one's start and the last one's end; null when none. One query.
   */
  async selectionExtents(selections: readonly StoreSelection[]): Promise<(StoredExtent | null)[]> {
    if (selections.length === 0) return [];
    const { matched, prefilter, params, patternSelection } = selectionsMatch(selections);
    const owned = stationShardFilter(this.shard);
    const [row] = await this.rows<{ counts: number[]; starts: number[]; ends: number[] }>(
      `SELECT sumForEach(matched) AS counts,
              minForEach(arrayMap(hit -> if(hit, s, 9007199254740991), matched)) AS starts,
              maxForEach(arrayMap(hit -> if(hit, e, -9007199254740991), matched)) AS ends
       FROM (SELECT toUnixTimestamp64Micro(start_time) AS s, toUnixTimestamp64Micro(end_time) AS e, ${matched} AS matched
             FROM segments WHERE ${prefilter} AND ${owned.sql})
       WHERE has(matched, 1)`,
      { ...params, ...owned.params },
    );
    const extents: (StoredExtent | null)[] = selections.map(() => null);
    // No row matched: the aggregates over nothing are empty arrays.
    (row?.counts ?? []).forEach((count, k) => {
      if (count === 0) return;
      const index = patternSelection[k];
      const extent = extents[index];
      extents[index] = extent === null
        ? { segments: count, start: row.starts[k], end: row.ends[k] }
        : { segments: extent.segments + count, start: Math.min(extent.start, row.starts[k]), end: Math.max(extent.end, row.ends[k]) };
    });
    return extents;
  }

  /**
   * Each matching channel's segment holding its newest sample (any quality), whenever that was,
   * with live sources' per-packet receipt time as first_seen (see live.ts `withLiveLatest`).
   */
  async latestSegments(patterns: ChannelPattern[]): Promise<StoredSegment[]> {
    const filter = this.filterOf(patterns);
    const [rows, live] = await Promise.all([
      // The newest sample wins, then the earliest first_seen. Aggregating in the table's order
      // instead of sorting every segment of every channel: about five times faster.
      this.rows<SegmentRow>(
        `SELECT network, station, location, channel, latest.1 AS quality, latest.2 AS sample_rate, latest.3 AS start_us,
                latest.4 AS end_us, latest.5 AS samples, latest.6 AS tolerance_us, latest.7 AS source, latest.8 AS first_seen_us
         FROM (
           SELECT network, station, location, channel,
             argMax(tuple(quality, sample_rate, toUnixTimestamp64Micro(start_time), toUnixTimestamp64Micro(end_time),
                          samples, tolerance_us, source, toUnixTimestamp64Micro(first_seen)),
                    tuple(end_time, -toUnixTimestamp64Micro(first_seen))) AS latest
           FROM segments WHERE ${filter.sql}
           GROUP BY network, station, location, channel)
         ORDER BY network, station, location, channel
         SETTINGS optimize_aggregation_in_order = 1`,
        filter.params,
      ),
      liveLatest(this, filter),
    ]);
    return withLiveLatest(rows.map(segmentFromRow), live);
  }

  /** Channels that have any stored data or metadata, matching the patterns, in order. */
  async channels(patterns: ChannelPattern[]): Promise<ChannelId[]> {
    const filter = this.filterOf(patterns);
    return this.rows<ChannelId>(
      `SELECT DISTINCT network, station, location, channel FROM (
         SELECT network, station, location, channel FROM segments WHERE ${filter.sql}
         UNION ALL
         SELECT network, station, location, channel FROM channel_epochs WHERE ${filter.sql})
       ORDER BY network, station, location, channel`,
      filter.params,
    );
  }

  /**
   * First sample start and last sample end of the matching channels' segments that meet `window`
   * (all of them without one), and how many segments that is; null when there are none.
   */
  async extent(patterns: ChannelPattern[], window: Partial<Interval> = {}): Promise<StoredExtent | null> {
    const filter = this.filterOf(patterns);
    const [row] = await this.rows<{ rows: number; start_us: number; end_us: number }>(
      `SELECT count() AS rows, toUnixTimestamp64Micro(min(start_time)) AS start_us, toUnixTimestamp64Micro(max(end_time)) AS end_us
       FROM segments WHERE ${filter.sql}
         AND toUnixTimestamp64Micro(start_time) < {windowEnd:Int64}
         AND toUnixTimestamp64Micro(end_time) + 1e6 / sample_rate > {windowStart:Int64}`,
      { ...filter.params, windowStart: window.start ?? Number.MIN_SAFE_INTEGER, windowEnd: window.end ?? Number.MAX_SAFE_INTEGER },
    );
    return row.rows === 0 ? null : { start: row.start_us, end: row.end_us, segments: row.rows };
  }

  // ---- channel metadata -----------------------------------------------------------------------

  /**
   * Replaces the epochs loaded earlier from `source` with these; with a `shard`, only those of the
   * shard's stations (sharded collectors each load the whole file and keep their part).
   */
  async replaceEpochs(source: string, all: ChannelEpoch[], options: RefreshOptions & { shard?: StationShard } = {}): Promise<void> {
    const { shard } = options;
    const epochs = shard ? all.filter((epoch) => ownsStation(shard, epoch.network, epoch.station)) : all;
    const before = await sourceEpochsOf(this, source, shard);
    const owned = stationShardFilter(shard);
    await this.client.command({ query: `DELETE FROM ${this.schema.mutationTarget('channel_epochs')} WHERE source = {source:String} AND ${owned.sql}`, query_params: { source, ...owned.params } });
    if (epochs.length > 0) await this.insertEpochs(source, epochs);
    // Where expected time or rates changed, the rollups of the channel (rollups.ts) are recomputed.
    await refreshChannelRollups(this, changedEpochChannels(before, epochs), options);
  }

  /** Adds epochs under `source`, leaving those there (callers delete what they replace). */
  async insertEpochs(source: string, epochs: ChannelEpoch[]): Promise<void> {
    const loadedAt = Date.now() * 1000;
    await this.client.insert({
      table: 'channel_epochs',
      values: epochs.map((epoch) => ({
        network: epoch.network,
        station: epoch.station,
        location: epoch.location,
        channel: epoch.channel,
        start_time: epoch.start,
        end_time: epoch.end,
        sample_rate: epoch.sampleRate,
        latitude: epoch.latitude,
        longitude: epoch.longitude,
        elevation: epoch.elevation,
        warn_s: epoch.warnS,
        fail_s: epoch.failS,
        source,
        loaded_at: loadedAt,
      })),
      format: 'JSONEachRow',
    });
  }

  async epochs(patterns: ChannelPattern[]): Promise<ChannelEpoch[]> {
    const filter = this.filterOf(patterns);
    const rows = await this.rows<{
      network: string;
      station: string;
      location: string;
      channel: string;
      start_us: number;
      end_us: number | null;
      sample_rate: number | null;
      latitude: number | null;
      longitude: number | null;
      elevation: number | null;
      warn_s: number | null;
      fail_s: number | null;
    }>(
      `SELECT network, station, location, channel, toUnixTimestamp64Micro(start_time) AS start_us,
              toUnixTimestamp64Micro(end_time) AS end_us, sample_rate, latitude, longitude, elevation, warn_s, fail_s
       FROM channel_epochs WHERE ${filter.sql}
       ORDER BY network, station, location, channel, start_time`,
      filter.params,
    );
    return rows.map((row) => ({
      network: row.network,
      station: row.station,
      location: row.location,
      channel: row.channel,
      start: row.start_us,
      end: row.end_us,
      sampleRate: row.sample_rate,
      latitude: row.latitude,
      longitude: row.longitude,
      elevation: row.elevation,
      warnS: row.warn_s,
      failS: row.fail_s,
    }));
  }

  // ---- collector runs -----------------------------------------------------------------------

  /** The roots earlier scans were given (folders, or files given by name). */
  async scannedRoots(): Promise<string[]> {
    return (await this.rows<{ root: string }>('SELECT DISTINCT arrayJoin(roots) AS root FROM collector_runs')).map((row) => row.root);
  }

  /** Whether any file is known under `root` (a folder, or a file given by name). */
  async knowsFilesUnder(root: string): Promise<boolean> {
    const prefix = root.endsWith('/') ? root : `${root}/`;
    const rows = await this.rows('SELECT 1 FROM files FINAL WHERE startsWith(path, {prefix:String}) OR path = {root:String} LIMIT 1', { prefix, root });
    return rows.length > 0;
  }

  async beginRun(runId: Micros, roots: string[]): Promise<void> {
    await this.client.insert({
      table: 'collector_runs',
      values: [{ run_id: runId, started_at: runId, finished_at: null, roots, files_seen: 0, files_scanned: 0, files_failed: 0, files_deleted: 0, bytes: 0, records: 0, status: 'running', phase: 0 }],
      format: 'JSONEachRow',
    });
  }

  async finishRun(runId: Micros, roots: string[], summary: RunSummary): Promise<void> {
    await this.client.insert({
      table: 'collector_runs',
      values: [
        {
          run_id: runId,
          started_at: runId,
          finished_at: Date.now() * 1000,
          roots,
          files_seen: summary.filesSeen,
          files_scanned: summary.filesScanned,
          files_failed: summary.filesFailed,
          files_deleted: summary.filesDeleted,
          bytes: summary.bytes,
          records: summary.records,
          status: summary.status,
          phase: 1,
        },
      ],
      format: 'JSONEachRow',
    });
  }
}

