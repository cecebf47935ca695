/** Store quota bookkeeping in SQLite, shared by every run and by serve-hook. */
import type { UsageLedger } from '../connectors/deps.js';
import type { Db } from './db.js';

export function sqliteUsageLedger(db: Db, keepMs = 2 * 24 * 3600_000): UsageLedger {
  let recorded = 0;
  return {
    count: (key, since) =>
      (db.prepare('SELECT COUNT(*) AS n FROM api_usage WHERE key = ? AND at >= ?').get(key, since) as { n: number }).n,
    record: (key, at) => {
      db.prepare('INSERT INTO api_usage (key, at) VALUES (?, ?)').run(key, at);
      // Old entries are useless once outside every quota window.
      if (++recorded % 500 === 0) db.prepare('DELETE FROM api_usage WHERE at < ?').run(at - keepMs);
    },
  };
}
