/**
 * The gallery's 2,000-channel case: a synthetic network written straight into an embedded store
 * by ClickHouse (core's generator for the scale benchmark), for `lacuna serve` to serve. A week
 * of whole days ending at the last UTC midnight.
 *
 * node --import tsx network.ts STORE_DIR: fills the store (empty or new) and prints the window as JSON.
 */
import { resolve } from 'node:path';
import { MICROS_PER_DAY, Store } from '@lacuna/core';
import { syntheticNetworkInserts } from '@lacuna/core/testing';

const NETWORK_CHANNELS = 2000;
const DAYS = 7;

const dir = resolve(process.argv[2] ?? '');
const end = Math.floor((Date.now() * 1000) / MICROS_PER_DAY) * MICROS_PER_DAY;
const start = end - DAYS * MICROS_PER_DAY;
const store = await Store.open({ kind: 'embedded', target: dir });
try {
  for (const insert of syntheticNetworkInserts({ channels: NETWORK_CHANNELS, days: DAYS, start, perNetwork: 150, gapEvery: 6, missingEvery: 45 })) {
    await store.client.command({ query: insert.sql, query_params: insert.params });
  }
} finally {
  await store.close();
}
process.stdout.write(`${JSON.stringify({ fromUs: start, toUs: end, channels: NETWORK_CHANNELS })}\n`);
