/**
 * The store's tables as they are now, and the one builder that writes their DDL for one node or
 * for a ClickHouse cluster.
 *
 * One node: each table is a (Replacing)MergeTree under its own name.
 *
 * A cluster (`--cluster NAME`, a cluster of the servers' `remote_servers`): each table is
 * `NAME_local`, a Replicated(Replacing)MergeTree created `ON CLUSTER` on every server (its Keeper
 * path `/clickhouse/tables/{shard}/{database}/{table}` and replica `{replica}` from the servers'
 * macros), and under the table's own name a `Distributed` table over the shards. So every query of
 * the store reads and writes the same names on both: reads through the Distributed tables gather
 * every shard; an insert is routed to one shard by the sharding key and replicated there. Tables of
 * channels are sharded by their station (shard.ts: CRC-32 of `NET.STA`): a channel's segments,
 * epochs, rollups and extents lie on one shard, so the per-channel work the queries do (FINAL of
 * a ReplacingMergeTree, the subqueries that find neighbours, read with `distributed_product_mode =
 * local`) stays on that shard. Other tables are sharded by a hash of their own key, so that the
 * rows FINAL collapses meet too.
 *
 * Deletes (lightweight DELETE) cannot go through a Distributed table: they name the local tables
 * `ON CLUSTER` (`Schema.mutationTarget`).
 */
import { STATION_KEY_SQL } from '../shard.ts';

export interface TableSpec {
  name: string;
  /** The column list, with its parentheses. */
  columns: string;
  engine: 'MergeTree' | 'ReplacingMergeTree';
  /** Version and is-deleted columns of a ReplacingMergeTree. */
  engineArgs?: string[];
  partitionBy?: string;
  orderBy: string;
  ttl?: string;
  /** The Distributed table's sharding key (an integer expression over the table's columns). */
  shardBy: string;
}

/** Where the tables live. */
export interface ClusterTopology {
  /** A cluster of the servers' `remote_servers`. */
  name: string;
  /**
   * Whether the servers have Keeper: local tables replicated and DDL run `ON CLUSTER` (any real
   * cluster). Without it (the embedded engine standing in for a cluster in tests: one shard, no
   * Keeper) the local tables are plain MergeTrees created on the one node.
   */
  keeper: boolean;
}

export class SchemaError extends Error {}

/** A cluster name as ClickHouse's configuration spells it; it goes into DDL as a quoted identifier. */
export function checkClusterName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(name)) throw new SchemaError(`bad cluster name "${name}": letters, digits, _ . - (as in the servers' remote_servers)`);
  return name;
}

const CHANNEL_COLUMNS = `network LowCardinality(String),
        station LowCardinality(String),
        location LowCardinality(String),
        channel LowCardinality(String)`;

/**
 * Every table, as migrations 1 to 6 left it (migrations.test.ts checks that a store made by the
 * steps has exactly these tables). The ledger comes first: it is created before anything else.
 */
