import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../store/store.ts';

/**
 * The stores the store-facing tests run on: always the embedded engine in a fresh directory, and a
 * ClickHouse server too when LACUNA_TEST_CLICKHOUSE_URL is set (in a database of its own, dropped
 * afterwards). The embedded engine allows one data directory per process, so a test file opens
 * one store and shares it between its tests.
 */
export interface TestBackend {
  name: string;
  open(): Promise<Store>;
  dispose(store: Store): Promise<void>;
}

export function testBackends(): TestBackend[] {
  // The vitest project "store on a cluster" runs the store's tests again through Distributed tables
  // (embedded-cluster.xml: one shard, no Keeper; a test double of a cluster, since none can run here).
  const cluster = process.env.LACUNA_TEST_EMBEDDED_CLUSTER ? { name: process.env.LACUNA_TEST_EMBEDDED_CLUSTER, keeper: false } : undefined;
  const backends: TestBackend[] = [
    {
      name: cluster ? `embedded chDB as a one-shard cluster "${cluster.name}" (Distributed tables, no Keeper)` : 'embedded chDB',
      open: async () => {
        const target = mkdtempSync(join(tmpdir(), 'lacuna-store-'));
        // The engine takes its cluster from a configuration file given when its session opens (the store's connection then shares that session).
        if (cluster) {
          const { Session } = await import('chdb');
          new Session(target, { connectionArgs: [`--config-file=${fileURLToPath(new URL('./embedded-cluster.xml', import.meta.url))}`] });
        }
        return Store.open({ kind: 'embedded', target, cluster });
      },
      dispose: async (store) => {
        await store.close();
        rmSync(store.location.target, { recursive: true, force: true });
      },
    },
  ];
  const url = process.env.LACUNA_TEST_CLICKHOUSE_URL;
  if (url) {
    const database = `lacuna_test_${process.pid}_${Date.now()}`;
    backends.push({
      name: `ClickHouse server ${url}`,
      open: () => Store.open({ kind: 'server', target: url }, { ...process.env, LACUNA_CLICKHOUSE_DATABASE: database }),
      dispose: async (store) => {
        await store.client.command({ query: 'DROP DATABASE IF EXISTS {database:Identifier}', query_params: { database } });
        await store.close();
      },
    });
  } else {
    console.warn('LACUNA_TEST_CLICKHOUSE_URL is not set: store tests run on the embedded engine only.');
  }
  const clusterUrl = process.env.LACUNA_TEST_CLICKHOUSE_CLUSTER_URL;
  if (clusterUrl) {
    // A real cluster: ReplicatedMergeTree tables ON CLUSTER (Keeper) and Distributed tables over them.
    const name = process.env.LACUNA_TEST_CLICKHOUSE_CLUSTER ?? 'lacuna';
    const database = `lacuna_test_${process.pid}_${Date.now()}`;
    backends.push({
      name: `ClickHouse cluster "${name}" at ${clusterUrl}`,
      open: () => Store.open({ kind: 'server', target: clusterUrl, cluster: { name, keeper: true } }, { ...process.env, LACUNA_CLICKHOUSE_DATABASE: database }),
      dispose: async (store) => {
        await store.client.command({ query: `DROP DATABASE IF EXISTS {database:Identifier} ON CLUSTER \`${name}\` SYNC`, query_params: { database } });
        await store.close();
      },
    });
  } else {
    console.warn('LACUNA_TEST_CLICKHOUSE_CLUSTER_URL is not set: store tests do not run on a real ClickHouse cluster (set it, and LACUNA_TEST_CLICKHOUSE_CLUSTER, default lacuna).');
  }
  return backends;
}
