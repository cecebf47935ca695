/**
 * Follow-ups of new cases: reply drafts (a note) and automatic replies (handed to the reply
 * outbox when due).
 */
import type { StateDb } from './handle.js';

export type FollowUpKind = 'draft' | 'auto-reply';
export type FollowUpState = 'pending' | 'noted' | 'handed' | 'yielded' | 'capped' | 'too-long';

export interface FollowUpRow {
  reviewKey: string;
  kind: FollowUpKind;
  appKey: string;
  text: string;
  state: FollowUpState;
  dueAt: string;
  note: string | null;
  noteAttempts: number;
  noteDone: boolean;
  caseId: number | null;
  handedAt: string | null;
}

interface RawRow {
  review_key: string;
  kind: FollowUpKind;
  app_key: string;
  text: string;
  state: FollowUpState;
  due_at: string;
  note: string | null;
  note_attempts: number;
  note_done: number;
  case_id: number | null;
  handed_at: string | null;
}

function toRow(r: RawRow): FollowUpRow {
  return {
    reviewKey: r.review_key,
    kind: r.kind,
    appKey: r.app_key,
    text: r.text,
    state: r.state,
    dueAt: r.due_at,
    note: r.note,
    noteAttempts: r.note_attempts,
    noteDone: r.note_done === 1,
    caseId: r.case_id,
    handedAt: r.handed_at,
  };
}

export interface NewFollowUp {
  reviewKey: string;
  kind: FollowUpKind;
  appKey: string;
  text: string;
  dueAt: string;
  /** Drafts know their note at once; an auto-reply's note depends on what happens when due. */
  note?: string | undefined;
}

export class FollowUps {
  constructor(private readonly db: StateDb) {}

  /** Queues once per review and kind; false when it was queued before. */
  async queue(f: NewFollowUp, at: string): Promise<boolean> {
    const info = await this.db.run(
      `INSERT INTO case_followups (review_key, kind, app_key, text, state, due_at, note, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (review_key, kind) DO NOTHING`,
      [f.reviewKey, f.kind, f.appKey, f.text, f.note ? 'noted' : 'pending', f.dueAt, f.note ?? null, at, at],
    );
    return info.changes === 1;
  }

  async get(reviewKey: string, kind: FollowUpKind): Promise<FollowUpRow | undefined> {
    const r = await this.db.get<RawRow>('SELECT * FROM case_followups WHERE review_key = ? AND kind = ?', [
      reviewKey,
      kind,
    ]);
    return r && toRow(r);
  }

  async all(): Promise<FollowUpRow[]> {
    const rows = await this.db.all<RawRow>('SELECT * FROM case_followups ORDER BY created_at, review_key');
    return rows.map(toRow);
  }

  /** Automatic replies whose delay is over. */
  async dueAutoReplies(nowIso: string): Promise<FollowUpRow[]> {
    const rows = await this.db.all<RawRow>(
      `SELECT * FROM case_followups WHERE kind = 'auto-reply' AND state = 'pending' AND due_at <= ?
         ORDER BY due_at, review_key`,
      [nowIso],
    );
    return rows.map(toRow);
  }

  /** Notes owed in cases (drafts, automatic-reply notices). */
  async notesOwed(): Promise<FollowUpRow[]> {
    const rows = await this.db.all<RawRow>(
      `SELECT * FROM case_followups WHERE note IS NOT NULL AND note_done = 0 ORDER BY created_at, review_key`,
    );
    return rows.map(toRow);
  }

  /** Automatic replies of an app handed to the outbox since a time (the daily cap). */
  async handedSince(appKey: string, sinceIso: string): Promise<number> {
    const n = await this.db.value<number>(
      `SELECT COUNT(*) FROM case_followups WHERE kind = 'auto-reply' AND app_key = ? AND handed_at >= ?`,
      [appKey, sinceIso],
    );
    return n ?? 0;
  }

  /** Whether an agent's reply to this case or review is in the reply outbox (webhook or poll). */
  async agentReplied(caseId: number, reviewKey: string, exceptMessageId: number): Promise<boolean> {
    const hit = await this.db.get(
      'SELECT 1 FROM replies WHERE (case_id = ? OR review_key = ?) AND message_id <> ? LIMIT 1',
      [caseId, reviewKey, exceptMessageId],
    );
    return hit !== undefined;
  }

  /** An auto-reply's outcome when due: the note it owes (if any) and its case. */
  async decide(
    reviewKey: string,
    state: FollowUpState,
    caseId: number,
    note: string | null,
    at: string,
  ): Promise<void> {
    await this.db.run(
      `UPDATE case_followups SET state = ?, note = ?, case_id = ?, updated_at = ?
         WHERE review_key = ? AND kind = 'auto-reply' AND state = 'pending'`,
      [state, note, caseId, at, reviewKey],
    );
  }

  /**
   * Hands an auto-reply over: `record` writes the reply outbox and this row is marked in the
   * same transaction, so a kill leaves either both or neither.
   */
  handOver(reviewKey: string, caseId: number, note: string, at: string, record: () => Promise<unknown>): Promise<void> {
    return this.db.transaction(async () => {
      await record();
      await this.db.run(
        `UPDATE case_followups SET state = 'handed', note = ?, case_id = ?, handed_at = ?, updated_at = ?
           WHERE review_key = ? AND kind = 'auto-reply' AND state = 'pending'`,
        [note, caseId, at, at, reviewKey],
      );
    });
  }

  /** Counts an attempt before the note is sent: a later attempt knows the outcome is unknown. */
  async noteAttempt(reviewKey: string, kind: FollowUpKind, caseId: number, at: string): Promise<void> {
    await this.db.run(
      `UPDATE case_followups SET note_attempts = note_attempts + 1, case_id = ?, updated_at = ?
         WHERE review_key = ? AND kind = ?`,
      [caseId, at, reviewKey, kind],
    );
  }

  async noteDone(reviewKey: string, kind: FollowUpKind, at: string): Promise<void> {
    await this.db.run('UPDATE case_followups SET note_done = 1, updated_at = ? WHERE review_key = ? AND kind = ?', [
      at,
      reviewKey,
      kind,
    ]);
  }
}
