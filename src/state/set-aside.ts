/**
 * Store records that failed their schema, per app: kept out of the sync and not retried as
 * failures, remembered so `status` can show them until the store serves them readable again.
 */
import type { SetAside } from '../connectors/stores/types.js';
import { nowIso, type Db } from './db.js';

export interface SetAsideSummary {
  count: number;
  /** The newest reasons first, at most `limit`. */
  reasons: string[];
}

export class SetAsideRecords {
  constructor(private readonly db: Db) {}

  /** Records (or refreshes) each; returns how many were not known before. */
  record(appKey: string, records: readonly SetAside[]): number {
    const at = nowIso();
    const known = this.db.prepare('SELECT 1 FROM set_aside WHERE app_key = ? AND record_key = ?').pluck();
    const upsert = this.db.prepare(
      `INSERT INTO set_aside (app_key, record_key, record_id, reason, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(app_key, record_key) DO UPDATE SET reason = excluded.reason, last_seen_at = excluded.last_seen_at, times_seen = times_seen + 1`,
    );
    let fresh = 0;
    this.db.transaction(() => {
      for (const r of records) {
        const key = r.id ?? `reason:${r.reason}`;
        if (known.get(appKey, key) === undefined) fresh++;
        upsert.run(appKey, key, r.id ?? null, r.reason, at, at);
      }
    })();
    return fresh;
  }

  /** Ids of this app's set-aside records, to forget them once the store serves them readable. */
  ids(appKey: string): Set<string> {
    return new Set(
      this.db
        .prepare('SELECT record_id FROM set_aside WHERE app_key = ? AND record_id IS NOT NULL')
        .pluck()
        .all(appKey) as string[],
    );
  }

  forget(appKey: string, recordId: string): void {
    this.db.prepare('DELETE FROM set_aside WHERE app_key = ? AND record_id = ?').run(appKey, recordId);
  }

  /** After a read of every page: records not served since `since` are gone from the store. */
  pruneUnseenSince(appKey: string, since: string): void {
    this.db.prepare('DELETE FROM set_aside WHERE app_key = ? AND last_seen_at < ?').run(appKey, since);
  }

  summary(appKey: string, limit = 5): SetAsideSummary {
    const count = (
      this.db.prepare('SELECT COUNT(*) AS n FROM set_aside WHERE app_key = ?').get(appKey) as { n: number }
    ).n;
    const reasons =
      count === 0
        ? []
        : (this.db
            .prepare('SELECT reason FROM set_aside WHERE app_key = ? ORDER BY last_seen_at DESC, record_key LIMIT ?')
            .pluck()
            .all(appKey, limit) as string[]);
    return { count, reasons };
  }
}
