/**
 * Live sources in the store (schema: migration 3).
 *
 * Segments. A live batch's pieces go into `segments` like a scan's, with `source` naming the live
 * source (`seedlink://host:port`, `filedrop:/dir`, `push`) and `scan_id` = the batch id, so
 * readers see live channels as they see archive channels. A piece's first_seen is the receipt
 * time of its newest sample.
 *
 * Idempotency. A fresh batch (a new id) is inserted as it is. A batch written again — replayed
 * from the spool, or retried after a failure whose outcome is unknown — first deletes the rows of
 * its (source, id) if any reached the store: each batch is stored exactly once however often it
 * is written. Content-addressed (pushed) batches are also looked up in the `live_batches` ledger,
 * so the same batch posted twice within the ledger's week is stored once.
 *
 * Row growth. Each flush adds about one row per channel. `compactLiveSegments` rewrites a source's
 * rows of each UTC day that holds rows of more than one write into the day's joined runs (a row
 * per contiguous run, like a day file's segments): insert the joined rows under a new id, then
 * delete the day's other rows of that source. A piece wholly inside another (the same data
 * written twice, e.g. a compaction cut short before its delete) counts once. 1,000 channels of
 * continuous data thus keep ~1,000 rows per day, plus the rows flushed since the last compaction.
 *
 * Latency. `live_latest` keeps each channel's newest sample and when it arrived, exactly, per
 * packet; Store.latestSegments consults it (`withLiveLatest`).
 */
import { MICROS_PER_DAY, type ChannelId, type Micros, type Segment } from '../model.ts';
import { channelKey, compareChannelIds } from '../channel.ts';
import { coverage, firstSampleAtOrAfter, joinSegments, sampleTime, type Interval } from '../segments.ts';
import type { ToleranceRule } from '../tolerance-rules.ts';
import type { BacklogSample, LiveBatch, LiveLatestRow, LivePiece, LiveSourceState, SourceHealth, StreamThresholds } from '../live/batch.ts';
import { channelFilter } from './filter.ts';
import type { SqlFragment } from './sql.ts';
import { channelKeysFilter, refreshChannelRollups, refreshRollups, touchDays, type TouchedDays } from './rollups.ts';
import type { Store, StoredSegment } from './store.ts';

/** The channel_epochs source of thresholds taken from the expected-streams rules. */
export const LIVE_THRESHOLDS_SOURCE = 'live-thresholds';

function segmentRow(piece: LivePiece, source: string, scanId: number): Record<string, unknown> {
  return {
    network: piece.network,
    station: piece.station,
    location: piece.location,
    channel: piece.channel,
    quality: piece.quality,
    sample_rate: piece.sampleRate,
    start_time: piece.start,
    end_time: piece.end,
    samples: piece.samples,
    tolerance_us: piece.toleranceUs,
    source,
    scan_id: scanId,
    first_seen: piece.firstSeen,
  };
}

const batchKey = (source: string, id: number) => `${source}\u0000${id}`;

/** (source, id) pairs of `batches` for which `query` (selecting source and an id as `id`) finds rows. */
async function foundPairs(store: Store, batches: readonly LiveBatch[], query: (where: string) => string): Promise<Set<string>> {
  if (batches.length === 0) return new Set();
  const params = { sources: [...new Set(batches.map((b) => b.source))], ids: batches.map((b) => b.id) };
  const found = await store.rows<{ source: string; id: number }>(query('source IN {sources:Array(String)}'), params);
  return new Set(found.map((row) => batchKey(row.source, row.id)));
}

/**
 * Stores batches: segment pieces, newest samples, thresholds, source health, backlog, and the
 * ledger of pushed batches, in a few inserts for all of them. `rewrite`: some of them may have
 * reached the store before (a replay or a retry); their earlier rows are replaced. Returns, per
 * batch, whether it was stored or was a pushed batch stored before.
 */
