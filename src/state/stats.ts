/** Read-only counts for `status`: what the state database knows per app, without any service. */
import type { StateDb } from './handle.js';
import type { ReplyState } from './replies.js';

export interface AppCounts {
  reviewsSeen: number;
  casesCreated: number;
  editsDelivered: number;
}

export async function appCounts(db: StateDb, appKey: string): Promise<AppCounts> {
  const count = async (sql: string): Promise<number> => (await db.value<number>(sql, [appKey])) ?? 0;
  return {
    reviewsSeen: await count('SELECT COUNT(*) FROM reviews WHERE app_key = ? AND alias_of IS NULL'),
    casesCreated: await count(
      'SELECT COUNT(*) FROM reviews WHERE app_key = ? AND alias_of IS NULL AND case_id IS NOT NULL',
    ),
    // Edits folded into a case created later were never sent on their own: not counted.
    editsDelivered: await count(
      `SELECT COUNT(*) FROM deliveries d JOIN reviews r ON r.review_key = d.review_key
       WHERE r.app_key = ? AND d.kind = 'edit' AND d.state = 'done' AND (d.message_id IS NOT NULL OR d.attempts > 0)`,
    ),
  };
}

/** Replies by state; with `appKey`, only those of that app's reviews. */
export function replyCounts(db: StateDb, appKey?: string): Promise<{ state: ReplyState; n: number }[]> {
  if (appKey === undefined)
    return db.all<{ state: ReplyState; n: number }>('SELECT state, COUNT(*) AS n FROM replies GROUP BY state');
  // Replies carry the review key, `store:appId:reviewId`; compared exactly, not with LIKE.
  const prefix = `${appKey}:`;
  return db.all<{ state: ReplyState; n: number }>(
    'SELECT state, COUNT(*) AS n FROM replies WHERE substr(review_key, 1, ?) = ? GROUP BY state',
    [prefix.length, prefix],
  );
}

/** Who holds a named lock, if anyone. */
export function lockHolder(db: StateDb, name: string): Promise<{ pid: number; host: string } | undefined> {
  return db.get<{ pid: number; host: string }>('SELECT pid, host FROM locks WHERE name = ?', [name]);
}
