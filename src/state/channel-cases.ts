/**
 * What this state has read of the Omnidesk channel: its cases indexed by review key (the case
 * field or `user_custom_id`), when it last read them, and which apps it has reconciled. The
 * cases are Omnidesk's truth; this is the cache that lets a sync find a case before creating one.
 */
import { nowIso, type Db } from './db.js';
import { Cursors } from './cursors.js';

export interface ChannelCase {
  reviewKey: string;
  caseId: number;
  userId: number | null;
}

export class ChannelCases {
  private readonly cursors: Cursors;

  constructor(
    private readonly db: Db,
    private readonly channel: string,
  ) {
    this.cursors = new Cursors(db);
  }

  /** The oldest case of a review wins: it is the one agents know. */
  remember(cases: readonly { reviewKey: string; caseId: number; userId?: number | null | undefined }[]): void {
    const at = nowIso();
    const put = this.db.prepare(
      `INSERT INTO channel_cases (review_key, case_id, user_id, seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(review_key) DO UPDATE SET case_id = MIN(case_id, excluded.case_id),
         user_id = CASE WHEN excluded.case_id <= case_id THEN excluded.user_id ELSE user_id END, seen_at = excluded.seen_at`,
    );
    this.db.transaction(() => {
      for (const c of cases) put.run(c.reviewKey, c.caseId, c.userId ?? null, at);
    })();
  }

  /** A case that is gone from Omnidesk is no longer an answer to "does this review have a case". */
  forget(caseId: number): void {
    this.db.prepare('DELETE FROM channel_cases WHERE case_id = ?').run(caseId);
  }

  find(reviewKey: string): ChannelCase | undefined {
    const r = this.db
      .prepare('SELECT review_key, case_id, user_id FROM channel_cases WHERE review_key = ?')
      .get(reviewKey) as { review_key: string; case_id: number; user_id: number | null } | undefined;
    return r && { reviewKey: r.review_key, caseId: r.case_id, userId: r.user_id };
  }

  /** When the channel was last read (ISO), covering every case created before then. */
  readAt(): string | undefined {
    return this.cursors.get(`channel-read:${this.channel}`);
  }

  markRead(at: string): void {
    this.cursors.set(`channel-read:${this.channel}`, at);
  }

  reconciled(appKey: string): boolean {
    return this.cursors.get(`channel-reconciled:${this.channel}:${appKey}`) === 'yes';
  }

  markReconciled(appKey: string): void {
    this.cursors.set(`channel-reconciled:${this.channel}:${appKey}`, 'yes');
  }

  /** Forget what was read (state rebuild): the next find reads the channel again in full. */
  reset(): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM channel_cases').run();
      this.db
        .prepare(`DELETE FROM cursors WHERE name = ? OR substr(name, 1, ?) = ?`)
        .run(
          `channel-read:${this.channel}`,
          `channel-reconciled:${this.channel}:`.length,
          `channel-reconciled:${this.channel}:`,
        );
    })();
  }

  /** Whether this state ever made or found a case of this app (an upgraded state has no read time yet). */
  knowsCasesOf(appKey: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM reviews WHERE app_key = ? AND case_id IS NOT NULL LIMIT 1').get(appKey) !==
      undefined
    );
  }

  /** The last time this state created a case (upgraded states: the window start). */
  lastCreateAt(): string | undefined {
    const r = this.db
      .prepare(`SELECT MAX(updated_at) AS at FROM deliveries WHERE kind = 'create' AND state = 'done'`)
      .get() as { at: string | null };
    return r.at ?? undefined;
  }
}
