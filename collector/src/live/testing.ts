/** Test helpers for live sources: a store that can be made unreachable, and bounded waiting. */
import type { Store } from '@lacuna/core';

export type StoreMode = 'up' | 'down' | 'lose-acks';

/**
 * The same store behind a client that can be switched off: `down` refuses every call as an
 * unreachable server does; `lose-acks` carries each call out and then fails it, as a connection
 * dropped before the answer arrives (the caller cannot tell whether the write happened).
 */
export function switchableStore(store: Store): { store: Store; setMode(mode: StoreMode): void } {
  let mode: StoreMode = 'up';
  const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
  const client = new Proxy(store.client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || !['query', 'insert', 'command', 'exec'].includes(String(property))) return value;
      return async (...args: unknown[]) => {
        if (mode === 'down') throw refused();
        const result = await value.apply(target, args);
        if (mode === 'lose-acks') throw new Error('socket hang up');
        return result;
      };
    },
  });
  return { store: Object.create(store, { client: { value: client } }) as Store, setMode: (next) => (mode = next) };
}

/** Waits until `condition` holds, checking every 20 ms for at most `timeoutMs`; throws naming `what` otherwise. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The same store, refusing the rows `refuses` picks as ClickHouse refuses a value it cannot
 * parse (an error with a ClickHouse type): every insert holding one such row fails, the others
 * are carried out. A test double for content the store will not take, whatever it is.
 */
export function refusingStore(store: Store, refuses: (table: string, row: Record<string, unknown>) => boolean): Store {
  const client = new Proxy(store.client, {
    get(target, property) {
      if (property === 'insert') {
        return (params: { table: string; values: (Record<string, unknown> | unknown[])[]; columns?: string[] }) => {
          // Rows as arrays (JSONCompactEachRow) are named by the insert's columns.
          const named = (row: Record<string, unknown> | unknown[]) => (Array.isArray(row) ? Object.fromEntries((params.columns ?? []).map((column, i) => [column, row[i]])) : row);
          if (Array.isArray(params.values) && params.values.some((row) => refuses(params.table, named(row)))) {
            return Promise.reject(Object.assign(new Error("Cannot parse input: expected ',' before: 'e+44}'"), { type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', code: '27' }));
          }
          return target.insert(params as never);
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return Object.create(store, { client: { value: client } }) as Store;
}
