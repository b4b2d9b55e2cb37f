import type { ClickHouseClient } from '@clickhouse/client';
import { queryRows } from './sql.ts';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/**
 * The schema, as versioned steps. A step, once released, never changes: a new need is a new step.
 * Every table's order key starts with the channel id (or the file path for scan state) and
 * partitions are monthly, as DESIGN.md's Storage section asks.
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
];

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32,
  name String,
  applied_at DateTime64(6, 'UTC')
) ENGINE = MergeTree ORDER BY version`;

export async function appliedVersions(client: ClickHouseClient): Promise<number[]> {
  await client.command({ query: LEDGER });
  const rows = await queryRows<{ version: number }>(client, { sql: 'SELECT DISTINCT version FROM schema_migrations ORDER BY version', params: {} });
  return rows.map((row) => row.version);
}

/** Applies the steps not yet applied, in order; returns the versions it applied. */
export async function migrate(client: ClickHouseClient, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  const applied = new Set(await appliedVersions(client));
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements) await client.command({ query: statement });
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name, applied_at: Date.now() * 1000 }],
      format: 'JSONEachRow',
    });
    done.push(migration.version);
  }
  return done;
}

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
