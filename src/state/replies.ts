/**
 * The reply outbox: one row per Omnidesk message that should become a store answer, keyed by
 * Omnidesk's message id so a webhook delivered twice (or seen by webhook and poll) publishes once.
 * A row is claimed (`sending`) before the store request, with its holder (pid, host, start
 * time): a claim whose process is gone is taken over at once, one of another host after
 * `staleMs`; the store call is idempotent (overwrite / find existing answer). Outcome notes
 * are claimed the same way, so a note claimed by a killed process is posted by the next one.
 */
import { nowIso, type Db } from './db.js';
import { holderAlive, selfHolder } from './liveness.js';

export const replyStates = ['pending', 'sending', 'awaiting', 'published', 'rejected', 'refused', 'failed'] as const;
export type ReplyState = (typeof replyStates)[number];

export interface ReplyRow {
  messageId: number;
  caseId: number;
  reviewKey: string | null;
  staffId: number | null;
  text: string;
  hasAttachments: boolean;
  state: ReplyState;
  storeState: string | null;
  answerId: string | null;
  attempts: number;
  lastError: string | null;
  noteState: string | null;
  receivedAt: string;
  updatedAt: string;
  nextAttemptAt: string | null;
  /** The process publishing it, while `sending`. */
  claimHolder: string | null;
  /** The process posting its outcome note, until the note is in the case. */
  noteHolder: string | null;
}

interface RawRow {
  message_id: number;
  case_id: number;
  review_key: string | null;
  staff_id: number | null;
  text: string;
  has_attachments: number;
  state: ReplyState;
  store_state: string | null;
  answer_id: string | null;
  attempts: number;
  last_error: string | null;
  note_state: string | null;
  received_at: string;
  updated_at: string;
  next_attempt_at: string | null;
  claim_holder: string | null;
  note_holder: string | null;
}

function toRow(r: RawRow): ReplyRow {
  return {
    messageId: r.message_id,
    caseId: r.case_id,
    reviewKey: r.review_key,
    staffId: r.staff_id,
    text: r.text,
    hasAttachments: r.has_attachments === 1,
    state: r.state,
    storeState: r.store_state,
    answerId: r.answer_id,
    attempts: r.attempts,
    lastError: r.last_error,
    noteState: r.note_state,
    receivedAt: r.received_at,
    updatedAt: r.updated_at,
    nextAttemptAt: r.next_attempt_at,
    claimHolder: r.claim_holder,
    noteHolder: r.note_holder,
  };
}

/** The outcome a note is written for: one note per distinct key. */
export function noteKey(row: Pick<ReplyRow, 'state' | 'storeState'>): string {
  return `${row.state}:${row.storeState ?? ''}`;
}

export interface NewReply {
  messageId: number;
  caseId: number;
  reviewKey?: string | null | undefined;
  staffId?: number | null | undefined;
  text: string;
  hasAttachments?: boolean | undefined;
}

export class ReplyOutbox {
  constructor(private readonly db: Db) {}

  /** Records a reply once; false when this message id was recorded before. */
  record(reply: NewReply): boolean {
    const at = nowIso();
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO replies (message_id, case_id, review_key, staff_id, text, has_attachments, state, received_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(
        reply.messageId,
        reply.caseId,
        reply.reviewKey ?? null,
        reply.staffId ?? null,
        reply.text,
        reply.hasAttachments ? 1 : 0,
        at,
        at,
      );
    return info.changes === 1;
  }

  get(messageId: number): ReplyRow | undefined {
    const r = this.db.prepare('SELECT * FROM replies WHERE message_id = ?').get(messageId) as RawRow | undefined;
    return r ? toRow(r) : undefined;
  }

  all(): ReplyRow[] {
    return (this.db.prepare('SELECT * FROM replies ORDER BY received_at, message_id').all() as RawRow[]).map(toRow);
  }

  /** Rows to publish now: pending, failed-but-retryable whose time has come, claims of dead processes, stale claims. */
  due(now = Date.now(), staleMs = 5 * 60_000): ReplyRow[] {
    const nowS = new Date(now).toISOString();
    const staleS = new Date(now - staleMs).toISOString();
    return (
      this.db
        .prepare(
          `SELECT * FROM replies
           WHERE (state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)) OR state = 'sending'
           ORDER BY received_at, message_id`,
        )
        .all(nowS) as RawRow[]
    )
      .map(toRow)
      .filter(
        (r) =>
          r.state === 'pending' || r.updatedAt <= staleS || (r.claimHolder !== null && !holderAlive(r.claimHolder)),
      );
  }

