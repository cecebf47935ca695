/**
 * The reply outbox: one row per Omnidesk message that should become a store answer, keyed by
 * Omnidesk's message id so a webhook delivered twice (or seen by webhook and poll) publishes once.
 * A row is claimed (`sending`) before the store request, with its holder (pid, host, start
 * time): a claim whose process is gone is taken over at once, one of another host after
 * `staleMs`; the store call is idempotent (overwrite / find existing answer). Outcome notes
 * are claimed the same way, so a note claimed by a killed process is posted by the next one.
 */
import type { StateDb } from './handle.js';
import { nowIso } from './now.js';
import { selfHolder } from './liveness.js';

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
  constructor(private readonly db: StateDb) {}

  /** Records a reply once; false when this message id was recorded before. */
  async record(reply: NewReply): Promise<boolean> {
    const at = nowIso();
    const info = await this.db.run(
      `INSERT INTO replies (message_id, case_id, review_key, staff_id, text, has_attachments, state, received_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (message_id) DO NOTHING`,
      [
        reply.messageId,
        reply.caseId,
        reply.reviewKey ?? null,
        reply.staffId ?? null,
        reply.text,
        reply.hasAttachments ? 1 : 0,
        at,
        at,
      ],
    );
    return info.changes === 1;
  }

  async get(messageId: number): Promise<ReplyRow | undefined> {
    const r = await this.db.get<RawRow>('SELECT * FROM replies WHERE message_id = ?', [messageId]);
    return r ? toRow(r) : undefined;
  }

  /** A claim without a holder (written before holders were recorded) is alive until stale. */
  private async claimHolderAlive(holder: string | null): Promise<boolean> {
    return holder === null || (await this.db.isHolderAlive(holder));
  }

  async all(): Promise<ReplyRow[]> {
    return (await this.db.all<RawRow>('SELECT * FROM replies ORDER BY received_at, message_id')).map(toRow);
  }

  /** Rows to publish now: pending, failed-but-retryable whose time has come, claims of dead processes, stale claims. */
  async due(now = Date.now(), staleMs = 5 * 60_000): Promise<ReplyRow[]> {
    const nowS = new Date(now).toISOString();
    const staleS = new Date(now - staleMs).toISOString();
    const rows = await this.db.all<RawRow>(
      `SELECT * FROM replies
       WHERE (state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)) OR state = 'sending'
       ORDER BY received_at, message_id`,
      [nowS],
    );
    const due: ReplyRow[] = [];
    for (const r of rows.map(toRow))
      if (r.state === 'pending' || r.updatedAt <= staleS || !(await this.claimHolderAlive(r.claimHolder))) due.push(r);
    return due;
  }

  /** Claims held right now: by a live process (in flight), or by none that runs (stuck until taken over). */
  async inFlight(now = Date.now(), staleMs = 5 * 60_000): Promise<{ inFlight: number; stuck: number }> {
    const staleS = new Date(now - staleMs).toISOString();
    const rows = await this.db.all<{ updated_at: string; claim_holder: string | null }>(
      `SELECT updated_at, claim_holder FROM replies WHERE state = 'sending'`,
    );
    let stuck = 0;
    for (const r of rows) if (r.updated_at <= staleS || !(await this.claimHolderAlive(r.claim_holder))) stuck++;
    return { inFlight: rows.length, stuck };
  }

  /** Answers published but not final yet (pending publication or on moderation). */
  async awaiting(): Promise<ReplyRow[]> {
    return (await this.db.all<RawRow>(`SELECT * FROM replies WHERE state = 'awaiting' ORDER BY received_at`)).map(
      toRow,
    );
  }

  /**
   * Atomically takes a row for publishing; false when a live process holds the claim (a fresh
   * one, if on another host) or the row is no longer due.
   */
  claim(messageId: number, now = Date.now(), staleMs = 5 * 60_000): Promise<boolean> {
    const nowS = new Date(now).toISOString();
    const staleS = new Date(now - staleMs).toISOString();
    // The holder read and the update in one transaction, the write lock taken first.
    return this.db.transaction(async () => {
      const held = await this.db.get<{ claim_holder: string | null }>(
        `SELECT claim_holder FROM replies WHERE message_id = ? AND state = 'sending'`,
        [messageId],
      );
      const deadHolder =
        held && held.claim_holder !== null && !(await this.db.isHolderAlive(held.claim_holder))
          ? held.claim_holder
          : null;
      const info = await this.db.run(
        `UPDATE replies SET state = 'sending', attempts = attempts + 1, updated_at = ?, claim_holder = ?
         WHERE message_id = ? AND ((state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?))
           OR (state = 'sending' AND (updated_at <= ? OR claim_holder = ?)))`,
        [nowS, selfHolder(), messageId, nowS, staleS, deadHolder],
      );
      return info.changes === 1;
    });
  }

  async setReviewKey(messageId: number, reviewKey: string): Promise<void> {
    await this.db.run('UPDATE replies SET review_key = ?, updated_at = ? WHERE message_id = ?', [
      reviewKey,
      nowIso(),
      messageId,
    ]);
  }

  /** Sent to the store; `final` when the store's state needs no read-back. */
  async markSent(messageId: number, storeState: string, answerId: string | undefined, final: boolean): Promise<void> {
    await this.db.run(
      'UPDATE replies SET state = ?, store_state = ?, answer_id = COALESCE(?, answer_id), last_error = NULL, updated_at = ? WHERE message_id = ?',
      [
        final ? (storeState === 'REJECTED' ? 'rejected' : 'published') : 'awaiting',
        storeState,
        answerId ?? null,
        nowIso(),
        messageId,
      ],
    );
  }

  /** Store state read back later (PUBLISHED, REJECTED, still pending); `reason` is the store's, when it gives one. */
  async markStoreState(messageId: number, storeState: string, reason?: string): Promise<void> {
    const state: ReplyState =
      storeState === 'PUBLISHED'
        ? 'published'
        : storeState === 'REJECTED' || storeState === 'DELETED'
          ? 'rejected'
          : 'awaiting';
    await this.db.run(
      'UPDATE replies SET state = ?, store_state = ?, last_error = COALESCE(?, last_error), updated_at = ? WHERE message_id = ?',
      [state, storeState, reason ?? null, nowIso(), messageId],
    );
  }

  /** Never to be sent (too long, no credentials, unknown review): the case gets a note. */
  async markRefused(messageId: number, reason: string): Promise<void> {
    await this.db.run(`UPDATE replies SET state = 'refused', last_error = ?, updated_at = ? WHERE message_id = ?`, [
      reason,
      nowIso(),
      messageId,
    ]);
  }

  /** A failure: retried at `retryAt`, or final when retryAt is undefined. */
  async markFailed(messageId: number, reason: string, retryAt: Date | undefined): Promise<void> {
    await this.db.run(
      'UPDATE replies SET state = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE message_id = ?',
      [retryAt ? 'pending' : 'failed', reason, retryAt ? retryAt.toISOString() : null, nowIso(), messageId],
    );
  }

  /** Which outcome was noted in the case, so each outcome is noted once. */
  async markNoted(messageId: number, noteState: string): Promise<void> {
    await this.db.run('UPDATE replies SET note_state = ? WHERE message_id = ?', [noteState, messageId]);
  }

  /**
   * Rows whose current outcome has not been noted in the case yet (a note that failed to post
   * is retried). The outcome key is `state:store_state`, as `noteKey` makes it.
   */
  async unnoted(limit = 100): Promise<ReplyRow[]> {
    const rows = await this.db.all<RawRow>(
      `SELECT * FROM replies
       WHERE state IN ('awaiting', 'published', 'rejected', 'refused', 'failed')
         AND (note_state IS NULL OR note_state <> state || ':' || COALESCE(store_state, ''))
       ORDER BY updated_at LIMIT ?`,
      [limit],
    );
    return rows.map(toRow);
  }

  /** Takes the right to write the note for `key`; false when it was noted (or is being noted) already. */
  async claimNote(messageId: number, key: string): Promise<boolean> {
    const info = await this.db.run(
      'UPDATE replies SET note_state = ?, note_holder = ? WHERE message_id = ? AND (note_state IS NULL OR note_state <> ?)',
      [key, selfHolder(), messageId, key],
    );
    return info.changes === 1;
  }

  /** The note is in the case: nobody needs to post it any more. */
  async noteDone(messageId: number, key: string): Promise<void> {
    await this.db.run('UPDATE replies SET note_holder = NULL WHERE message_id = ? AND note_state = ?', [
      messageId,
      key,
    ]);
  }

  /** Gives a note claim back after the note could not be posted, so a later pass retries it. */
  async releaseNote(messageId: number, key: string, previous: string | null): Promise<void> {
    await this.db.run('UPDATE replies SET note_state = ?, note_holder = NULL WHERE message_id = ? AND note_state = ?', [
      previous,
      messageId,
      key,
    ]);
  }

  /** Notes claimed by a process that died before it posted them (it may have posted them: check the case first). */
  async orphanedNotes(): Promise<ReplyRow[]> {
    const orphaned: ReplyRow[] = [];
    for (const r of (
      await this.db.all<RawRow>('SELECT * FROM replies WHERE note_holder IS NOT NULL ORDER BY updated_at')
    ).map(toRow))
      if (!(await this.db.isHolderAlive(r.noteHolder))) orphaned.push(r);
    return orphaned;
  }

  /** Takes over the note claim of a dead process; false when another process took it first. */
  async takeOverNote(messageId: number, deadHolder: string): Promise<boolean> {
    const info = await this.db.run('UPDATE replies SET note_holder = ? WHERE message_id = ? AND note_holder = ?', [
      selfHolder(),
      messageId,
      deadHolder,
    ]);
    return info.changes === 1;
  }

  /** An answer to this review that the state knows was sent (or is being sent), other than this message. */
  async hasOtherAnswer(reviewKey: string, messageId: number): Promise<boolean> {
    const hit = await this.db.value(
      `SELECT 1 FROM replies WHERE review_key = ? AND message_id != ? AND state IN ('sending', 'awaiting', 'published') LIMIT 1`,
      [reviewKey, messageId],
    );
    return hit !== undefined;
  }

  /** A later message to the same review that was sent (or is being sent) already. */
  async newerSent(reviewKey: string, messageId: number): Promise<boolean> {
    const hit = await this.db.value(
      `SELECT 1 FROM replies WHERE review_key = ? AND message_id > ? AND state IN ('sending', 'awaiting', 'published') LIMIT 1`,
      [reviewKey, messageId],
    );
    return hit !== undefined;
  }

  /** Other replies to this review that were sent or are being sent (their order: engine/reply-order.ts). */
  async sentForReview(reviewKey: string, exceptMessageId: number): Promise<ReplyRow[]> {
    const rows = await this.db.all<RawRow>(
      `SELECT * FROM replies WHERE review_key = ? AND message_id <> ? AND state IN ('sending', 'awaiting', 'published')`,
      [reviewKey, exceptMessageId],
    );
    return rows.map(toRow);
  }

  /** The store's id of the latest answer to this review (some stores edit an answer by its id). */
  latestAnswerId(reviewKey: string): Promise<string | undefined> {
    return this.db.value<string>(
      `SELECT answer_id FROM replies WHERE review_key = ? AND answer_id IS NOT NULL ORDER BY updated_at DESC LIMIT 1`,
      [reviewKey],
    );
  }

  async counts(): Promise<Record<ReplyState, number>> {
    const out = Object.fromEntries(replyStates.map((s) => [s, 0])) as Record<ReplyState, number>;
    const rows = await this.db.all<{ state: ReplyState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM replies GROUP BY state',
    );
    for (const r of rows) out[r.state] = r.n;
    return out;
  }
}
