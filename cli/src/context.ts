import { resolveStoreLocation } from '@lacuna/core';
import { Store } from '@lacuna/core';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

/** Opens the store named by --store (else $LACUNA_STORE, else ./data/lacuna), runs `work`, closes it. */
export async function withStore<T>(values: Record<string, unknown>, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(resolveStoreLocation(values.store as string | undefined));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
