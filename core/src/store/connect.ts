import { existsSync } from 'node:fs';
import { makeDirectory } from '../make-directory.ts';
import { join, resolve } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { checkClusterName, Schema, SchemaError, type ClusterTopology } from './schema.ts';

type ClientConfig = NonNullable<Parameters<typeof createClient>[0]>;

/** Where the store lives: a directory for the embedded engine, or a ClickHouse server URL. */
export interface StoreLocation {
  kind: 'embedded' | 'server';
  /** Absolute directory (embedded) or URL without credentials (server). */
  target: string;
  /** The ClickHouse cluster the tables are spread over (schema.ts); absent: one node. */
  cluster?: ClusterTopology;
}

export const DEFAULT_STORE_DIR = './data/lacuna';

/**
 * The store location from `--store`, else `LACUNA_STORE`, else ./data/lacuna; on a server, the
 * cluster from `--cluster`, else `LACUNA_CLICKHOUSE_CLUSTER`. A cluster needs a server: throws
 * SchemaError for a cluster with an embedded store.
 */
export function resolveStoreLocation(option: string | undefined, env: NodeJS.ProcessEnv = process.env, clusterOption?: string): StoreLocation {
  const text = option || env.LACUNA_STORE || DEFAULT_STORE_DIR;
  const cluster = clusterOption || env.LACUNA_CLICKHOUSE_CLUSTER;
  if (/^https?:\/\//i.test(text)) {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    const target = url.toString().replace(/\/$/, '');
    return cluster ? { kind: 'server', target, cluster: { name: checkClusterName(cluster), keeper: true } } : { kind: 'server', target };
  }
  if (cluster) throw new SchemaError(`cluster "${cluster}" needs a ClickHouse server as the store (--store http://HOST:8123 or LACUNA_STORE); ${text} is an embedded store`);
  return { kind: 'embedded', target: resolve(text) };
}