export const TABLES: TableSpec[] = [
  {
    name: 'schema_migrations',
    columns: `(
  version UInt32,
  name String,
  applied_at DateTime64(6, 'UTC')
)`,
    engine: 'MergeTree',
    orderBy: 'version',
    shardBy: 'version',
  },
  {
    name: 'files',
    columns: `(
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
      )`,
    engine: 'ReplacingMergeTree',
    engineArgs: ['scan_id', 'deleted'],
    orderBy: 'path',
    shardBy: 'cityHash64(path)',
  },
  {
    name: 'segments',
    columns: `(
        ${CHANNEL_COLUMNS},
        quality LowCardinality(String),
        sample_rate Float64,
        start_time DateTime64(6, 'UTC'),
        end_time DateTime64(6, 'UTC'),
        samples UInt64,
        tolerance_us UInt64,
        source String,
        scan_id UInt64,
        first_seen DateTime64(6, 'UTC')
      )`,
    engine: 'MergeTree',
    partitionBy: 'tuple()',
    orderBy: '(network, station, location, channel, start_time)',
    shardBy: STATION_KEY_SQL,
  },
  {
    name: 'channel_epochs',
    columns: `(
        ${CHANNEL_COLUMNS},
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
      )`,
    engine: 'MergeTree',
    orderBy: '(network, station, location, channel, start_time)',
    shardBy: STATION_KEY_SQL,
  },
  {
    name: 'collector_runs',
    columns: `(
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
      )`,
    engine: 'ReplacingMergeTree',
    engineArgs: ['phase'],
    orderBy: 'run_id',
    shardBy: 'cityHash64(run_id)',
  },
  {
    name: 'availability_daily',
    columns: `(
        ${CHANNEL_COLUMNS},
        day Date32,
        covered_us Int64,
        expected_us Int64,
        gaps UInt32,
        max_gap_us Int64,
        overlaps UInt32,
        samples UInt64,
        sample_rate Float64,
        computed_at DateTime64(6, 'UTC')
      )`,
    engine: 'ReplacingMergeTree',
    engineArgs: ['computed_at'],
    partitionBy: 'toYear(day)',
    orderBy: '(network, station, location, channel, day)',
    shardBy: STATION_KEY_SQL,
  },
  {
    name: 'channel_extents',
    columns: `(
        ${CHANNEL_COLUMNS},
        first_start DateTime64(6, 'UTC'),
        last_end DateTime64(6, 'UTC'),
        segments UInt64,
        computed_at DateTime64(6, 'UTC'),
        deleted UInt8
      )`,
    engine: 'ReplacingMergeTree',
    engineArgs: ['computed_at', 'deleted'],
    orderBy: '(network, station, location, channel)',
    shardBy: STATION_KEY_SQL,
  },
  {
    name: 'live_latest',
    columns: `(
        ${CHANNEL_COLUMNS},
        source LowCardinality(String),
        stream String,
        last_sample DateTime64(6, 'UTC'),
        received_at DateTime64(6, 'UTC'),
        written_at DateTime DEFAULT now()
      )`,
    engine: 'ReplacingMergeTree',
    engineArgs: ['last_sample'],
    orderBy: '(network, station, location, channel, source)',
    ttl: 'written_at + INTERVAL 90 DAY',
    shardBy: STATION_KEY_SQL,
  },
  {
    name: 'live_sources',
    columns: `(
        source String,
        kind LowCardinality(String),
        up UInt8,
        received UInt64,
        malformed UInt64,
        reconnects UInt64,
        updated_at DateTime64(6, 'UTC'),
        written_at DateTime DEFAULT now()
      )`,
    engine: 'ReplacingMergeTree',
    engineArgs: ['updated_at'],
    orderBy: 'source',
    ttl: 'written_at + INTERVAL 30 DAY',
    shardBy: 'cityHash64(source)',
  },
  {
    name: 'pipeline_backlog',
    columns: `(
        pipeline String,
        stage String,
        stream String,
        files UInt64,
        oldest Nullable(DateTime64(6, 'UTC')),
        stuck UInt8,
        sampled_at DateTime64(6, 'UTC'),
        written_at DateTime DEFAULT now()
      )`,
    engine: 'ReplacingMergeTree',
    engineArgs: ['sampled_at'],
    orderBy: '(pipeline, stage, stream)',
    ttl: 'written_at + INTERVAL 7 DAY',
    shardBy: 'cityHash64(pipeline, stage, stream)',
  },
  {
    name: 'live_batches',
    columns: `(
        source String,
        batch_id UInt64,
        written_at DateTime DEFAULT now()
      )`,
    engine: 'ReplacingMergeTree',
    orderBy: '(source, batch_id)',
    ttl: 'written_at + INTERVAL 7 DAY',
    shardBy: 'cityHash64(source, batch_id)',
  },
  {
    // Written by the readiness probe (Store.writeProblem): one row per process, replaced at merges.
    name: 'store_probe',
    columns: `(
        prober String,
        probed_at DateTime64(6, 'UTC')
      )`,
    engine: 'ReplacingMergeTree',
    engineArgs: ['probed_at'],
    orderBy: 'prober',
    shardBy: 'cityHash64(prober)',
  },
];

export const LEDGER_TABLE = TABLES[0];

/** The DDL of the store's topology: one node (no cluster) or a cluster. */
export class Schema {
  readonly cluster: ClusterTopology | null;

  constructor(cluster: ClusterTopology | null = null) {
    this.cluster = cluster && { ...cluster, name: checkClusterName(cluster.name) };
  }

  private get onCluster(): string {
    return this.cluster?.keeper ? ` ON CLUSTER \`${this.cluster.name}\`` : '';
  }

  /** The statements that create a table (idempotent): one table, or the local tables and their Distributed table. */
  createTable(spec: TableSpec): string[] {
    const tail = `${spec.partitionBy ? ` PARTITION BY ${spec.partitionBy}` : ''} ORDER BY ${spec.orderBy}${spec.ttl ? `\n        TTL ${spec.ttl}` : ''}`;
    const args = spec.engineArgs ?? [];
    if (this.cluster === null) {
      return [`CREATE TABLE IF NOT EXISTS ${spec.name} ${spec.columns} ENGINE = ${spec.engine}${args.length > 0 ? `(${args.join(', ')})` : ''}${tail}`];
    }
    const local = `${spec.name}_local`;
    const engine = this.cluster.keeper
      ? `Replicated${spec.engine}(${["'/clickhouse/tables/{shard}/{database}/{table}'", "'{replica}'", ...args].join(', ')})`
      : `${spec.engine}${args.length > 0 ? `(${args.join(', ')})` : ''}`;
    return [
      `CREATE TABLE IF NOT EXISTS ${local}${this.onCluster} ${spec.columns} ENGINE = ${engine}${tail}`,
      `CREATE TABLE IF NOT EXISTS ${spec.name}${this.onCluster} AS ${local} ENGINE = Distributed('${this.cluster.name}', currentDatabase(), '${local}', ${spec.shardBy})`,
    ];
  }

  /** What a lightweight DELETE (or a TRUNCATE) names: the table, or its local tables on every server of the cluster. */
  mutationTarget(table: string): string {
    return this.cluster === null ? table : `${table}_local${this.onCluster}`;
  }

  /** Settings every query of the store runs with. */
  get settings(): Record<string, string | number> {
    if (this.cluster === null) return {};
    return {
      // A subquery over a Distributed table inside a query over one reads the shard's local table:
      // right, since both tables are sharded by station and the subquery is about the same channels.
      distributed_product_mode: 'local',
      // An insert returns once the shard has it, so that the reads right after it (a rollup
      // refresh after its segments) see it, and a failure is reported to the writer.
      distributed_foreground_insert: 1,
    };
  }
}