  /** Claims held right now: by a live process (in flight), or by none that runs (stuck until taken over). */
  inFlight(now = Date.now(), staleMs = 5 * 60_000): { inFlight: number; stuck: number } {
    const staleS = new Date(now - staleMs).toISOString();
    const rows = this.db.prepare(`SELECT updated_at, claim_holder FROM replies WHERE state = 'sending'`).all() as {
      updated_at: string;
      claim_holder: string | null;
    }[];
    const stuck = rows.filter(
      (r) => r.updated_at <= staleS || (r.claim_holder !== null && !holderAlive(r.claim_holder)),
    ).length;
    return { inFlight: rows.length, stuck };
  }

  /** Answers published but not final yet (pending publication or on moderation). */
  awaiting(): ReplyRow[] {
    return (
      this.db.prepare(`SELECT * FROM replies WHERE state = 'awaiting' ORDER BY received_at`).all() as RawRow[]
    ).map(toRow);
  }

  /**
   * Atomically takes a row for publishing; false when a live process holds the claim (a fresh
   * one, if on another host) or the row is no longer due.
   */
  claim(messageId: number, now = Date.now(), staleMs = 5 * 60_000): boolean {
    const nowS = new Date(now).toISOString();
    const staleS = new Date(now - staleMs).toISOString();
    return this.db
      .transaction(() => {
        const held = this.db
          .prepare(`SELECT claim_holder FROM replies WHERE message_id = ? AND state = 'sending'`)
          .get(messageId) as { claim_holder: string | null } | undefined;
        const deadHolder =
          held && held.claim_holder !== null && !holderAlive(held.claim_holder) ? held.claim_holder : null;
        const info = this.db
          .prepare(
            `UPDATE replies SET state = 'sending', attempts = attempts + 1, updated_at = ?, claim_holder = ?
           WHERE message_id = ? AND ((state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?))
             OR (state = 'sending' AND (updated_at <= ? OR claim_holder = ?)))`,
          )
          .run(nowS, selfHolder(), messageId, nowS, staleS, deadHolder);
        return info.changes === 1;
      })
      .immediate();
  }

  setReviewKey(messageId: number, reviewKey: string): void {
    this.db
      .prepare('UPDATE replies SET review_key = ?, updated_at = ? WHERE message_id = ?')
      .run(reviewKey, nowIso(), messageId);
  }

  /** Sent to the store; `final` when the store's state needs no read-back. */
  markSent(messageId: number, storeState: string, answerId: string | undefined, final: boolean): void {
    this.db
      .prepare(
        'UPDATE replies SET state = ?, store_state = ?, answer_id = COALESCE(?, answer_id), last_error = NULL, updated_at = ? WHERE message_id = ?',
      )
      .run(
        final ? (storeState === 'REJECTED' ? 'rejected' : 'published') : 'awaiting',
        storeState,
        answerId ?? null,
        nowIso(),
        messageId,
      );
  }

  /** Store state read back later (PUBLISHED, REJECTED, still pending); `reason` is the store's, when it gives one. */
  markStoreState(messageId: number, storeState: string, reason?: string): void {
    const state: ReplyState =
      storeState === 'PUBLISHED'
        ? 'published'
        : storeState === 'REJECTED' || storeState === 'DELETED'
          ? 'rejected'
          : 'awaiting';
    this.db
      .prepare(
        'UPDATE replies SET state = ?, store_state = ?, last_error = COALESCE(?, last_error), updated_at = ? WHERE message_id = ?',
      )
      .run(state, storeState, reason ?? null, nowIso(), messageId);
  }

  /** Never to be sent (too long, no credentials, unknown review): the case gets a note. */
  markRefused(messageId: number, reason: string): void {
    this.db
      .prepare(`UPDATE replies SET state = 'refused', last_error = ?, updated_at = ? WHERE message_id = ?`)
      .run(reason, nowIso(), messageId);
  }

  /** A failure: retried at `retryAt`, or final when retryAt is undefined. */
  markFailed(messageId: number, reason: string, retryAt: Date | undefined): void {
    this.db
      .prepare('UPDATE replies SET state = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE message_id = ?')
      .run(retryAt ? 'pending' : 'failed', reason, retryAt ? retryAt.toISOString() : null, nowIso(), messageId);
  }

