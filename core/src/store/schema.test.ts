import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATION_KEY_SQL } from '../shard.ts';
import { testBackends } from '../testing/store-backends.ts';
import { resolveStoreLocation } from './connect.ts';
import { checkClusterName, Schema, SchemaError, TABLES } from './schema.ts';
import type { Store } from './store.ts';

const single = new Schema();
const cluster = new Schema({ name: 'lacuna', keeper: true });
const CHANNEL_TABLES = ['segments', 'channel_epochs', 'availability_daily', 'channel_extents', 'live_latest'];

describe('one builder for the DDL of one node and of a cluster', () => {
  it('creates each table under its name on one node, with its engine, partitioning, order and TTL', () => {
    for (const spec of TABLES) {
      const [statement, ...more] = single.createTable(spec);
      expect(more).toEqual([]);
      expect(statement).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS ${spec.name} \\(`));
      expect(statement).toContain(`ENGINE = ${spec.engine}${spec.engineArgs ? `(${spec.engineArgs.join(', ')})` : ''}`);
      expect(statement).toContain(`ORDER BY ${spec.orderBy}`);
      expect(statement).not.toMatch(/ON CLUSTER|Replicated|Distributed/);
    }
    expect(single.mutationTarget('segments')).toBe('segments');
    expect(single.settings).toEqual({});
  });

  it('creates on a cluster a replicated local table ON CLUSTER and a Distributed table over it, sharded by station for channels', () => {
    for (const spec of TABLES) {
      const [local, distributed, ...more] = cluster.createTable(spec);
      expect(more).toEqual([]);
      const [one] = single.createTable(spec);
      // The same columns, partitioning, order and TTL as on one node: only the name and the engine differ.
      const body = (statement: string) => statement.slice(statement.indexOf('('), statement.indexOf(' ENGINE = '));
      expect(body(local)).toBe(body(one));
      expect(local.slice(local.indexOf(' ORDER BY '))).toBe(one.slice(one.indexOf(' ORDER BY ')));
      expect(local).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS ${spec.name}_local ON CLUSTER \`lacuna\` \\(`));
      expect(local).toContain(
        `ENGINE = Replicated${spec.engine}('/clickhouse/tables/{shard}/{database}/{table}', '{replica}'${(spec.engineArgs ?? []).map((arg) => `, ${arg}`).join('')})`,
      );
      expect(distributed).toBe(
        `CREATE TABLE IF NOT EXISTS ${spec.name} ON CLUSTER \`lacuna\` AS ${spec.name}_local ENGINE = Distributed('lacuna', currentDatabase(), '${spec.name}_local', ${spec.shardBy})`,
      );
      // A channel's rows of every table meet on one shard: the station decides.
      if (CHANNEL_TABLES.includes(spec.name)) expect(spec.shardBy).toBe(STATION_KEY_SQL);
      else expect(spec.shardBy).not.toContain('station');
    }
    expect(TABLES.filter((spec) => spec.shardBy === STATION_KEY_SQL).map((spec) => spec.name).sort()).toEqual([...CHANNEL_TABLES].sort());
    expect(cluster.mutationTarget('segments')).toBe('segments_local ON CLUSTER `lacuna`');
    expect(cluster.settings).toEqual({ distributed_product_mode: 'local', distributed_foreground_insert: 1 });
  });

  it('takes the cluster from --cluster or LACUNA_CLICKHOUSE_CLUSTER, only with a server, and refuses a name that is not one', () => {
    expect(resolveStoreLocation('http://ch:8123', {}, 'lacuna')).toEqual({ kind: 'server', target: 'http://ch:8123', cluster: { name: 'lacuna', keeper: true } });
    expect(resolveStoreLocation(undefined, { LACUNA_STORE: 'http://ch:8123', LACUNA_CLICKHOUSE_CLUSTER: 'two_by_two' })).toMatchObject({ cluster: { name: 'two_by_two' } });
    expect(resolveStoreLocation('http://ch:8123', {})).toEqual({ kind: 'server', target: 'http://ch:8123' });
    expect(() => resolveStoreLocation('./data/lacuna', {}, 'lacuna')).toThrow(/cluster "lacuna" needs a ClickHouse server as the store/);
    expect(() => checkClusterName('x`; DROP TABLE segments')).toThrow(SchemaError);
    expect(() => resolveStoreLocation('http://ch:8123', {}, 'a b')).toThrow('bad cluster name "a b"');
  });
});

for (const backend of testBackends()) {
  describe(`the tables a store is made with (${backend.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(async () => {
      await backend.dispose(store);
    });

    it('has every table of the builder, through Distributed tables when on a cluster', async () => {
      const tables = await store.rows<{ name: string; engine: string }>('SELECT name, engine FROM system.tables WHERE database = currentDatabase() ORDER BY name');
      const names = TABLES.map((spec) => spec.name).sort();
      if (store.schema.cluster === null) {
        expect(tables.map((t) => t.name)).toEqual(names);
      } else {
        expect(tables.filter((t) => t.engine === 'Distributed').map((t) => t.name)).toEqual(names);
        expect(tables.filter((t) => t.engine !== 'Distributed').map((t) => t.name)).toEqual(names.map((name) => `${name}_local`).sort());
      }
    });
  });
}
