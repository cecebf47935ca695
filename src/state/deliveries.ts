/**
 * The outbox to Omnidesk. A delivery is written in the same transaction as the review
 * version it delivers, marked `sending` (attempts + 1) before the request and `done` after,
 * so a delivery found `sending` or with attempts > 0 has an unknown outcome and is reconciled
 * (case looked up by user_custom_id, edit message looked up by its marker) before resending.
 */
import type { StateDb } from './handle.js';
import { nowIso } from './now.js';

export type DeliveryKind = 'create' | 'edit';
export type DeliveryState = 'pending' | 'sending' | 'done' | 'failed';

export interface DeliveryRow {
  id: number;
  reviewKey: string;
  version: number;
  kind: DeliveryKind;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  caseId: number | null;
}

interface Raw {
  id: number;
  review_key: string;
  version: number;
  kind: DeliveryKind;
  state: DeliveryState;
  attempts: number;
  last_error: string | null;
  case_id: number | null;
}

const toRow = (r: Raw): DeliveryRow => ({
  id: r.id,
  reviewKey: r.review_key,
  version: r.version,
  kind: r.kind,
  state: r.state,
  attempts: r.attempts,
  lastError: r.last_error,
  caseId: r.case_id,
});

export class DeliveryOutbox {
  constructor(private readonly db: StateDb) {}

  async enqueue(reviewKey: string, version: number, kind: DeliveryKind): Promise<void> {
    const at = nowIso();
    await this.db.run(
      `INSERT INTO deliveries (review_key, version, kind, state, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)
       ON CONFLICT DO NOTHING`,
      [reviewKey, version, kind, at, at],
    );
  }

  /** Deliveries still to do for an app, in the order they were queued. Failed ones are retried every run. */
  async open(appKey: string): Promise<DeliveryRow[]> {
    const rows = await this.db.all<Raw>(
      `SELECT d.* FROM deliveries d JOIN reviews r ON r.review_key = d.review_key
       WHERE r.app_key = ? AND d.state IN ('pending', 'sending', 'failed') ORDER BY d.id`,
      [appKey],
    );
    return rows.map(toRow);
  }

  async get(id: number): Promise<DeliveryRow | undefined> {
    const r = await this.db.get<Raw>('SELECT * FROM deliveries WHERE id = ?', [id]);
    return r ? toRow(r) : undefined;
  }

  async forReview(reviewKey: string): Promise<DeliveryRow[]> {
    return (await this.db.all<Raw>('SELECT * FROM deliveries WHERE review_key = ? ORDER BY id', [reviewKey])).map(
      toRow,
    );
  }

  async markSending(id: number): Promise<void> {
    await this.db.run(`UPDATE deliveries SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?`, [
      nowIso(),
      id,
    ]);
  }

  /**
   * Claims several deliveries at once, in one synced commit: each is `sending` (attempts + 1)
   * before any of their requests goes out, so a kill or a power loss after a request leaves it
   * marked as of unknown outcome (reconciled before sending again), never as not sent.
   */
  async claimAll(rows: readonly DeliveryRow[]): Promise<void> {
    if (rows.length === 0) return;
    const at = nowIso();
    await this.db.transaction(async () => {
      for (const row of rows)
        await this.db.run(
          `UPDATE deliveries SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?`,
          [at, row.id],
        );
    });
  }

  /**
   * Gives back claims whose requests were never sent (the run stopped first): state and attempts
   * as before the claim, so the next run does not reconcile what surely was not sent. Lazy: if a
   * power loss undoes it, the claims stand, which only costs a lookup each.
   */
  async releaseUnsent(rows: readonly DeliveryRow[]): Promise<void> {
    if (rows.length === 0) return;
    const at = nowIso();
    await this.db.transaction(
      async () => {
        for (const row of rows)
          await this.db.run(
            `UPDATE deliveries SET state = ?, attempts = ?, updated_at = ? WHERE id = ? AND state = 'sending'`,
            [row.state, row.attempts, at, row.id],
          );
      },
      { durability: 'lazy' },
    );
  }

  async markDone(id: number, caseId: number, messageId?: number): Promise<void> {
    await this.db.run(
      `UPDATE deliveries SET state = 'done', case_id = ?, message_id = ?, last_error = NULL, updated_at = ? WHERE id = ?`,
      [caseId, messageId ?? null, nowIso(), id],
    );
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.db.run(`UPDATE deliveries SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?`, [
      error,
      nowIso(),
      id,
    ]);
  }

  /** Edits already shown by a case created from a later version need no message of their own. */
  async supersedeEdits(reviewKey: string, upToVersion: number, caseId: number): Promise<void> {
    await this.db.run(
      `UPDATE deliveries SET state = 'done', case_id = ?, last_error = NULL, updated_at = ? WHERE review_key = ? AND kind = 'edit' AND version <= ? AND state != 'done'`,
      [caseId, nowIso(), reviewKey, upToVersion],
    );
  }

  async countsFor(appKey: string): Promise<{ pending: number; failed: number; done: number }> {
    const rows = await this.db.all<{ state: DeliveryState; n: number }>(
      `SELECT d.state AS state, COUNT(*) AS n FROM deliveries d JOIN reviews r ON r.review_key = d.review_key WHERE r.app_key = ? GROUP BY d.state`,
      [appKey],
    );
    const get = (s: DeliveryState): number => rows.find((r) => r.state === s)?.n ?? 0;
    return { pending: get('pending') + get('sending'), failed: get('failed'), done: get('done') };
  }
}
