/**
 * What this state has read of the Omnidesk channel: its cases indexed by review key (the case
 * field or `user_custom_id`), when it last read them, and which apps it has reconciled. The
 * cases are Omnidesk's truth; this is the cache that lets a sync find a case before creating one.
 */
import { Cursors } from './cursors.js';
import type { StateDb } from './handle.js';
import { nowIso } from './now.js';

export interface ChannelCase {
  reviewKey: string;
  caseId: number;
  userId: number | null;
}

export class ChannelCases {
  private readonly cursors: Cursors;

  constructor(
    private readonly db: StateDb,
    private readonly channel: string,
  ) {
    this.cursors = new Cursors(db);
  }

  /** The oldest case of a review wins: it is the one agents know. */
  remember(cases: readonly { reviewKey: string; caseId: number; userId?: number | null | undefined }[]): Promise<void> {
    const at = nowIso();
    return this.db.transaction(async () => {
      for (const c of cases)
        await this.db.run(
          `INSERT INTO channel_cases (review_key, case_id, user_id, seen_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(review_key) DO UPDATE SET
             case_id = CASE WHEN excluded.case_id < channel_cases.case_id THEN excluded.case_id ELSE channel_cases.case_id END,
             user_id = CASE WHEN excluded.case_id <= channel_cases.case_id THEN excluded.user_id ELSE channel_cases.user_id END,
             seen_at = excluded.seen_at`,
          [c.reviewKey, c.caseId, c.userId ?? null, at],
        );
    });
  }

  /** A case that is gone from Omnidesk is no longer an answer to "does this review have a case". */
  async forget(caseId: number): Promise<void> {
    await this.db.run('DELETE FROM channel_cases WHERE case_id = ?', [caseId]);
  }

  async find(reviewKey: string): Promise<ChannelCase | undefined> {
    const r = await this.db.get<{ review_key: string; case_id: number; user_id: number | null }>(
      'SELECT review_key, case_id, user_id FROM channel_cases WHERE review_key = ?',
      [reviewKey],
    );
    return r && { reviewKey: r.review_key, caseId: r.case_id, userId: r.user_id };
  }

  /** When the channel was last read (ISO), covering every case created before then. */
  readAt(): Promise<string | undefined> {
    return this.cursors.get(`channel-read:${this.channel}`);
  }

  // Lazy, like the index itself: lost to a power loss, the channel is read again.
  markRead(at: string): Promise<void> {
    return this.db.transaction(() => this.cursors.set(`channel-read:${this.channel}`, at), { durability: 'lazy' });
  }

  async reconciled(appKey: string): Promise<boolean> {
    return (await this.cursors.get(`channel-reconciled:${this.channel}:${appKey}`)) === 'yes';
  }

  markReconciled(appKey: string): Promise<void> {
    return this.db.transaction(() => this.cursors.set(`channel-reconciled:${this.channel}:${appKey}`, 'yes'), {
      durability: 'lazy',
    });
  }

  /** Forget what was read (state rebuild): the next find reads the channel again in full. */
  reset(): Promise<void> {
    return this.db.transaction(async () => {
      await this.db.run('DELETE FROM channel_cases');
      const prefix = `channel-reconciled:${this.channel}:`;
      await this.db.run(`DELETE FROM cursors WHERE name = ? OR substr(name, 1, ?) = ?`, [
        `channel-read:${this.channel}`,
        prefix.length,
        prefix,
      ]);
    });
  }

  /** Whether this state ever made or found a case of this app (an upgraded state has no read time yet). */
  async knowsCasesOf(appKey: string): Promise<boolean> {
    return (
      (await this.db.value('SELECT 1 FROM reviews WHERE app_key = ? AND case_id IS NOT NULL LIMIT 1', [appKey])) !==
      undefined
    );
  }

  /** The last time this state created a case (upgraded states: the window start). */
  async lastCreateAt(): Promise<string | undefined> {
    const at = await this.db.value<string | null>(
      `SELECT MAX(updated_at) FROM deliveries WHERE kind = 'create' AND state = 'done'`,
    );
    return at ?? undefined;
  }

  /** How many cases of the channel are indexed (state rebuild). */
  async count(): Promise<number> {
    return (await this.db.value<number>('SELECT COUNT(*) FROM channel_cases')) ?? 0;
  }
}
