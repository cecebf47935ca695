/**
 * The outbox to Omnidesk. A delivery is written in the same transaction as the review
 * version it delivers, marked `sending` (attempts + 1) before the request and `done` after,
 * so a delivery found `sending` or with attempts > 0 has an unknown outcome and is reconciled
 * (case looked up by user_custom_id, edit message looked up by its marker) before resending.
 */
import { nowIso, type Db } from './db.js';

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
  constructor(private readonly db: Db) {}

  enqueue(reviewKey: string, version: number, kind: DeliveryKind): void {
    const at = nowIso();
    this.db
      .prepare(
        `INSERT OR IGNORE INTO deliveries (review_key, version, kind, state, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)`,
      )
      .run(reviewKey, version, kind, at, at);
  }

  /** Deliveries still to do for an app, in the order they were queued. Failed ones are retried every run. */
  open(appKey: string): DeliveryRow[] {
    return (
      this.db
        .prepare(
          `SELECT d.* FROM deliveries d JOIN reviews r ON r.review_key = d.review_key
           WHERE r.app_key = ? AND d.state IN ('pending', 'sending', 'failed') ORDER BY d.id`,
        )
        .all(appKey) as Raw[]
    ).map(toRow);
  }

  get(id: number): DeliveryRow | undefined {
    const r = this.db.prepare('SELECT * FROM deliveries WHERE id = ?').get(id) as Raw | undefined;
    return r ? toRow(r) : undefined;
  }

  forReview(reviewKey: string): DeliveryRow[] {
    return (this.db.prepare('SELECT * FROM deliveries WHERE review_key = ? ORDER BY id').all(reviewKey) as Raw[]).map(
      toRow,
    );
  }

  markSending(id: number): void {
    this.db
      .prepare(`UPDATE deliveries SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?`)
      .run(nowIso(), id);
  }

  markDone(id: number, caseId: number, messageId?: number): void {
    this.db
      .prepare(
        `UPDATE deliveries SET state = 'done', case_id = ?, message_id = ?, last_error = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(caseId, messageId ?? null, nowIso(), id);
  }

  markFailed(id: number, error: string): void {
    this.db
      .prepare(`UPDATE deliveries SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?`)
      .run(error, nowIso(), id);
  }

  /** Edits already shown by a case created from a later version need no message of their own. */
  supersedeEdits(reviewKey: string, upToVersion: number, caseId: number): void {
    this.db
      .prepare(
        `UPDATE deliveries SET state = 'done', case_id = ?, last_error = NULL, updated_at = ? WHERE review_key = ? AND kind = 'edit' AND version <= ? AND state != 'done'`,
      )
      .run(caseId, nowIso(), reviewKey, upToVersion);
  }

  countsFor(appKey: string): { pending: number; failed: number; done: number } {
    const rows = this.db
      .prepare(
        `SELECT d.state AS state, COUNT(*) AS n FROM deliveries d JOIN reviews r ON r.review_key = d.review_key WHERE r.app_key = ? GROUP BY d.state`,
      )
      .all(appKey) as { state: DeliveryState; n: number }[];
    const get = (s: DeliveryState): number => rows.find((r) => r.state === s)?.n ?? 0;
    return { pending: get('pending') + get('sending'), failed: get('failed'), done: get('done') };
  }
}
