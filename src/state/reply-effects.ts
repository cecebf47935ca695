/**
 * The effect of each reply (issue #18): every answer's outcome with the review's rating when
 * the store took it (`answer_log`), and every later edit of the review, with the note a rating
 * change owes in the case (`answer_edits`). Called inside a transaction, each joins it.
 */
import type { StateDb } from './handle.js';

export const answerOutcomes = ['awaiting', 'published', 'rejected', 'too-long', 'refused', 'failed'] as const;
export type AnswerOutcome = (typeof answerOutcomes)[number];

export interface AnswerRecord {
  messageId: number;
  reviewKey: string;
  appKey: string;
  caseId: number;
  staffId: number | null;
  outcome: AnswerOutcome;
  /** The review's latest version when the store took the answer (kept from the first time). */
  before?: { rating: number; version: number } | undefined;
  at: string;
}

/** A version of a review seen after a published answer, not recorded as an edit yet. */
export interface LaterVersion {
  reviewKey: string;
  version: number;
  rating: number;
  seenAt: string;
  /** The previous version's rating. */
  previousRating: number;
  /** The published answers whose version is older than this one. */
  answers: { messageId: number; ratingBefore: number; publishedAt: string }[];
}

export interface AnswerEdit {
  reviewKey: string;
  version: number;
  messageId: number;
  ratingBefore: number;
  ratingFrom: number;
  ratingTo: number;
  seenAt: string;
  note: string | null;
  label: string | null;
  noteAttempts: number;
  noteDone: boolean;
  caseId: number | null;
}

interface RawEdit {
  review_key: string;
  version: number;
  message_id: number;
  rating_before: number;
  rating_from: number;
  rating_to: number;
  seen_at: string;
  note: string | null;
  label: string | null;
  note_attempts: number;
  note_done: number;
  case_id: number | null;
}

function toEdit(r: RawEdit): AnswerEdit {
  return {
    reviewKey: r.review_key,
    version: r.version,
    messageId: r.message_id,
    ratingBefore: r.rating_before,
    ratingFrom: r.rating_from,
    ratingTo: r.rating_to,
    seenAt: r.seen_at,
    note: r.note,
    label: r.label,
    noteAttempts: r.note_attempts,
    noteDone: r.note_done === 1,
    caseId: r.case_id,
  };
}

export class ReplyEffects {
  constructor(private readonly db: StateDb) {}

  /**
   * Records an answer's latest outcome. The rating before it, the time the store took it and
   * the time it was first published are kept from the first time they are known.
   */
  async record(a: AnswerRecord): Promise<void> {
    const taken = a.outcome === 'awaiting' || a.outcome === 'published' || a.outcome === 'rejected';
    await this.db.run(
      `INSERT INTO answer_log (message_id, review_key, app_key, case_id, staff_id, outcome, rating_before,
           version_before, sent_at, published_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET
           outcome = excluded.outcome, review_key = excluded.review_key, case_id = excluded.case_id,
           rating_before = COALESCE(answer_log.rating_before, excluded.rating_before),
           version_before = COALESCE(answer_log.version_before, excluded.version_before),
           sent_at = COALESCE(answer_log.sent_at, excluded.sent_at),
           published_at = COALESCE(answer_log.published_at, excluded.published_at),
           updated_at = excluded.updated_at`,
      [
        a.messageId,
        a.reviewKey,
        a.appKey,
        a.caseId,
        a.staffId,
        a.outcome,
        taken ? (a.before?.rating ?? null) : null,
        taken ? (a.before?.version ?? null) : null,
        taken ? a.at : null,
        a.outcome === 'published' ? a.at : null,
        a.at,
      ],
    );
  }

  /**
   * Versions of answered reviews newer than a published answer and not recorded as edits yet.
   * A review the store re-created under a new id (an alias) is followed one step.
   */
  async laterVersions(): Promise<LaterVersion[]> {
    const rows = await this.db.all<{
      review_key: string;
      version: number;
      rating: number;
      seen_at: string;
      previous_rating: number | null;
      message_id: number;
      rating_before: number;
      published_at: string;
    }>(`SELECT v.review_key, v.version, v.rating, v.seen_at,
           (SELECT p.rating FROM review_versions p WHERE p.review_key = v.review_key AND p.version < v.version
            ORDER BY p.version DESC LIMIT 1) AS previous_rating,
           a.message_id, a.rating_before, a.published_at
         FROM answer_log a
         JOIN reviews r ON r.review_key = a.review_key
         JOIN review_versions v ON v.review_key = COALESCE(r.alias_of, r.review_key) AND v.version > a.version_before
         WHERE a.published_at IS NOT NULL AND a.rating_before IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM answer_edits e WHERE e.review_key = v.review_key AND e.version = v.version)
         ORDER BY v.review_key, v.version, a.published_at, a.message_id`);
    const out: LaterVersion[] = [];
    for (const r of rows) {
      let last = out.at(-1);
      if (!last || last.reviewKey !== r.review_key || last.version !== r.version) {
        last = {
          reviewKey: r.review_key,
          version: r.version,
          rating: r.rating,
          seenAt: r.seen_at,
          previousRating: r.previous_rating ?? r.rating_before,
          answers: [],
        };
        out.push(last);
      }
      last.answers.push({ messageId: r.message_id, ratingBefore: r.rating_before, publishedAt: r.published_at });
    }
    return out;
  }

  /** Records an edit after an answer once; false when it was recorded before. */
  async recordEdit(e: Omit<AnswerEdit, 'noteAttempts' | 'noteDone'>, at: string): Promise<boolean> {
    const info = await this.db.run(
      `INSERT INTO answer_edits (review_key, version, message_id, rating_before, rating_from, rating_to, seen_at,
           note, label, note_done, case_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (review_key, version) DO NOTHING`,
      [
        e.reviewKey,
        e.version,
        e.messageId,
        e.ratingBefore,
        e.ratingFrom,
        e.ratingTo,
        e.seenAt,
        e.note,
        e.label,
        e.note === null ? 1 : 0,
        e.caseId,
        at,
        at,
      ],
    );
    return info.changes === 1;
  }

  async edits(): Promise<AnswerEdit[]> {
    const rows = await this.db.all<RawEdit>('SELECT * FROM answer_edits ORDER BY review_key, version');
    return rows.map(toEdit);
  }

  /** Rating-change notes not in their case yet, oldest first. */
  async notesOwed(): Promise<AnswerEdit[]> {
    const rows = await this.db.all<RawEdit>(
      'SELECT * FROM answer_edits WHERE note_done = 0 ORDER BY created_at, review_key, version',
    );
    return rows.map(toEdit);
  }

  /** Counts an attempt before the note is sent: a later attempt knows the outcome is unknown. */
  async noteAttempt(reviewKey: string, version: number, caseId: number, at: string): Promise<void> {
    await this.db.run(
      `UPDATE answer_edits SET note_attempts = note_attempts + 1, case_id = ?, updated_at = ?
         WHERE review_key = ? AND version = ?`,
      [caseId, at, reviewKey, version],
    );
  }

  async noteDone(reviewKey: string, version: number, at: string): Promise<void> {
    await this.db.run('UPDATE answer_edits SET note_done = 1, updated_at = ? WHERE review_key = ? AND version = ?', [
      at,
      reviewKey,
      version,
    ]);
  }
}
