import type { ClickHouseClient } from '@clickhouse/client';
import { queryRows } from './sql.ts';
import { LEDGER_TABLE, Schema, SchemaError, TABLES } from './schema.ts';
import { EARLIEST_STORABLE_TIME, HIGHEST_SAMPLE_RATE, LATEST_STORABLE_TIME, LOWEST_SAMPLE_RATE } from '../storable.ts';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
  /** A step that statements alone cannot make safe to repeat (run after them; it must be idempotent too). */
  apply?: (client: ClickHouseClient) => Promise<void>;
}

/**
 * The schema, as versioned steps. A step, once released, never changes: a new need is a new step.
 * Every table's order key starts with the channel id (or the file path for scan state). Since
 * step 4, segments are not partitioned and the daily rollups by year (the reasons are there).
 */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'files, segments, channel epochs, collector runs',
    statements: [
      `CREATE TABLE IF NOT EXISTS files (
        path String,
        size UInt64,
        mtime DateTime64(6, 'UTC'),
        status LowCardinality(String),
        error String,
        error_offset Int64,
        records UInt64,
        format UInt8,
        scanned_at DateTime64(6, 'UTC'),
        scan_id UInt64,
        deleted UInt8
      ) ENGINE = ReplacingMergeTree(scan_id, deleted) ORDER BY path`,
      `CREATE TABLE IF NOT EXISTS segments (
        network LowCardinality(String),
        station LowCardinality(String),
        location LowCardinality(String),
        channel LowCardinality(String),
        quality LowCardinality(String),
        sample_rate Float64,
        start_time DateTime64(6, 'UTC'),
        end_time DateTime64(6, 'UTC'),
        samples UInt64,
        tolerance_us UInt64,
        source String,
        scan_id UInt64,
        first_seen DateTime64(6, 'UTC')
      ) ENGINE = MergeTree PARTITION BY toYYYYMM(start_time) ORDER BY (network, station, location, channel, start_time)`,
      `CREATE TABLE IF NOT EXISTS channel_epochs (
        network LowCardinality(String),
        station LowCardinality(String),
        location LowCardinality(String),
        channel LowCardinality(String),
        start_time DateTime64(6, 'UTC'),
        end_time Nullable(DateTime64(6, 'UTC')),
        sample_rate Nullable(Float64),
        latitude Nullable(Float64),
        longitude Nullable(Float64),
        elevation Nullable(Float64),
        warn_s Nullable(Float64),
        fail_s Nullable(Float64),
        source String,
        loaded_at DateTime64(6, 'UTC')
      ) ENGINE = MergeTree ORDER BY (network, station, location, channel, start_time)`,
      `CREATE TABLE IF NOT EXISTS collector_runs (
        run_id UInt64,
        started_at DateTime64(6, 'UTC'),
        finished_at Nullable(DateTime64(6, 'UTC')),
        roots Array(String),
        files_seen UInt64,
        files_scanned UInt64,
        files_failed UInt64,
        files_deleted UInt64,
        bytes UInt64,
        records UInt64,
        status LowCardinality(String),
        phase UInt8
      ) ENGINE = ReplacingMergeTree(phase) ORDER BY run_id`,
    ],
  },
  {
    version: 2,
    name: 'availability rollups per channel and UTC day, channel data extents',
    statements: [
      // One row per channel and UTC day, computed by core availabilityByBucket (rollups.ts); a
      // refresh inserts newer rows (computed_at) that replace the older ones.
      `CREATE TABLE IF NOT EXISTS availability_daily (
        network LowCardinality(String),
        station LowCardinality(String),
        location LowCardinality(String),
        channel LowCardinality(String),
        day Date32,
        covered_us Int64,
        expected_us Int64,
        gaps UInt32,
        max_gap_us Int64,
        overlaps UInt32,
        samples UInt64,
        sample_rate Float64,
        computed_at DateTime64(6, 'UTC')
      ) ENGINE = ReplacingMergeTree(computed_at) PARTITION BY toYYYYMM(day) ORDER BY (network, station, location, channel, day)`,
      // First sample and last sample of every channel with data; deleted = 1 once it has none.
      `CREATE TABLE IF NOT EXISTS channel_extents (
        network LowCardinality(String),
        station LowCardinality(String),
        location LowCardinality(String),
        channel LowCardinality(String),
        first_start DateTime64(6, 'UTC'),
        last_end DateTime64(6, 'UTC'),
        segments UInt64,
        computed_at DateTime64(6, 'UTC'),
        deleted UInt8
      ) ENGINE = ReplacingMergeTree(computed_at, deleted) ORDER BY (network, station, location, channel)`,
    ],
  },
  {
    version: 3,
    name: 'live sources: newest sample per channel, source health, pipeline backlog, pushed batch ledger',
    statements: [
      // Td and Ta of each live channel, exact per packet (live.ts). Merges keep the row with the
      // newest sample; readers take the newest sample, then the earliest receipt, so unmerged
      // rows read the same. A channel not written for 90 days drops out (its segments stay);
      // the TTLs count from when rows were written, whatever times they hold.
      `CREATE TABLE IF NOT EXISTS live_latest (
        network LowCardinality(String),
        station LowCardinality(String),
        location LowCardinality(String),
        channel LowCardinality(String),
        source LowCardinality(String),
        stream String,
        last_sample DateTime64(6, 'UTC'),
        received_at DateTime64(6, 'UTC'),
        written_at DateTime DEFAULT now()
      ) ENGINE = ReplacingMergeTree(last_sample) ORDER BY (network, station, location, channel, source)
        TTL written_at + INTERVAL 90 DAY`,
      // Counters and connection state of each live source, the newest row wins.
      `CREATE TABLE IF NOT EXISTS live_sources (
        source String,
        kind LowCardinality(String),
        up UInt8,
        received UInt64,
        malformed UInt64,
        reconnects UInt64,
        updated_at DateTime64(6, 'UTC'),
        written_at DateTime DEFAULT now()
      ) ENGINE = ReplacingMergeTree(updated_at) ORDER BY source
        TTL written_at + INTERVAL 30 DAY`,
      // The newest backlog sample of each file-drop stage and stream ('' = the whole stage).
      `CREATE TABLE IF NOT EXISTS pipeline_backlog (
        pipeline String,
        stage String,
        stream String,
        files UInt64,
        oldest Nullable(DateTime64(6, 'UTC')),
        stuck UInt8,
        sampled_at DateTime64(6, 'UTC'),
        written_at DateTime DEFAULT now()
      ) ENGINE = ReplacingMergeTree(sampled_at) ORDER BY (pipeline, stage, stream)
        TTL written_at + INTERVAL 7 DAY`,
      // Ids of content-addressed (pushed) batches already stored: the same batch posted again
      // within a week is stored once.
      `CREATE TABLE IF NOT EXISTS live_batches (
        source String,
        batch_id UInt64,
        written_at DateTime DEFAULT now()
      ) ENGINE = ReplacingMergeTree ORDER BY (source, batch_id)
        TTL written_at + INTERVAL 7 DAY`,
    ],
  },
  {
    version: 4,
    name: 'segments unpartitioned, daily rollups by year: valid data of any span fits an insert',
    statements: [],
    // Monthly partitions made ClickHouse refuse an insert of data spanning more than 100 months
    // ("Too many partitions for single INSERT block"): two files of one channel 8.4 years apart
    // in one scan batch, or 101 pushed items a month apart, failed for good. Measured with the
    // embedded engine on 730,000 day-file segments (100 channels x 20 years, inserted 256 files
    // at a time): monthly partitions left 691 parts and one DELETE of 256 files' rows (every
    // rescan of a changed file does one) took 103 s; yearly 73 parts, 10 s; by decade 13 parts,
    // 1.9 s; unpartitioned 4 parts, 0.3 s; a query of the last day of every channel 185, 97, 44,
    // 12 ms. Lacuna never drops partitions, so segments lose nothing without them. The rollups
    // are replaced by newer rows, never deleted, and read with FINAL, which merges partition by
    // partition: they keep partitions, by year, and their inserts are split so that each touches
    // at most 100 years (sql.ts insertByPartition).
    apply: async (client) => {
      await repartition(client, 'segments', 'tuple()', 'MergeTree PARTITION BY tuple() ORDER BY (network, station, location, channel, start_time)');
      await repartition(client, 'availability_daily', 'toYear(day)', 'ReplacingMergeTree(computed_at) PARTITION BY toYear(day) ORDER BY (network, station, location, channel, day)');
    },
  },
  {
    version: 5,
    name: 'write probe: readiness says whether the store takes writes',
    // One row per process that probes (replaced at merges): a store that answers reads but refuses
    // writes (read-only, disk full) is not ready, and /readyz and lacuna_store_up say so.
    statements: [
      `CREATE TABLE IF NOT EXISTS store_probe (
        prober String,
        probed_at DateTime64(6, 'UTC')
      ) ENGINE = ReplacingMergeTree(probed_at) ORDER BY prober`,
    ],
  },
  {
    version: 6,
    name: 'data outside the storable range, left by older versions, removed; its files read again',
    statements: [],
    // Before core's storable rule, a record with an impossible rate or time, or a pushed item of
    // 1700, reached the store and made every report, rollup and API request fail, for every
    // channel. Such rows go; a file that held some is recorded failed, saying so, with a
    // modification time of 0 so that the next scan reads it again (now the reader reports the
    // damage and keeps the good records); the rollups and extents of the channels touched go too,
    // and are built again (ensureRollups). Safe to repeat.
    apply: async (client) => {
      const params = { earliest: EARLIEST_STORABLE_TIME, latest: LATEST_STORABLE_TIME, lowest: LOWEST_SAMPLE_RATE, highest: HIGHEST_SAMPLE_RATE };
      const outside = `(toUnixTimestamp64Micro(start_time) < {earliest:Int64} OR toUnixTimestamp64Micro(end_time) > {latest:Int64} OR end_time < start_time
        OR NOT (sample_rate >= {lowest:Float64} AND sample_rate <= {highest:Float64}) OR toUnixTimestamp64Micro(end_time) + 1e6 / sample_rate > {latest:Int64})`;
      const run = (query: string) => client.command({ query, query_params: params });
      await run(`INSERT INTO files
        SELECT path, size, toDateTime64(0, 6, 'UTC'), 'error',
               'segments outside the storable range (1900-01-01 .. 2255-06-05, one sample a year to 1 MHz) were removed from the store; the file is read again at the next scan',
               -1, records, format, now64(6), toUnixTimestamp64Micro(now64(6)), 0
        FROM files FINAL WHERE deleted = 0 AND path IN (SELECT DISTINCT source FROM segments WHERE ${outside})`);
      const channels = `(network, station, location, channel) IN (SELECT DISTINCT network, station, location, channel FROM segments WHERE ${outside})`;
      await run(`DELETE FROM channel_extents WHERE ${channels}`);
      await run(`DELETE FROM availability_daily WHERE ${channels}`);
      await run(`DELETE FROM segments WHERE ${outside}`);
      await run(`DELETE FROM live_latest WHERE toUnixTimestamp64Micro(last_sample) < {earliest:Int64} OR toUnixTimestamp64Micro(last_sample) > {latest:Int64}`);
    },
  },
];