export async function storeLiveBatches(
  store: Store,
  batches: readonly LiveBatch[],
  options: { rewrite: boolean; tolerance?: readonly ToleranceRule[] },
): Promise<('stored' | 'duplicate')[]> {
  // Pushed batches stored before (the ledger), and batches of which some rows may be stored already
  // (a replay, a retry, a pushed batch whose ledger row was never written): asked in parallel.
  const pushed = batches.filter((batch) => batch.contentAddressed);
  const mayExist = options.rewrite ? batches : pushed;
  const [inLedger, earlier] = await Promise.all([
    foundPairs(store, pushed, (where) => `SELECT DISTINCT source, batch_id AS id FROM live_batches WHERE ${where} AND batch_id IN {ids:Array(UInt64)}`),
    foundPairs(store, mayExist, (where) => `SELECT DISTINCT source, scan_id AS id FROM segments WHERE ${where} AND scan_id IN {ids:Array(UInt64)}`),
  ]);
  const outcomes = batches.map((batch) => (inLedger.has(batchKey(batch.source, batch.id)) ? 'duplicate' : 'stored'));
  // The same pushed batch twice in one call is stored once too.
  const seen = new Set<string>();
  const toStore: LiveBatch[] = [];
  batches.forEach((batch, i) => {
    const key = batchKey(batch.source, batch.id);
    if (outcomes[i] === 'duplicate' || seen.has(key)) {
      outcomes[i] = 'duplicate';
      return;
    }
    seen.add(key);
    toStore.push(batch);
  });
  if (toStore.length === 0) return outcomes as ('stored' | 'duplicate')[];

  const bySource = new Map<string, number[]>();
  for (const batch of toStore) {
    if (!earlier.has(batchKey(batch.source, batch.id))) continue;
    bySource.set(batch.source, [...(bySource.get(batch.source) ?? []), batch.id]);
  }
  for (const [source, ids] of bySource) {
    await store.client.command({
      query: `DELETE FROM ${store.schema.mutationTarget('segments')} WHERE source = {source:String} AND scan_id IN {ids:Array(UInt64)}`,
      query_params: { source, ids },
    });
  }

  const segmentRows = toStore.flatMap((batch) => batch.pieces.map((piece) => segmentRow(piece, batch.source, batch.id)));
  const latestRows = toStore.flatMap((batch) =>
    batch.latest.map((latest) => ({
      network: latest.network,
      station: latest.station,
      location: latest.location,
      channel: latest.channel,
      source: batch.source,
      stream: latest.stream,
      last_sample: latest.lastSample,
      received_at: latest.receivedAt,
    })),
  );
  const thresholds = toStore.flatMap((batch) => batch.thresholds ?? []);
  const health = toStore.filter((batch) => batch.health).map((batch) => healthRow(batch.source, batch.health!));
  const backlog = toStore.flatMap((batch) => batch.backlog ?? []).map(backlogRow);
  const insert = (table: string, values: Record<string, unknown>[], settings: Record<string, string> = {}) =>
    values.length > 0 ? store.client.insert({ table, values, format: 'JSONEachRow', clickhouse_settings: settings }) : undefined;
  // On a cluster the replicated tables drop an insert whose token (by default: its content) they
  // have taken recently, so that a write sent twice (a retry reaching another replica) counts
  // once. The segments of batches written anew after their earlier rows were deleted above are
  // the same content again, and must not be dropped: their token names this rewrite.
  const batchIds = toStore.map((batch) => batchKey(batch.source, batch.id)).join(',');
  const segmentsToken = bySource.size > 0 ? `live ${batchIds} rewritten ${Date.now()}-${Math.random()}` : `live ${batchIds}`;
  // Independent tables, written in parallel; every write ends before a failure is reported (a
  // retry then meets no write still under way); the ledger only once the data is in.
  const written = await Promise.allSettled([
    insert('segments', segmentRows, { insert_deduplication_token: segmentsToken }),
    insert('live_latest', latestRows),
    insert('live_sources', health),
    insert('pipeline_backlog', backlog),
    thresholds.length > 0 ? storeThresholds(store, thresholds, options) : undefined,
  ]);
  const failed = written.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  await insert('live_batches', toStore.filter((batch) => batch.contentAddressed).map((batch) => ({ source: batch.source, batch_id: batch.id })));
  return outcomes as ('stored' | 'duplicate')[];
}

