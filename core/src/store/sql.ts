import type { ClickHouseClient } from '@clickhouse/client';

/** A piece of SQL with its parameters: the SQL holds only placeholders, never values. */
export interface SqlFragment {
  sql: string;
  params: Record<string, unknown>;
}

/** A query's rows: objects (JSONEachRow) or arrays in column order (JSONCompactEachRow). */
export async function queryRows<T>(client: ClickHouseClient, query: SqlFragment, format: 'JSONEachRow' | 'JSONCompactEachRow' = 'JSONEachRow'): Promise<T[]> {
  const result = await client.query({ query: query.sql, query_params: query.params, format });
  return result.json<T>();
}

/** ClickHouse refuses an insert that touches more partitions than this (max_partitions_per_insert_block's default). */
export const MAX_PARTITIONS_PER_INSERT = 100;

/**
 * Inserts rows into a partitioned table in as few inserts as keep each one within
 * MAX_PARTITIONS_PER_INSERT partitions; `partitionOf` must compute the table's partition key.
 * Rows of one partition always go in one insert.
 */
export async function insertByPartition<Row>(
  client: ClickHouseClient,
  table: string,
  rows: readonly Row[],
  format: 'JSONEachRow' | 'JSONCompactEachRow',
  partitionOf: (row: Row) => number,
): Promise<void> {
  const byPartition = new Map<number, Row[]>();
  for (const row of rows) {
    const key = partitionOf(row);
    const group = byPartition.get(key);
    if (group) group.push(row);
    else byPartition.set(key, [row]);
  }
  const groups = [...byPartition.values()];
  for (let i = 0; i < groups.length; i += MAX_PARTITIONS_PER_INSERT) {
    await client.insert({ table, values: groups.slice(i, i + MAX_PARTITIONS_PER_INSERT).flat(), format });
  }
}