  /** Which outcome was noted in the case, so each outcome is noted once. */
  markNoted(messageId: number, noteState: string): void {
    this.db.prepare('UPDATE replies SET note_state = ? WHERE message_id = ?').run(noteState, messageId);
  }

  /**
   * Rows whose current outcome has not been noted in the case yet (a note that failed to post
   * is retried). The outcome key is `state:store_state`, as `noteKey` makes it.
   */
  unnoted(limit = 100): ReplyRow[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM replies
           WHERE state IN ('awaiting', 'published', 'rejected', 'refused', 'failed')
             AND (note_state IS NULL OR note_state <> state || ':' || COALESCE(store_state, ''))
           ORDER BY updated_at LIMIT ?`,
        )
        .all(limit) as RawRow[]
    ).map(toRow);
  }

  /** Takes the right to write the note for `key`; false when it was noted (or is being noted) already. */
  claimNote(messageId: number, key: string): boolean {
    const info = this.db
      .prepare(
        'UPDATE replies SET note_state = ?, note_holder = ? WHERE message_id = ? AND (note_state IS NULL OR note_state <> ?)',
      )
      .run(key, selfHolder(), messageId, key);
    return info.changes === 1;
  }

  /** The note is in the case: nobody needs to post it any more. */
  noteDone(messageId: number, key: string): void {
    this.db
      .prepare('UPDATE replies SET note_holder = NULL WHERE message_id = ? AND note_state = ?')
      .run(messageId, key);
  }

  /** Gives a note claim back after the note could not be posted, so a later pass retries it. */
  releaseNote(messageId: number, key: string, previous: string | null): void {
    this.db
      .prepare('UPDATE replies SET note_state = ?, note_holder = NULL WHERE message_id = ? AND note_state = ?')
      .run(previous, messageId, key);
  }

  /** Notes claimed by a process that died before it posted them (it may have posted them: check the case first). */
  orphanedNotes(): ReplyRow[] {
    return (
      this.db.prepare('SELECT * FROM replies WHERE note_holder IS NOT NULL ORDER BY updated_at').all() as RawRow[]
    )
      .map(toRow)
      .filter((r) => !holderAlive(r.noteHolder));
  }

  /** Takes over the note claim of a dead process; false when another process took it first. */
  takeOverNote(messageId: number, deadHolder: string): boolean {
    return (
      this.db
        .prepare('UPDATE replies SET note_holder = ? WHERE message_id = ? AND note_holder = ?')
        .run(selfHolder(), messageId, deadHolder).changes === 1
    );
  }

  /** An answer to this review that the state knows was sent (or is being sent), other than this message. */
  hasOtherAnswer(reviewKey: string, messageId: number): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM replies WHERE review_key = ? AND message_id != ? AND state IN ('sending', 'awaiting', 'published') LIMIT 1`,
        )
        .get(reviewKey, messageId) !== undefined
    );
  }

  /** A later message to the same review that was sent (or is being sent) already. */
  newerSent(reviewKey: string, messageId: number): boolean {
    const r = this.db
      .prepare(
        `SELECT 1 FROM replies WHERE review_key = ? AND message_id > ? AND state IN ('sending', 'awaiting', 'published') LIMIT 1`,
      )
      .get(reviewKey, messageId);
    return r !== undefined;
  }

  /** Other replies to this review that were sent or are being sent (their order: engine/reply-order.ts). */
  sentForReview(reviewKey: string, exceptMessageId: number): ReplyRow[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM replies WHERE review_key = ? AND message_id <> ? AND state IN ('sending', 'awaiting', 'published')`,
        )
        .all(reviewKey, exceptMessageId) as RawRow[]
    ).map(toRow);
  }

  /** The store's id of the latest answer to this review (some stores edit an answer by its id). */
  latestAnswerId(reviewKey: string): string | undefined {
    const r = this.db
      .prepare(
        `SELECT answer_id FROM replies WHERE review_key = ? AND answer_id IS NOT NULL ORDER BY updated_at DESC LIMIT 1`,
      )
      .get(reviewKey) as { answer_id: string } | undefined;
    return r?.answer_id;
  }

  counts(): Record<ReplyState, number> {
    const out = Object.fromEntries(replyStates.map((s) => [s, 0])) as Record<ReplyState, number>;
    for (const r of this.db.prepare('SELECT state, COUNT(*) AS n FROM replies GROUP BY state').all() as {
      state: ReplyState;
      n: number;
    }[])
      out[r.state] = r.n;
    return out;
  }
}