function healthRow(source: string, health: SourceHealth): Record<string, unknown> {
  return {
    source,
    kind: health.kind,
    up: health.up ? 1 : 0,
    received: health.received,
    malformed: health.malformed,
    reconnects: health.reconnects,
    updated_at: health.at,
  };
}

function backlogRow(sample: BacklogSample): Record<string, unknown> {
  return {
    pipeline: sample.pipeline,
    stage: sample.stage,
    stream: sample.stream,
    files: sample.files,
    oldest: sample.oldest,
    stuck: sample.stuck ? 1 : 0,
    sampled_at: sample.at,
  };
}

// ---------------------------------------------------------------------------------------------
// Thresholds

/**
 * Writes the expected rate and warn/fail intervals of live channels as open channel epochs
 * (source LIVE_THRESHOLDS_SOURCE, expected from the epoch start 0 on: the same expected time as no
 * metadata), so channel state and sample completeness use them. A channel that has epochs from
 * its own metadata (StationXML, CSV) keeps those: its thresholds belong there. Unchanged channels
 * are not written again. Returns the channels written and those left to their metadata.
 */
export async function storeThresholds(
  store: Store,
  thresholds: readonly StreamThresholds[],
  options: { tolerance?: readonly ToleranceRule[] } = {},
): Promise<{ written: ChannelId[]; skipped: ChannelId[] }> {
  const wanted = new Map(thresholds.map((t) => [channelKey(t), t]));
  const keys = channelKeysFilter([...wanted.values()]);
  const existing = await store.rows<ChannelId & { source: string; sample_rate: number | null; warn_s: number | null; fail_s: number | null }>(`SELECT network, station, location, channel, source, sample_rate, warn_s, fail_s FROM channel_epochs WHERE ${keys.sql}`,
    keys.params,
  );
  const skipped = new Set<string>();
  const same = new Set<string>();
  for (const row of existing) {
    const key = channelKey(row);
    const want = wanted.get(key)!;
    if (row.source !== LIVE_THRESHOLDS_SOURCE) skipped.add(key);
    else if (row.sample_rate === want.expectedRate && row.warn_s === want.warnS && row.fail_s === want.failS) same.add(key);
  }
  const changed = [...wanted.entries()].filter(([key]) => !skipped.has(key) && !same.has(key)).map(([, t]) => t);
  if (changed.length > 0) {
    const changedKeys = channelKeysFilter(changed);
    await store.client.command({
      query: `DELETE FROM ${store.schema.mutationTarget('channel_epochs')} WHERE source = {thresholdsSource:String} AND ${changedKeys.sql}`,
      query_params: { ...changedKeys.params, thresholdsSource: LIVE_THRESHOLDS_SOURCE },
    });
    await store.insertEpochs(
      LIVE_THRESHOLDS_SOURCE,
      changed.map((t) => ({
        network: t.network,
        station: t.station,
        location: t.location,
        channel: t.channel,
        start: 0,
        end: null,
        sampleRate: t.expectedRate,
        latitude: null,
        longitude: null,
        elevation: null,
        warnS: t.warnS,
        failS: t.failS,
      })),
    );
    // The expected rate enters the rollups' sample completeness.
    await refreshChannelRollups(store, changed, options);
  }
  const ids = (list: Iterable<string>) => [...list].map((key) => wanted.get(key)!).map(({ network, station, location, channel }) => ({ network, station, location, channel }));
  return { written: ids(changed.map((t) => channelKey(t))), skipped: ids(skipped) };
}

// ---------------------------------------------------------------------------------------------
// Compaction

interface CompactRow extends LivePiece {
  scanId: number;
}

/**
 * One day's rows of a source joined: per channel, quality and rate, pieces wholly inside another
 * count once, the rest join by the join rule with their stored tolerance. A joined row's
 * first_seen is the receipt time of its newest sample (that of the piece that ends it).
 */
