/** Read-only counts for `status`: what the state database knows per app, without any service. */
import type { Db } from './db.js';
import type { ReplyState } from './replies.js';

export interface AppCounts {
  reviewsSeen: number;
  casesCreated: number;
  editsDelivered: number;
}

export function appCounts(db: Db, appKey: string): AppCounts {
  const count = (sql: string): number => db.prepare(sql).pluck().get(appKey) as number;
  return {
    reviewsSeen: count('SELECT COUNT(*) FROM reviews WHERE app_key = ? AND alias_of IS NULL'),
    casesCreated: count('SELECT COUNT(*) FROM reviews WHERE app_key = ? AND alias_of IS NULL AND case_id IS NOT NULL'),
    // Edits folded into a case created later were never sent on their own: not counted.
    editsDelivered: count(
      `SELECT COUNT(*) FROM deliveries d JOIN reviews r ON r.review_key = d.review_key
       WHERE r.app_key = ? AND d.kind = 'edit' AND d.state = 'done' AND (d.message_id IS NOT NULL OR d.attempts > 0)`,
    ),
  };
}

/** Replies by state; with `appKey`, only those of that app's reviews. */
export function replyCounts(db: Db, appKey?: string): { state: ReplyState; n: number }[] {
  if (appKey === undefined)
    return db.prepare('SELECT state, COUNT(*) AS n FROM replies GROUP BY state').all() as {
      state: ReplyState;
      n: number;
    }[];
  // Replies carry the review key, `store:appId:reviewId`; compared exactly, not with LIKE.
  const prefix = `${appKey}:`;
  return db
    .prepare('SELECT state, COUNT(*) AS n FROM replies WHERE substr(review_key, 1, ?) = ? GROUP BY state')
    .all(prefix.length, prefix) as { state: ReplyState; n: number }[];
}

/** Who holds a named lock, if anyone. */
export function lockHolder(db: Db, name: string): { pid: number; host: string } | undefined {
  return db.prepare('SELECT pid, host FROM locks WHERE name = ?').get(name) as
    { pid: number; host: string } | undefined;
}
