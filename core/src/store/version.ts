/**
 * The store's data version: a token that changes whenever any of its tables changes. Every
 * insert, delete or merge makes new parts, so the set of active parts (their names and row
 * counts) in the store's database says whether anything was written since; a merge changes it
 * too, without changing the data (an answer is then computed again, no harm done). Read from
 * system.parts, which both the embedded engine and a server keep.
 */
import { queryRows } from './sql.ts';
import type { Store } from './store.ts';

export async function dataVersion(store: Store): Promise<string> {
  const [[parts, names, rows]] = await queryRows<[number, string, number]>(
    store.client,
    {
      sql: `SELECT count(), toString(groupBitXor(cityHash64(table, name))), sum(rows)
            FROM system.parts WHERE database = currentDatabase() AND active`,
      params: {},
    },
    'JSONCompactEachRow',
  );
  return `${parts}/${names}/${rows}`;
}
