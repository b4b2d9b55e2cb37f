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
