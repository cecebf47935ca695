/** Backlog places an app has used, for `import` (which fills the backlog the first sync could not reach). */
import type { StateDb } from './handle.js';

/**
 * Reviews chosen for delivery that were created before the app's first sync (every chosen one
 * when it never synced): the first sync's backlog and what imports added to it.
 */
export async function backlogTaken(
  db: StateDb,
  appKey: string,
  firstSyncAt: string | null | undefined,
): Promise<number> {
  const sql = `SELECT COUNT(*) FROM reviews r JOIN review_versions v ON v.review_key = r.review_key
         AND v.version = (SELECT MIN(version) FROM review_versions WHERE review_key = r.review_key)
       WHERE r.app_key = ? AND r.decision = 'deliver' AND r.alias_of IS NULL`;
  // Two texts rather than `? IS NULL OR …`: an untyped NULL parameter is an error in PostgreSQL.
  const n = firstSyncAt
    ? await db.value<number>(`${sql} AND v.created_at < ?`, [appKey, firstSyncAt])
    : await db.value<number>(sql, [appKey]);
  return n ?? 0;
}