/**
 * Gives `table` a new engine clause (here: its partitioning) by copying it into a new table that
 * then takes its place. Safe to repeat after a crash at any point: a table already partitioned
 * as asked is left alone, and a half-made copy is dropped and made again.
 */
async function repartition(client: ClickHouseClient, table: string, partitionKey: string, engine: string): Promise<void> {
  const next = `${table}_repartitioned`;
  const [current] = await queryRows<{ partition_key: string }>(client, {
    sql: 'SELECT partition_key FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
    params: { table },
  });
  if (current.partition_key !== partitionKey) {
    await client.command({ query: `DROP TABLE IF EXISTS ${next}` });
    await client.command({ query: `CREATE TABLE ${next} AS ${table} ENGINE = ${engine}` });
    await client.command({ query: `INSERT INTO ${next} SELECT * FROM ${table}`, clickhouse_settings: { max_partitions_per_insert_block: '0' } });
    await client.command({ query: `EXCHANGE TABLES ${table} AND ${next}` });
  }
  await client.command({ query: `DROP TABLE IF EXISTS ${next}` });
}

export async function appliedVersions(client: ClickHouseClient, schema = new Schema()): Promise<number[]> {
  for (const statement of schema.createTable(LEDGER_TABLE)) await client.command({ query: statement });
  const rows = await queryRows<{ version: number }>(client, { sql: 'SELECT DISTINCT version FROM schema_migrations ORDER BY version', params: {} });
  return rows.map((row) => row.version);
}

