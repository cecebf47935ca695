/**
 * Agents' replies in Omnidesk → developer answers in the stores. `accept` only writes the
 * outbox (one insert: the webhook is acknowledged at once); `flush` publishes due rows,
 * each claimed first so that two processes (serve-hook and a `sync`) never send the same one;
 * `readBack` follows answers that stores publish later or moderate.
 * Every outcome is written into the case as one internal note, marked with the reply and the
 * outcome (noteMarker). A claim (reply or note) whose process died is taken over at once. When
 * the state cannot know what a case holds (its case was found in Omnidesk, not made here, or a
 * dead process held the note), the store's answer and the case's notes are checked first, so a
 * rebuilt or second state never answers or notes twice.
 */
import type { AppConfig, Config } from '../config/schema.js';
import type { WebhookEvent } from '../connectors/helpdesk/omnidesk/webhook.js';
import { TooLongReplyError, type AppRef, type StoreConnector } from '../connectors/stores/types.js';
import { parseReviewKey } from '../domain/review.js';
import { errorMessage, RemoteError, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ReplyMetrics } from '../metrics/types.js';
import type { StateDb } from '../state/handle.js';
import { isBusy } from '../state/retry-busy.js';
import { noteKey, ReplyOutbox, type ReplyRow } from '../state/replies.js';
import { ReplyEffects, type AnswerOutcome } from '../state/reply-effects.js';
import { ReviewStore } from '../state/reviews.js';
import { isOwnNote, noteMarker, noteTexts, outcomeNote, withMarker } from './reply-notes.js';
import { laterReplySent } from './reply-order.js';
import type { Services } from './services.js';

export type AcceptResult = 'recorded' | 'duplicate' | 'ignored';

/** A message as both the webhook and the poll see it. */
export interface StaffMessage {
  messageId: number;
  caseId: number;
  staffId: number;
  content: string;
  note: boolean;
  sentViaRule: boolean;
  attachments: readonly string[];
}

export interface ReplyFlushReport {
  published: number;
  /** Sent, the store publishes later or moderates it. */
  awaiting: number;
  refused: number;
  failed: number;
  /** Transient failures scheduled for another attempt. */
  retrying: number;
  /** Rows another process (or flush) holds. */
  skipped: number;
  notes: number;
}

export interface ReadBackReport {
  checked: number;
  published: number;
  rejected: number;
  unchanged: number;
  errors: number;
}

export interface ReplyPublisherDeps {
  db: StateDb;
  config: Config;
  services: Services;
  logger: Logger;
  now?: (() => number) | undefined;
  /** First retry delay after a transient store failure; doubles per attempt (default 60 s). */
  retryBaseMs?: number | undefined;
  /** A claim older than this is taken for a dead process and taken over (default 5 min). */
  staleMs?: number | undefined;
  /** Outcomes and publish times per store (serve-hook --metrics-port). */
  metrics?: ReplyMetrics | undefined;
}

type Outcome = 'published' | 'awaiting' | 'refused' | 'failed' | 'retrying' | 'skipped';

/** A note claimed in the same transaction as the outcome it reports, to be posted after. */
interface PreparedNote {
  messageId: number;
  caseId: number;
  text: string;
  key: string;
  previous: string | null;
  /** The note may be in the case already (this state lacks the record): look for its marker first. */
  check: boolean;
}

type Settled = readonly [Outcome, PreparedNote | undefined];

const maxRetryDelayMs = 60 * 60_000;

/** The store of a reply's review, for metrics labels. */
function storeOf(row: ReplyRow): string {
  return (row.reviewKey ? parseReviewKey(row.reviewKey)?.store : undefined) ?? 'unknown';
}

export class ReplyPublisher {
  readonly outbox: ReplyOutbox;
  private readonly reviews: ReviewStore;
  private readonly effects: ReplyEffects;
  private readonly now: () => number;
  private readonly retryBaseMs: number;
  private readonly staleMs: number;

  constructor(private readonly deps: ReplyPublisherDeps) {
    this.outbox = new ReplyOutbox(deps.db);
    this.reviews = new ReviewStore(deps.db);
    this.effects = new ReplyEffects(deps.db);
    this.now = deps.now ?? Date.now;
    this.retryBaseMs = deps.retryBaseMs ?? 60_000;
    this.staleMs = deps.staleMs ?? 5 * 60_000;
  }

  /** Records a webhook event; only writes the state, so the webhook can be answered at once. */
  accept(event: WebhookEvent): Promise<AcceptResult> {
    if (event.type !== 'message_new') return Promise.resolve('ignored');
    return this.acceptMessage(event);
  }

