/**
 * Store records that failed their schema, per app: kept out of the sync and not retried as
 * failures, remembered so `status` can show them until the store serves them readable again.
 */
import type { SetAside } from '../connectors/stores/types.js';
import type { StateDb } from './handle.js';
import { nowIso } from './now.js';

export interface SetAsideSummary {
  count: number;
  /** The newest reasons first, at most `limit`. */
  reasons: string[];
}

export class SetAsideRecords {
  constructor(private readonly db: StateDb) {}

  /** Records (or refreshes) each; returns how many were not known before. */
  record(appKey: string, records: readonly SetAside[]): Promise<number> {
    const at = nowIso();
    return this.db.transaction(async () => {
      let fresh = 0;
      for (const r of records) {
        const key = r.id ?? `reason:${r.reason}`;
        const known = await this.db.value('SELECT 1 FROM set_aside WHERE app_key = ? AND record_key = ?', [
          appKey,
          key,
        ]);
        if (known === undefined) fresh++;
        await this.db.run(
          `INSERT INTO set_aside (app_key, record_key, record_id, reason, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(app_key, record_key) DO UPDATE SET reason = excluded.reason, last_seen_at = excluded.last_seen_at, times_seen = set_aside.times_seen + 1`,
          [appKey, key, r.id ?? null, r.reason, at, at],
        );
      }
      return fresh;
    });
  }

  /** Ids of this app's set-aside records, to forget them once the store serves them readable. */
  async ids(appKey: string): Promise<Set<string>> {
    return new Set(
      await this.db.column<string>('SELECT record_id FROM set_aside WHERE app_key = ? AND record_id IS NOT NULL', [
        appKey,
      ]),
    );
  }

  async forget(appKey: string, recordId: string): Promise<void> {
    await this.db.run('DELETE FROM set_aside WHERE app_key = ? AND record_id = ?', [appKey, recordId]);
  }

  /** After a read of every page: records not served since `since` are gone from the store. */
  async pruneUnseenSince(appKey: string, since: string): Promise<void> {
    await this.db.run('DELETE FROM set_aside WHERE app_key = ? AND last_seen_at < ?', [appKey, since]);
  }

  async summary(appKey: string, limit = 5): Promise<SetAsideSummary> {
    const count = (await this.db.value<number>('SELECT COUNT(*) FROM set_aside WHERE app_key = ?', [appKey])) ?? 0;
    const reasons =
      count === 0
        ? []
        : await this.db.column<string>(
            'SELECT reason FROM set_aside WHERE app_key = ? ORDER BY last_seen_at DESC, record_key LIMIT ?',
            [appKey, limit],
          );
    return { count, reasons };
  }
}
