/** Backlog places an app has used, for `import` (which fills the backlog the first sync could not reach). */
import type { Db } from './db.js';

/**
 * Reviews chosen for delivery that were created before the app's first sync (every chosen one
 * when it never synced): the first sync's backlog and what imports added to it.
 */
export function backlogTaken(db: Db, appKey: string, firstSyncAt: string | null | undefined): number {
  return db
    .prepare(
      `SELECT COUNT(*) FROM reviews r JOIN review_versions v ON v.review_key = r.review_key
         AND v.version = (SELECT MIN(version) FROM review_versions WHERE review_key = r.review_key)
       WHERE r.app_key = ? AND r.decision = 'deliver' AND r.alias_of IS NULL AND (? IS NULL OR v.created_at < ?)`,
    )
    .pluck()
    .get(appKey, firstSyncAt ?? null, firstSyncAt ?? null) as number;
}