export interface MigrateOptions {
  /** One node or a cluster (default one node). */
  schema?: Schema;
  /** The version to reach (default SCHEMA_VERSION; tests make stores of older code with less). */
  upTo?: number;
}

/** Records steps as applied, in one insert (one part: a new store has no merge of the ledger to come). */
async function record(client: ClickHouseClient, migrations: readonly Migration[]): Promise<void> {
  await client.insert({
    table: 'schema_migrations',
    values: migrations.map((migration) => ({ version: migration.version, name: migration.name, applied_at: Date.now() * 1000 })),
    format: 'JSONEachRow',
  });
}

/**
 * Brings the store to the current schema; returns the versions it applied. A new store gets
 * today's tables at once, from the one builder (schema.ts) for one node and for a cluster, with
 * every step recorded; a store made by older code has the steps it lacks applied in order (one
 * node: a cluster store, new in version 4, never lacks one).
 */
export async function migrate(client: ClickHouseClient, options: MigrateOptions = {}): Promise<number[]> {
  const schema = options.schema ?? new Schema();
  const upTo = options.upTo ?? SCHEMA_VERSION;
  const steps = MIGRATIONS.filter((migration) => migration.version <= upTo);
  const applied = new Set(await appliedVersions(client, schema));
  if (applied.size === 0 && upTo === SCHEMA_VERSION) {
    for (const table of TABLES) for (const statement of schema.createTable(table)) await client.command({ query: statement });
    await record(client, steps);
    return steps.map((migration) => migration.version);
  }
  const pending = steps.filter((migration) => !applied.has(migration.version));
  if (schema.cluster && pending.length > 0) {
    throw new SchemaError(`the cluster store lacks schema steps ${pending.map((m) => m.version).join(', ')}, which apply to one node only; a cluster store starts at version ${SCHEMA_VERSION}`);
  }
  for (const migration of pending) {
    for (const statement of migration.statements) await client.command({ query: statement });
    await migration.apply?.(client);
    await record(client, [migration]);
  }
  return pending.map((migration) => migration.version);
}

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