export function compactPieces(pieces: readonly LivePiece[]): LivePiece[] {
  const groups = new Map<string, LivePiece[]>();
  for (const piece of pieces) {
    const key = `${channelKey(piece)}/${piece.quality}/${piece.sampleRate}/${piece.toleranceUs}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(piece);
  }
  const result: LivePiece[] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: LivePiece[] = [];
    let reach: LivePiece | undefined;
    for (const piece of group) {
      if (reach !== undefined && piece.end <= reach.end) continue;
      kept.push(piece);
      reach = piece;
    }
    const first = group[0];
    const endedBy = new Map<number, Micros>();
    for (const piece of kept) endedBy.set(piece.end, Math.min(endedBy.get(piece.end) ?? Infinity, piece.firstSeen));
    const runs: Segment[] = joinSegments(kept, { tolerance: { seconds: first.toleranceUs / 1e6 }, mergeQuality: false });
    for (const run of runs) {
      result.push({
        network: first.network,
        station: first.station,
        location: first.location,
        channel: first.channel,
        ...run,
        toleranceUs: first.toleranceUs,
        firstSeen: endedBy.get(run.end)!,
      });
    }
  }
  return result;
}

const LIVE_SEGMENT_COLUMNS = `network, station, location, channel, quality, sample_rate AS sampleRate,
  toUnixTimestamp64Micro(start_time) AS start, toUnixTimestamp64Micro(end_time) AS end, samples,
  tolerance_us AS toleranceUs, toUnixTimestamp64Micro(first_seen) AS firstSeen, scan_id AS scanId`;

/** Rows an archive scan stored: their source is the file's absolute path (live sources have a scheme). */
const ARCHIVE_ROWS = "startsWith(source, '/')";

/** How far back compaction looks for live rows that an archive scan has stored since. */
export const ARCHIVE_LOOKBACK_MICROS = 7 * MICROS_PER_DAY;

/**
 * The parts of live pieces an archive does not hold: a channel followed live and scanned from an
 * archive (slarchive writing what the SeedLink server sends, say) would otherwise be stored twice.
 * A sample counts as archived when the archive's coverage of its channel (intervals [start,
 * end + Δ), keyed by channel key) holds its time; a piece loses its archived samples and may split
 * in two. The parts keep the piece's first_seen.
 */
export function withoutArchived(pieces: readonly LivePiece[], archived: ReadonlyMap<string, readonly Interval[]>): LivePiece[] {
  const result: LivePiece[] = [];
  for (const piece of pieces) {
    const covered = (archived.get(channelKey(piece)) ?? []).filter((iv) => iv.end > piece.start && iv.start <= piece.end);
    if (covered.length === 0) {
      result.push(piece);
      continue;
    }
    const keep = (from: number, to: number) => {
      if (to <= from) return;
      result.push({ ...piece, start: sampleTime(piece, from), end: sampleTime(piece, to - 1), samples: to - from });
    };
    let next = 0;
    for (const interval of covered) {
      keep(next, firstSampleAtOrAfter(piece, interval.start));
      next = Math.max(next, firstSampleAtOrAfter(piece, interval.end));
    }
    keep(next, piece.samples);
  }
  return result;
}

/**
 * Compacts the rows of `source` under the id `compactionId` (new, unique for the source), per UTC
 * day of their start: every day holding rows of more than one write, and every recent day whose
 * rows an archive scan has stored since, is rewritten as its joined runs less what the archive
 * holds. Then the rollups are refreshed: of the channel-days it rewrote, and of `written`, the
 * channel-days the source wrote since its last compaction (a day written once is not rewritten,
 * yet its rollup must follow). Safe to stop at any point:
 * a day left with both the new rows and the old ones is compacted again next time, and the old
 * rows then count once. Only one writer may write a source at a time. Returns the days rewritten
 * and the rows before and after.
 */
export async function compactLiveSegments(
  store: Store,
  source: string,
  compactionId: number,
  options: { tolerance?: readonly ToleranceRule[]; now?: Micros; written?: TouchedDays } = {},
): Promise<{ days: number; before: number; after: number }> {
  const since = (options.now ?? Date.now() * 1000) - ARCHIVE_LOOKBACK_MICROS;
  const [written, archived] = await Promise.all([
    store.rows<{ day: number }>(`SELECT intDiv(toUnixTimestamp64Micro(start_time), ${MICROS_PER_DAY}) AS day FROM segments WHERE source = {source:String}
       GROUP BY day HAVING uniqExact(scan_id) > 1`,
      { source },
    ),
    // The live rows are the small side of the join: its hash table.
    store.rows<{ day: number }>(`SELECT DISTINCT intDiv(toUnixTimestamp64Micro(l.start_time), ${MICROS_PER_DAY}) AS day
       FROM (SELECT network, station, location, channel, start_time, end_time FROM segments
             WHERE ${ARCHIVE_ROWS} AND end_time >= fromUnixTimestamp64Micro({since:Int64}, 'UTC')) AS a
       INNER JOIN (SELECT network, station, location, channel, start_time, end_time FROM segments
             WHERE source = {source:String} AND start_time >= fromUnixTimestamp64Micro({since:Int64}, 'UTC')) AS l
       USING (network, station, location, channel)
       WHERE a.start_time <= l.end_time AND a.end_time >= l.start_time`,
      { source, since },
    ),
  ]);
  const days = [...new Set([...written, ...archived].map((row) => row.day))].sort((a, b) => a - b);
  let rewritten = 0;
  let before = 0;
  let after = 0;
  const touched: TouchedDays = new Map([...(options.written ?? [])].map(([key, span]) => [key, { ...span }]));
  for (const day of days) {
    const range = { source, from: day * MICROS_PER_DAY, to: (day + 1) * MICROS_PER_DAY };
    const inDay = `source = {source:String} AND start_time >= fromUnixTimestamp64Micro({from:Int64}, 'UTC') AND start_time < fromUnixTimestamp64Micro({to:Int64}, 'UTC')`;
    const stored = await store.rows<CompactRow>(`SELECT ${LIVE_SEGMENT_COLUMNS} FROM segments WHERE ${inDay}`, range);
    if (stored.length === 0) continue;
    const joined = compactPieces(stored);
    const keys = channelKeysFilter(stored);
    // A live row starting on this day may end on the next; archive rows reaching into either count.
    const archive = await store.rows<Segment & ChannelId>(`SELECT network, station, location, channel, quality, sample_rate AS sampleRate, samples,
              toUnixTimestamp64Micro(start_time) AS start, toUnixTimestamp64Micro(end_time) AS end
       FROM segments WHERE ${ARCHIVE_ROWS} AND ${keys.sql}
         AND end_time >= fromUnixTimestamp64Micro({from:Int64}, 'UTC') AND start_time < fromUnixTimestamp64Micro({archiveTo:Int64}, 'UTC')`,
      { ...keys.params, from: range.from, archiveTo: range.to + MICROS_PER_DAY },
    );
    const archiveByKey = new Map<string, Segment[]>();
    for (const segment of archive) archiveByKey.set(channelKey(segment), [...(archiveByKey.get(channelKey(segment)) ?? []), segment]);
    const kept = withoutArchived(joined, new Map([...archiveByKey].map(([key, list]) => [key, coverage(list)])));
    const samples = (list: readonly LivePiece[]) => list.reduce((sum, piece) => sum + piece.samples, 0);
    if (new Set(stored.map((row) => row.scanId)).size === 1 && samples(kept) === samples(joined)) continue;
    if (kept.length > 0) await store.client.insert({ table: 'segments', values: kept.map((piece) => segmentRow(piece, source, compactionId)), format: 'JSONEachRow' });
    await store.client.command({ query: `DELETE FROM ${store.schema.mutationTarget('segments')} WHERE ${inDay} AND scan_id != {compactionId:UInt64}`, query_params: { ...range, compactionId } });
    for (const piece of stored) touchDays(touched, piece, piece.start, piece.end);
    rewritten++;
    before += stored.length;
    after += kept.length;
  }
  if (touched.size > 0) await refreshRollups(store, touched, options);
  return { days: rewritten, before, after };
}

// ---------------------------------------------------------------------------------------------
// Readers

/** The rows of a live source that end at or after `since`: what it stored before a restart. */
export async function liveSegmentsSince(store: Store, source: string, since: Micros): Promise<LivePiece[]> {
  return store.rows<CompactRow>(`SELECT ${LIVE_SEGMENT_COLUMNS} FROM segments WHERE source = {source:String} AND end_time >= fromUnixTimestamp64Micro({since:Int64}, 'UTC')`, { source, since });
}

/** Per matching channel, the newest sample of any live source (the earliest receipt of it). */
export async function liveLatest(store: Store, filter: SqlFragment = channelFilter([])): Promise<LiveLatestRow[]> {
  return store.rows<LiveLatestRow>(`SELECT network, station, location, channel, source, stream,
            toUnixTimestamp64Micro(last_sample) AS lastSample, toUnixTimestamp64Micro(received_at) AS receivedAt
     FROM live_latest WHERE ${filter.sql}
     ORDER BY network, station, location, channel, last_sample DESC, received_at ASC
     LIMIT 1 BY network, station, location, channel`,
    filter.params,
  );
}

/**
 * The newest segment per channel (Store.latestSegments' rows) with live sources' exact latency:
 * when a live source has the channel's newest sample, its receipt time is Ta (the earliest of
 * the two when the stored segment holds the same sample); when its newest sample is newer than
 * any stored segment (a heartbeat, or data whose segments are not flushed yet), or the channel
 * has no segment, the result carries it as a segment of no samples: start = end = that sample,
 * samples 0, sample rate 0, first_seen = its receipt.
 */
export function withLiveLatest(segments: readonly StoredSegment[], live: readonly LiveLatestRow[]): StoredSegment[] {
  if (live.length === 0) return [...segments];
  const byKey = new Map(segments.map((segment) => [channelKey(segment), segment]));
  for (const row of live) {
    const key = channelKey(row);
    const stored = byKey.get(key);
    if (stored === undefined || row.lastSample > stored.end) {
      const { network, station, location, channel } = row;
      byKey.set(key, {
        network,
        station,
        location,
        channel,
        quality: '',
        sampleRate: 0,
        start: row.lastSample,
        end: row.lastSample,
        samples: 0,
        toleranceUs: 0,
        source: row.source,
        firstSeen: row.receivedAt,
      });
    } else if (row.lastSample === stored.end && row.receivedAt < stored.firstSeen) {
      byKey.set(key, { ...stored, firstSeen: row.receivedAt });
    }
  }
  return [...byKey.values()].sort(compareChannelIds);
}

/** The live source of each live channel (channel key → source), for the `source` label. */
export async function liveChannelSources(store: Store): Promise<Map<string, string>> {
  const latest = await liveLatest(store);
  return new Map(latest.map((row) => [channelKey(row), row.source]));
}

export async function liveSourceStates(store: Store): Promise<LiveSourceState[]> {
  const list = await store.rows<{ source: string; kind: SourceHealth['kind']; up: number; received: number; malformed: number; reconnects: number; at: number }>(`SELECT source, kind, up, received, malformed, reconnects, toUnixTimestamp64Micro(updated_at) AS at
     FROM live_sources ORDER BY source, updated_at DESC LIMIT 1 BY source`,
  );
  return list.map((row) => ({ ...row, up: row.up === 1 }));
}

/** The newest backlog sample of every pipeline stage and stream. */
export async function pipelineBacklogs(store: Store): Promise<BacklogSample[]> {
  const list = await store.rows<{ pipeline: string; stage: string; stream: string; files: number; oldest: number | null; stuck: number; at: number }>(`SELECT pipeline, stage, stream, files, toUnixTimestamp64Micro(oldest) AS oldest, stuck, toUnixTimestamp64Micro(sampled_at) AS at
     FROM pipeline_backlog ORDER BY pipeline, stage, stream, sampled_at DESC LIMIT 1 BY pipeline, stage, stream`,
  );
  return list.map((row) => ({ ...row, stuck: row.stuck === 1 }));
}
