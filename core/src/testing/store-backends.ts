import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const backends: TestBackend[] = [
    {
      name: 'embedded chDB',
      open: () => Store.open({ kind: 'embedded', target: mkdtempSync(join(tmpdir(), 'lacuna-store-')) }),
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
  return backends;
}
