/** Store quota bookkeeping in the state, shared by every run and by serve-hook. */
import type { UsageLedger } from '../connectors/deps.js';
import type { StateDb } from './handle.js';

export function stateUsageLedger(db: StateDb, keepMs = 2 * 24 * 3600_000): UsageLedger {
  let recorded = 0;
  return {
    count: async (key, since) =>
      (await db.value<number>('SELECT COUNT(*) FROM api_usage WHERE key = ? AND at >= ?', [key, since])) ?? 0,
    record: async (key, at) => {
      // Lazy: a power loss may forget a few requests of the window; Omnidesk's headers still tell.
      await db.transaction(() => db.run('INSERT INTO api_usage (key, at) VALUES (?, ?)', [key, at]), {
        durability: 'lazy',
      });
      // Old entries are useless once outside every quota window.
      if (++recorded % 500 === 0) await db.run('DELETE FROM api_usage WHERE at < ?', [at - keepMs]);
    },
  };
}

/** The name it had while the state was SQLite only. */
export const sqliteUsageLedger = stateUsageLedger;