export class StoreUnavailableError extends Error {
  constructor(location: StoreLocation, cause: unknown) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    super(`store ${location.target} is unreachable: ${reason}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Has the embedded engine's allocator (jemalloc, inside its library, configured by JE_MALLOC_CONF
 * when the library loads) give memory back as soon as it is freed, for the rest of the process;
 * without effect once the engine is loaded, and a JE_MALLOC_CONF set by the user is kept. By
 * default it keeps freed pages for some 10 s to hand them out again: a scan of 100,000 files of
 * 4 KB into a new store peaked at 475–492 MB, some 50 MB of it pages the engine no longer used, and
 * 422–437 MB without them, for about 10 % more time (more system calls); scans of large files
 * took the same time. For a process that scans and ends: a server keeps the default, as answering
 * queries the engine frees and takes large blocks all the time (with this, bench:api's completion
 * of 2,000 channels × 365 days took p95 748 ms instead of 414).
 */
export function leanEngineMemory(): void {
  process.env.JE_MALLOC_CONF ??= 'dirty_decay_ms:0,muzzy_decay_ms:0';
}

/**
 * The embedded engine, loaded only here: its native library is large (about 550 MB), so it is an
 * optional dependency of core that a server-only install (the Docker image) leaves out, and npm
 * skips on platforms it has no build for.
 */
async function loadEmbeddedEngine(location: StoreLocation): Promise<typeof import('chdb/connection')> {
  try {
    return await import('chdb/connection');
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new StoreUnavailableError(location, new Error(`the embedded ClickHouse engine is not available (${reason}): install the optional package chdb beside Lacuna (npm install chdb), or set --store / LACUNA_STORE to a ClickHouse server URL (http://host:8123)`));
  }
}

/** ClickHouse errors that say the store is away, busy or cannot write now: the same data may be taken later. */
const TRANSIENT_ERRORS = new Set([
  'TIMEOUT_EXCEEDED', 'SOCKET_TIMEOUT', 'NETWORK_ERROR', 'ALL_CONNECTION_TRIES_FAILED', 'TOO_MANY_SIMULTANEOUS_QUERIES',
  'MEMORY_LIMIT_EXCEEDED', 'NOT_ENOUGH_SPACE', 'READONLY', 'TABLE_IS_READ_ONLY', 'KEEPER_EXCEPTION', 'ABORTED',
  'QUERY_WAS_CANCELLED', 'AUTHENTICATION_FAILED', 'REQUIRED_PASSWORD', 'UNKNOWN_DATABASE', 'UNKNOWN_TABLE', 'NO_ZOOKEEPER',
  'CANNOT_ALLOCATE_MEMORY', 'CANNOT_WRITE_TO_FILE_DESCRIPTOR', 'CANNOT_FSYNC', 'SERVER_OVERLOADED',
]);

/**
 * Whether the store refused what it was sent, so sending the same again would fail again (a value
 * it cannot parse, an insert it will not take), as opposed to being unreachable, overloaded or
 * unable to write for now (then the same write is retried later). Errors of the client itself
 * serializing values (TypeError, RangeError) are refusals too; anything unknown is not, so that
 * data is kept and retried rather than set aside.
 */
export function isRefusedContent(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true;
  // chdb's client error class is a copy of @clickhouse/client's: known by its shape, not its class.
  const type = (error as { type?: unknown } | null)?.type;
  if (!(error instanceof Error) || typeof type !== 'string') return false;
  if (type === 'TOO_MANY_PARTS') return /partitions for single INSERT block/.test(error.message); // else: merges lag behind inserts
  return !TRANSIENT_ERRORS.has(type);
}

/**
 * One client API for both backends: the embedded engine plugs into @clickhouse/client as a
 * connection, so every query below runs unchanged on a server. Server credentials come from
 * LACUNA_CLICKHOUSE_USER / LACUNA_CLICKHOUSE_PASSWORD, the database from LACUNA_CLICKHOUSE_DATABASE.
 */
export async function connectStore(location: StoreLocation, env: NodeJS.ProcessEnv = process.env): Promise<ClickHouseClient> {
  // 64-bit integers as JSON numbers: our µs timestamps stay exact below 2^53.
  const schema = new Schema(location.cluster);
  const clickhouse_settings = { output_format_json_quote_64bit_integers: 0, ...schema.settings } as const;
  if (location.kind === 'embedded') {
    const { createChdbConnection } = await loadEmbeddedEngine(location);
    try {
      await makeDirectory(location.target);
      // chdb types its connection against its own copy of @clickhouse/client-common; the shapes are the same.
      const connection = createChdbConnection({ path: location.target }) as unknown as NonNullable<ClientConfig['connection']>;
      const client = createClient({ connection, clickhouse_settings });
      await client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
      return client;
    } catch (error) {
      // The engine locks its directory; the native error text does not reach the JS error.
      if (existsSync(join(location.target, 'status'))) {
        throw new StoreUnavailableError(location, new Error('cannot open it; is another process (lacuna start?) using it? An embedded store serves one process: stop that one or query its HTTP API'));
      }
      throw new StoreUnavailableError(location, error);
    }
  }
  const database = env.LACUNA_CLICKHOUSE_DATABASE ?? 'lacuna';
  const credentials = { username: env.LACUNA_CLICKHOUSE_USER ?? 'default', password: env.LACUNA_CLICKHOUSE_PASSWORD ?? '' };
  try {
    const bootstrap = createClient({ url: location.target, ...credentials, clickhouse_settings });
    // On every server of a cluster: its tables are created there.
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS {database:Identifier}${schema.cluster?.keeper ? ` ON CLUSTER \`${schema.cluster.name}\`` : ''}`, query_params: { database } });
    await bootstrap.close();
    return createClient({ url: location.target, database, ...credentials, clickhouse_settings });
  } catch (error) {
    throw new StoreUnavailableError(location, error);
  }
}
