/**
 * Follow-ups of new cases: reply drafts (a note) and automatic replies (handed to the reply
 * outbox when due). Async methods, portable SQL (the state moves to an async layer).
 */
import type { Db } from './db.js';

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
  constructor(private readonly db: Db) {}

  /** Queues once per review and kind; false when it was queued before. */
  queue(f: NewFollowUp, at: string): Promise<boolean> {
    const info = this.db
      .prepare(
        `INSERT INTO case_followups (review_key, kind, app_key, text, state, due_at, note, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (review_key, kind) DO NOTHING`,
      )
      .run(f.reviewKey, f.kind, f.appKey, f.text, f.note ? 'noted' : 'pending', f.dueAt, f.note ?? null, at, at);
    return Promise.resolve(info.changes === 1);
  }

  get(reviewKey: string, kind: FollowUpKind): Promise<FollowUpRow | undefined> {
    const r = this.db.prepare('SELECT * FROM case_followups WHERE review_key = ? AND kind = ?').get(reviewKey, kind) as
      RawRow | undefined;
    return Promise.resolve(r && toRow(r));
  }

  all(): Promise<FollowUpRow[]> {
    const rows = this.db.prepare('SELECT * FROM case_followups ORDER BY created_at, review_key').all() as RawRow[];
    return Promise.resolve(rows.map(toRow));
  }

  /** Automatic replies whose delay is over. */
  dueAutoReplies(nowIso: string): Promise<FollowUpRow[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM case_followups WHERE kind = 'auto-reply' AND state = 'pending' AND due_at <= ?
         ORDER BY due_at, review_key`,
      )
      .all(nowIso) as RawRow[];
    return Promise.resolve(rows.map(toRow));
  }

  /** Notes owed in cases (drafts, automatic-reply notices). */
  notesOwed(): Promise<FollowUpRow[]> {
    const rows = this.db
      .prepare(`SELECT * FROM case_followups WHERE note IS NOT NULL AND note_done = 0 ORDER BY created_at, review_key`)
      .all() as RawRow[];
    return Promise.resolve(rows.map(toRow));
  }

  /** Automatic replies of an app handed to the outbox since a time (the daily cap). */
  handedSince(appKey: string, sinceIso: string): Promise<number> {
    const n = this.db
      .prepare(`SELECT COUNT(*) FROM case_followups WHERE kind = 'auto-reply' AND app_key = ? AND handed_at >= ?`)
      .pluck()
      .get(appKey, sinceIso) as number;
    return Promise.resolve(n);
  }

  /** Whether an agent's reply to this case or review is in the reply outbox (webhook or poll). */
  agentReplied(caseId: number, reviewKey: string, exceptMessageId: number): Promise<boolean> {
    const hit = this.db
      .prepare('SELECT 1 FROM replies WHERE (case_id = ? OR review_key = ?) AND message_id <> ? LIMIT 1')
      .get(caseId, reviewKey, exceptMessageId);
    return Promise.resolve(hit !== undefined);
  }

  /** An auto-reply's outcome when due: the note it owes (if any) and its case. */
  decide(reviewKey: string, state: FollowUpState, caseId: number, note: string | null, at: string): Promise<void> {
    this.db
      .prepare(
        `UPDATE case_followups SET state = ?, note = ?, case_id = ?, updated_at = ?
         WHERE review_key = ? AND kind = 'auto-reply' AND state = 'pending'`,
      )
      .run(state, note, caseId, at, reviewKey);
    return Promise.resolve();
  }

  /**
   * Hands an auto-reply over: `record` writes the reply outbox and this row is marked in the
   * same transaction, so a kill leaves either both or neither.
   */
  handOver(reviewKey: string, caseId: number, note: string, at: string, record: () => void): Promise<void> {
    this.db.transaction(() => {
      record();
      this.db
        .prepare(
          `UPDATE case_followups SET state = 'handed', note = ?, case_id = ?, handed_at = ?, updated_at = ?
           WHERE review_key = ? AND kind = 'auto-reply' AND state = 'pending'`,
        )
        .run(note, caseId, at, at, reviewKey);
    })();
    return Promise.resolve();
  }

  /** Counts an attempt before the note is sent: a later attempt knows the outcome is unknown. */
  noteAttempt(reviewKey: string, kind: FollowUpKind, caseId: number, at: string): Promise<void> {
    this.db
      .prepare(
        `UPDATE case_followups SET note_attempts = note_attempts + 1, case_id = ?, updated_at = ?
         WHERE review_key = ? AND kind = ?`,
      )
      .run(caseId, at, reviewKey, kind);
    return Promise.resolve();
  }

  noteDone(reviewKey: string, kind: FollowUpKind, at: string): Promise<void> {
    this.db
      .prepare('UPDATE case_followups SET note_done = 1, updated_at = ? WHERE review_key = ? AND kind = ?')
      .run(at, reviewKey, kind);
    return Promise.resolve();
  }
}