  /** Records a staff reply (from the webhook or the poll) once, keyed by its message id. */
  async acceptMessage(message: StaffMessage): Promise<AcceptResult> {
    // Notes (ours included) and customer messages are never answers.
    if (message.staffId === 0 || message.note || isOwnNote(message.content)) return 'ignored';
    if (message.sentViaRule && !this.deps.config.webhook.publishRuleReplies) return 'ignored';
    // One insert that does nothing for a known message id: no read-then-write to interleave.
    const recorded = await this.outbox.record({
      messageId: message.messageId,
      caseId: message.caseId,
      reviewKey: (await this.reviews.byCase(message.caseId))?.reviewKey ?? null,
      staffId: message.staffId,
      text: message.content,
      hasAttachments: message.attachments.length > 0,
    });
    return recorded ? 'recorded' : 'duplicate';
  }

  /** Publishes every due row, then writes the notes still owed. */
  async flush(): Promise<ReplyFlushReport> {
    const report: ReplyFlushReport = {
      published: 0,
      awaiting: 0,
      refused: 0,
      failed: 0,
      retrying: 0,
      skipped: 0,
      notes: 0,
    };
    const handled = new Set<number>();
    for (const row of await this.outbox.due(this.now(), this.staleMs)) {
      const [outcome, note] = await this.publishOne(row);
      report[outcome] += 1;
      if (outcome !== 'skipped') this.deps.metrics?.outcome(storeOf(row), outcome);
      if (outcome !== 'skipped') handled.add(row.messageId);
      if (note && (await this.postNote(note))) report.notes += 1;
      // Store calls that answer at once (or fail fast) would otherwise hold the event loop
      // for the whole batch, and the listener's acknowledgements with it.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Notes that could not be posted earlier (Omnidesk was down) are retried here.
    for (const row of await this.outbox.unnoted()) {
      if (handled.has(row.messageId)) continue;
      if (await this.noteOutcome(row.messageId)) report.notes += 1;
    }
    // Notes a killed process had claimed: it may have posted them just before it died.
    for (const row of await this.outbox.orphanedNotes()) {
      if (!row.noteHolder || row.noteState === null || !(await this.outbox.takeOverNote(row.messageId, row.noteHolder)))
        continue;
      const text = row.noteState === noteKey(row) ? this.noteText(row, false) : undefined;
      if (text === undefined) {
        await this.outbox.noteDone(row.messageId, row.noteState);
        continue;
      }
      if (
        await this.postNote({
          messageId: row.messageId,
          caseId: row.caseId,
          text,
          key: row.noteState,
          previous: null,
          check: true,
        })
      )
        report.notes += 1;
    }
    return report;
  }

  /** Reads back answers awaiting publication or moderation; notes each final state once. */
  async readBack(): Promise<ReadBackReport> {
    const report: ReadBackReport = { checked: 0, published: 0, rejected: 0, unchanged: 0, errors: 0 };
    for (const row of await this.outbox.awaiting()) {
      const target = row.reviewKey ? this.target(row.reviewKey) : undefined;
      if (!row.reviewKey || !target || typeof target === 'string' || !target.connector.replyStatus) continue;
      let replaced: boolean;
      try {
        replaced = await laterReplySent(row, row.reviewKey, this.outbox, this.deps.services.helpdesk);
      } catch (err) {
        report.errors += 1;
        this.deps.logger.warn('could not read the order of replies in Omnidesk', {
          messageId: row.messageId,
          caseId: row.caseId,
          error: errorMessage(err),
        });
        continue;
      }
      if (replaced) {
        // A later reply replaced this answer in the store; its state is the later reply's.
        await this.deps.db.transaction(async () => {
          await this.outbox.markSent(row.messageId, 'REPLACED', undefined, true);
          await this.outbox.markNoted(row.messageId, noteKey({ state: 'published', storeState: 'REPLACED' }));
        });
        continue;
      }
      report.checked += 1;
      let status;
      try {
        status = await target.connector.replyStatus(target.app, target.reviewId, row.answerId ?? undefined);
      } catch (err) {
        report.errors += 1;
        this.deps.logger.warn('reading back a reply failed', {
          messageId: row.messageId,
          store: target.app.store,
          error: errorMessage(err),
        });
        continue;
      }
      if (!status || status.state === row.storeState) {
        report.unchanged += 1;
        continue;
      }
      const updated = await this.deps.db.transaction(async () => {
        await this.outbox.markStoreState(row.messageId, status.state, status.reason);
        await this.logAnswer(row.messageId);
        return (await this.outbox.get(row.messageId))!;
      });
      if (updated.state === 'awaiting') {
        // Still not final (e.g. pending → moderation): no note for intermediate states.
        await this.outbox.markNoted(row.messageId, noteKey(updated));
        report.unchanged += 1;
        continue;
      }
      if (updated.state === 'published') report.published += 1;
      else report.rejected += 1;
      this.deps.logger.info('reply state read back', {
        messageId: row.messageId,
        caseId: row.caseId,
        state: status.state,
      });
      await this.noteOutcome(row.messageId);
    }
    return report;
  }

  private async publishOne(row: ReplyRow): Promise<Settled> {
    if (!(await this.outbox.claim(row.messageId, this.now(), this.staleMs))) return ['skipped', undefined];
    if (row.state === 'sending')
      this.deps.logger.info('reply claim of a stopped process taken over', {
        messageId: row.messageId,
        caseId: row.caseId,
      });
    try {
      return this.publishClaimed(row);
    } catch (err) {
      // Not a store failure (those are handled inside): never leave the row claimed.
      return this.fail(row, row.attempts + 1, err, false);
    }
  }

  private async publishClaimed(row: ReplyRow): Promise<Settled> {
    const { outbox } = this;
    const t = noteTexts(this.deps.config.language);
    const attempts = row.attempts + 1; // the claim counted this attempt

    let key: string | undefined;
    try {
      key = await this.reviewKeyFor(row);
    } catch (err) {
      if (err instanceof RemoteError && err.kind === 'not-found') return this.refuse(row, t.unknownReview());
      return this.fail(row, attempts, err, true);
    }
    if (!key) return this.refuse(row, t.unknownReview());
    if (key !== row.reviewKey) await outbox.setReviewKey(row.messageId, key);

    const target = this.target(key);
    if (typeof target === 'string') return this.refuse(row, target);
    const { store } = target.app;
    const text = row.text.trim();
    if (text === '') return this.refuse(row, t.emptyText());
    const max = target.connector.capabilities.maxReplyLength;
    if (text.length > max) return this.refuse(row, t.tooLong(store, text.length, max), true);
    // Omnidesk's own order of the case's messages decides which reply is later (helpdesk side: retried).
    let superseded: boolean;
    try {
      superseded = await laterReplySent(row, key, outbox, this.deps.services.helpdesk);
    } catch (err) {
      return this.fail(row, attempts, err, true);
    }
    if (superseded) return this.refuse(row, t.superseded());

    // A case this state did not make may have been answered through another state (lost,
    // replaced, or a second process): the store's answer as last pulled tells.
    const lacksRecord = await this.lacksRecord(key, row.caseId);
    if (lacksRecord && !(await outbox.hasOtherAnswer(key, row.messageId))) {
      const answer = (await this.reviews.latest(key))?.review.developerAnswer;
      if (answer && answer.text.trim() === text) {
        const state = answer.state ?? 'PUBLISHED';
        const final = state === 'PUBLISHED' || state === 'REJECTED';
        const note = await this.settle(
          row.messageId,
          () => outbox.markSent(row.messageId, state, answer.id, final),
          true,
        );
        this.deps.logger.info('reply already in the store; recorded, not sent again', {
          messageId: row.messageId,
          caseId: row.caseId,
          store,
        });
        return [final ? (state === 'PUBLISHED' ? 'published' : 'failed') : 'awaiting', note];
      }
      // An old reply seen again (a replayed webhook, a poll after a rebuild) must not overwrite
      // the later answer the case shows; it was noted when it was new, so no note now.
      let later: boolean;
      try {
        later = (await this.deps.services.helpdesk.listMessages(row.caseId)).some(
          (m) => !m.note && m.staffId !== 0 && m.messageId > row.messageId && !isOwnNote(m.content),
        );
      } catch (err) {
        return this.fail(row, attempts, err, true);
      }
      if (later) {
        await this.deps.db.transaction(async () => {
          await outbox.markRefused(row.messageId, t.superseded());
          await outbox.markNoted(row.messageId, noteKey({ state: 'refused', storeState: null }));
          await this.logAnswer(row.messageId);
        });
        this.deps.logger.info('an older reply seen again after a later one; not published', {
          messageId: row.messageId,
          caseId: row.caseId,
        });
        return ['refused', undefined];
      }
    }

    const started = performance.now();
    try {
      const result = await target.connector.publishReply!(
        target.app,
        target.reviewId,
        text,
        await outbox.latestAnswerId(key),
      );
      this.deps.metrics?.publishSeconds(store, (performance.now() - started) / 1000);
      const final = result.state === 'PUBLISHED' || result.state === 'REJECTED' || result.state === 'DELETED';
      const note = await this.settle(
        row.messageId,
        () => outbox.markSent(row.messageId, result.state, result.answerId, final),
        lacksRecord,
      );
      this.deps.logger.info('reply sent to the store', {
        messageId: row.messageId,
        caseId: row.caseId,
        store,
        state: result.state,
      });
      return [final ? (result.state === 'PUBLISHED' ? 'published' : 'failed') : 'awaiting', note];
    } catch (err) {
      this.deps.metrics?.publishSeconds(store, (performance.now() - started) / 1000);
      // The connector's own limit may be lower than the config's; still never cut the text.
      if (err instanceof TooLongReplyError) return this.refuse(row, t.tooLong(store, err.length, err.max), true);
      return this.fail(row, attempts, err, false);
    }
  }

  /**
   * True when this state did not make the case: the review is unknown, has no case here (a
   * backlog-skipped review answered before), another one, or one found in Omnidesk.
   */
  private async lacksRecord(key: string, caseId?: number): Promise<boolean> {
    const review = await this.reviews.resolve(key);
    return (
      !review ||
      review.caseId === null ||
      (caseId !== undefined && review.caseId !== caseId) ||
      review.caseAdoptedAt !== null
    );
  }

  /** The review the case answers: local state first, then the case field in Omnidesk. */
  private async reviewKeyFor(row: ReplyRow): Promise<string | undefined> {
    let key = row.reviewKey ?? (await this.reviews.byCase(row.caseId))?.reviewKey;
    if (!key) {
      const info = await this.deps.services.helpdesk.getCase(row.caseId);
      key = [info.reviewKey, info.userCustomId]
        .find((k) => k !== undefined && parseReviewKey(k.trim()) !== undefined)
        ?.trim();
    }
    if (!key) return undefined;
    // A public-source id matched to an API id answers through the review that owns the case.
    return (await this.reviews.resolve(key))?.reviewKey ?? key;
  }

  /** The app and connector for a review key, or the refusal text. */
  private target(key: string): { app: AppRef; reviewId: string; connector: StoreConnector } | string {
    const t = noteTexts(this.deps.config.language);
    const parsed = parseReviewKey(key);
    if (!parsed) return t.unknownReview();
    const app: AppConfig | undefined = this.deps.config.apps.find(
      (a) => a.store === parsed.store && a.appId === parsed.appId,
    );
    if (!app) return t.unknownApp(parsed.store, parsed.appId);
    let connector: StoreConnector | undefined;
    try {
      connector = this.deps.services.replyConnector(parsed.store);
    } catch (err) {
      // Credentials set but unusable (unreadable key file…): the message names the setting.
      return err instanceof UserError && err.hint ? `${err.message} ${err.hint}` : errorMessage(err);
    }
    if (!connector?.publishReply) return t.noCredentials(parsed.store);
    return { app: { store: app.store, appId: app.appId }, reviewId: parsed.reviewId, connector };
  }

  private async refuse(row: ReplyRow, reason: string, tooLong = false): Promise<Settled> {
    const note = await this.settle(row.messageId, () => this.outbox.markRefused(row.messageId, reason), false, tooLong);
    this.deps.logger.warn('reply refused', { messageId: row.messageId, caseId: row.caseId, reason });
    return ['refused', note];
  }

  /** Transient failures wait and try again (doubling delay); the last one, or a permanent one, is final. */
  private async fail(row: ReplyRow, attempts: number, err: unknown, helpdeskSide: boolean): Promise<Settled> {
    const reason = errorMessage(err);
    // A spent quota that says when it frees (replies per day) is worth waiting for.
    const quotaFrees = err instanceof RemoteError && err.kind === 'quota' && err.retryAfterMs !== undefined;
    // An answer we could not read (cut short, not JSON) leaves the outcome unknown; publishing
    // is idempotent (overwrite, or look up before creating), so it is tried again.
    const unreadable =
      err instanceof RemoteError && err.kind === 'bad-payload' && err.status !== undefined && err.status < 300;
    // The state file locked by another process (serve-hook waits only briefly): try again later.
    const retryable =
      err instanceof RemoteError
        ? err.retryable || quotaFrees || unreadable || (helpdeskSide && err.kind !== 'bad-payload')
        : isBusy(err);
    if (retryable && attempts < this.deps.config.sync.maxAttempts) {
      const backoff = Math.min(maxRetryDelayMs, this.retryBaseMs * 2 ** (attempts - 1));
      const delay = Math.max(backoff, err instanceof RemoteError ? (err.retryAfterMs ?? 0) : 0);
      await this.outbox.markFailed(row.messageId, reason, new Date(this.now() + delay));
      this.deps.logger.warn('reply not sent, will retry', {
        messageId: row.messageId,
        attempt: attempts,
        retryInMs: delay,
        error: reason,
      });
      return ['retrying', undefined];
    }
    const note = await this.settle(row.messageId, () => this.outbox.markFailed(row.messageId, reason, undefined));
    this.deps.logger.error('reply failed', { messageId: row.messageId, caseId: row.caseId, error: reason });
    return ['failed', note];
  }

  /** Records an outcome and claims its note in one transaction (one disk sync instead of two). */
  private settle(
    messageId: number,
    mark: () => Promise<void>,
    check = false,
    tooLong = false,
  ): Promise<PreparedNote | undefined> {
    return this.deps.db.transaction(async () => {
      await mark();
      await this.logAnswer(messageId, tooLong);
      return this.prepareNote(messageId, check);
    });
  }

  /**
   * The answer's outcome for the reply-effect record and the report, with the review's rating
   * as it is when the store takes the answer. Runs inside the caller's transaction.
   */
  private async logAnswer(messageId: number, tooLong = false): Promise<void> {
    const row = await this.outbox.get(messageId);
    const parsed = row?.reviewKey ? parseReviewKey(row.reviewKey) : undefined;
    if (!row?.reviewKey || !parsed || row.storeState === 'REPLACED') return;
    const outcome: AnswerOutcome | undefined =
      row.state === 'refused' && tooLong
        ? 'too-long'
        : row.state === 'sending' || row.state === 'pending'
          ? undefined
          : row.state;
    if (!outcome) return;
    const review = await this.reviews.resolve(row.reviewKey);
    const latest = review && (await this.reviews.latest(review.reviewKey));
    await this.effects.record({
      messageId,
      reviewKey: row.reviewKey,
      appKey: `${parsed.store}:${parsed.appId}`,
      caseId: row.caseId,
      staffId: row.staffId,
      outcome,
      before: latest && { rating: latest.review.rating, version: latest.version },
      at: new Date(this.now()).toISOString(),
    });
  }

  /** Writes the note for the row's current outcome once; true when a note was posted. */
  private async noteOutcome(messageId: number): Promise<boolean> {
    // The row read and the claim in one transaction: the key claimed is the outcome read.
    const note = await this.deps.db.transaction(() => this.prepareNote(messageId));
    return note ? this.postNote(note) : false;
  }

  /** Claims the note for the row's current outcome; undefined when it is noted already or needs none. */
  private async prepareNote(messageId: number, check = false): Promise<PreparedNote | undefined> {
    const row = await this.outbox.get(messageId);
    if (!row) return undefined;
    const key = noteKey(row);
    const previous = row.noteState;
    const text = this.noteText(row, previous === null);
    if (text === undefined || !(await this.outbox.claimNote(messageId, key))) return undefined;
    return {
      messageId,
      caseId: row.caseId,
      text,
      key,
      previous,
      check: check || (await this.lacksRecord(row.reviewKey ?? '', row.caseId)),
    };
  }

  private noteText(row: ReplyRow, first: boolean): string | undefined {
    const text = outcomeNote(
      {
        state: row.state,
        storeState: row.storeState,
        store: row.reviewKey ? parseReviewKey(row.reviewKey)?.store : undefined,
        hasAttachments: row.hasAttachments,
        lastError: row.lastError,
        first,
      },
      this.deps.config.language,
    );
    return text === undefined ? undefined : withMarker(text, row.messageId, noteKey(row));
  }

  private async postNote(note: PreparedNote): Promise<boolean> {
    const { helpdesk } = this.deps.services;
    try {
      if (note.check) {
        const marker = noteMarker(note.messageId, note.key);
        if ((await helpdesk.listMessages(note.caseId)).some((m) => m.note && m.content.includes(marker))) {
          await this.outbox.noteDone(note.messageId, note.key);
          return false;
        }
      }
      await helpdesk.addNote(note.caseId, note.text);
      await this.outbox.noteDone(note.messageId, note.key);
      return true;
    } catch (err) {
      // Omnidesk busy or down: give the claim back so the next flush tries again. A case
      // that is gone (or any permanent error) is not retried forever.
      if (err instanceof RemoteError && err.retryable)
        await this.outbox.releaseNote(note.messageId, note.key, note.previous);
      else await this.outbox.noteDone(note.messageId, note.key);
      this.deps.logger.warn('could not write the outcome note in the case', {
        messageId: note.messageId,
        caseId: note.caseId,
        error: errorMessage(err),
      });
      return false;
    }
  }
}
