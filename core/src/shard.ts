import { crc32 } from 'node:zlib';
import type { SqlFragment } from './store/sql.ts';

/**
 * One part of N of a network, split by station: sharded collectors scan the stations of their
 * part, sharded /metrics serve them, and a ClickHouse cluster stores each station on one shard.
 * The rule is CRC-32 (IEEE) of `NET.STA` modulo N, which ClickHouse computes as `CRC32` with the
 * same result, so the split reads the same in JavaScript and in SQL and never changes between
 * versions. Parts count from 0 (`0/3`, `1/3`, `2/3`), as Prometheus' hashmod and Kubernetes'
 * ordinals do.
 */
export interface StationShard {
  index: number;
  count: number;
}

export class ShardError extends Error {}

/** `I/N` with 0 ≤ I < N. */
export function parseShard(text: string): StationShard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new ShardError(`bad shard "${text}": expected I/N, e.g. 0/3 (parts count from 0)`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > 65536) throw new ShardError(`bad shard "${text}": N must be 1 to 65536`);
  if (index >= count) throw new ShardError(`bad shard "${text}": I counts from 0, so it must be below N (${count}): 0/${count} … ${count - 1}/${count}`);
  return { index, count };
}

export function formatShard(shard: StationShard): string {
  return `${shard.index}/${shard.count}`;
}

/** The part (0 … count − 1) a station belongs to. */
export function stationShardOf(network: string, station: string, count: number): number {
  return crc32(`${network}.${station}`) % count;
}

export function ownsStation(shard: StationShard, network: string, station: string): boolean {
  return stationShardOf(network, station, shard.count) === shard.index;
}

/** The station key in SQL, over a table's `network` and `station` columns: equals stationShardOf before the modulo. */
export const STATION_KEY_SQL = "CRC32(concat(network, '.', station))";

/** The SQL condition "the row's station is in the shard"; no shard (or 1 part) is every row. */
export function stationShardFilter(shard: StationShard | undefined): SqlFragment {
  if (shard === undefined || shard.count === 1) return { sql: '1', params: {} };
  return { sql: `${STATION_KEY_SQL} % {shardCount:UInt32} = {shardIndex:UInt32}`, params: { shardCount: shard.count, shardIndex: shard.index } };
}
