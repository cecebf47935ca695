/**
 * What a new case gets after it is made: the reply draft as an internal note (`drafts`,
 * opt-in) and, for the apps and ratings `autoReply` names, the draft published without an
 * agent once its delay is over. Queued in the state before the case is created (so a kill
 * after the create cannot lose them), carried out by `sync` once the case exists:
 * - a note is posted once: an attempt is counted before it is sent, and a later attempt (the
 *   earlier one's outcome unknown) looks for the note's marker line in the case first;
 * - an automatic reply yields to an agent's own reply (in the reply outbox, in the case, or
 *   already in the store), stops at the app's daily cap (UTC days) and at the store's length
 *   limit (never cut), and otherwise goes into the reply outbox, which publishes it exactly
 *   once like an agent's reply; a note in the case says it was automatic.
 */
import type { AppConfig, Config } from '../config/schema.js';
import type { Review } from '../domain/review.js';
import { errorMessage, RemoteError } from '../errors.js';
import type { Logger } from '../log.js';
import { draftFor } from '../rules/drafts.js';
import type { StateDb } from '../state/handle.js';
import { FollowUps, type FollowUpKind, type FollowUpRow, type NewFollowUp } from '../state/follow-ups.js';
import { ReplyOutbox } from '../state/replies.js';
import { ReviewStore } from '../state/reviews.js';
import { isOwnNote, notePrefix } from './reply-notes.js';
import type { Services } from './services.js';
import { storeNames } from '../connectors/stores/registry.js';
import { parseReviewKey } from '../domain/review.js';

/** The marker line that ends a follow-up note: found in the case, the note is not posted again. */
export function followUpMarker(kind: FollowUpKind, reviewKey: string): string {
  return `[ref ${kind}/${reviewKey}]`;
}

/** The reply outbox id of an automatic reply: negative, so it never meets an Omnidesk message id. */
export function autoReplyMessageId(caseId: number): number {
  return -caseId;
}

const texts = {
  en: {
    draft: (text: string, autoAt: string | undefined) =>
      `${notePrefix} reply draft (not sent${autoAt ? `; it is sent automatically after ${autoAt} UTC unless an agent replies first` : ''}). Copy it, edit it and send it as your reply:\n\n${text}`,
    automatic: (text: string) =>
      `${notePrefix} this reply was sent automatically (auto-reply), no agent wrote it:\n\n${text}`,
    yielded: () => `${notePrefix} the automatic reply was not sent: an agent answered first.`,
    capped: (cap: number) =>
      `${notePrefix} the automatic reply was not sent: this app's daily cap of ${cap} automatic replies is reached. Answer it yourself (the draft is above).`,
    tooLong: (store: string, length: number, max: number) =>
      `${notePrefix} the automatic reply was not sent: ${store} takes answers of at most ${max} characters, the draft has ${length} (it is never cut). Shorten the draft template, or answer it yourself.`,
  },
  ru: {
    draft: (text: string, autoAt: string | undefined) =>
      `${notePrefix} черновик ответа (не отправлен${autoAt ? `; будет отправлен автоматически после ${autoAt} UTC, если агент не ответит раньше` : ''}). Скопируйте, исправьте и отправьте как свой ответ:\n\n${text}`,
    automatic: (text: string) =>
      `${notePrefix} этот ответ отправлен автоматически (автоответ), его не писал агент:\n\n${text}`,
    yielded: () => `${notePrefix} автоответ не отправлен: агент ответил раньше.`,
    capped: (cap: number) =>
      `${notePrefix} автоответ не отправлен: дневной лимит приложения (${cap}) исчерпан. Ответьте сами (черновик выше).`,
    tooLong: (store: string, length: number, max: number) =>
      `${notePrefix} автоответ не отправлен: ${store} принимает ответы не длиннее ${max} символов, в черновике ${length} (текст не обрезается). Сократите шаблон или ответьте сами.`,
  },
};

function textsFor(config: Config): (typeof texts)['en'] {
  return texts[config.language ?? 'en'];
}

function withMarker(text: string, kind: FollowUpKind, reviewKey: string): string {
  return `${text}\n${followUpMarker(kind, reviewKey)}`;
}

export interface PlanInput {
  config: Config;
  app: AppConfig;
  reviewKey: string;
  review: Review;
  /** The routing rule that decided, if any. */
  rule?: string | undefined;
  now: number;
}

/** The follow-ups a new case of this review gets (none without a matching draft). */
export function planFollowUps(input: PlanInput): NewFollowUp[] {
  const { config, app, review, now } = input;
  const text = draftFor(config.drafts.templates, { review, app, rule: input.rule });
  if (!text) return [];
  const appKey = `${app.store}:${app.appId}`;
  const auto = config.autoReply;
  const automatic = auto !== undefined && auto.apps.includes(app.id) && auto.ratings.includes(review.rating);
  const dueAt = new Date(now + (automatic ? auto.delayMinutes * 60_000 : 0)).toISOString();
  const out: NewFollowUp[] = [];
  if (config.drafts.enabled) {
    const autoAt = automatic ? dueAt.slice(0, 16).replace('T', ' ') : undefined;
    const note = withMarker(textsFor(config).draft(text, autoAt), 'draft', input.reviewKey);
    out.push({ reviewKey: input.reviewKey, kind: 'draft', appKey, text, dueAt, note });
  }
  if (automatic) out.push({ reviewKey: input.reviewKey, kind: 'auto-reply', appKey, text, dueAt });
  return out;
}

export interface FollowUpReport {
  notes: number;
  autoHanded: number;
  autoYielded: number;
  autoCapped: number;
  autoTooLong: number;
  errors: string[];
}

export interface FollowUpDeps {
  db: StateDb;
  config: Config;
  services: Services;
  logger: Logger;
  now?: (() => number) | undefined;
}

export class FollowUpRunner {
  private readonly followUps: FollowUps;
  private readonly reviews: ReviewStore;
  private readonly outbox: ReplyOutbox;
  private readonly now: () => number;

  constructor(private readonly deps: FollowUpDeps) {
    this.followUps = new FollowUps(deps.db);
    this.reviews = new ReviewStore(deps.db);
    this.outbox = new ReplyOutbox(deps.db);
    this.now = deps.now ?? Date.now;
  }

  private at(): string {
    return new Date(this.now()).toISOString();
  }

  /** Decides the due automatic replies, then posts every note owed (drafts first, by age). */
  async run(): Promise<FollowUpReport> {
    const report: FollowUpReport = {
      notes: 0,
      autoHanded: 0,
      autoYielded: 0,
      autoCapped: 0,
      autoTooLong: 0,
      errors: [],
    };
    for (const row of await this.followUps.dueAutoReplies(this.at())) {
      try {
        await this.decide(row, report);
      } catch (err) {
        if (!(err instanceof RemoteError)) throw err;
        report.errors.push(`${row.reviewKey}: automatic reply: ${errorMessage(err)}`);
      }
    }
    for (const row of await this.followUps.notesOwed()) {
      try {
        if (await this.postNote(row)) report.notes++;
      } catch (err) {
        if (!(err instanceof RemoteError)) throw err;
        // A case that is gone never takes the note; anything else is tried again next run.
        if (err.kind === 'not-found') await this.followUps.noteDone(row.reviewKey, row.kind, this.at());
        report.errors.push(`${row.reviewKey}: ${row.kind} note: ${errorMessage(err)}`);
      }
    }
    return report;
  }

  private async decide(row: FollowUpRow, report: FollowUpReport): Promise<void> {
    const { config, services } = this.deps;
    const auto = config.autoReply;
    const review = await this.reviews.resolve(row.reviewKey);
    // The case is not made yet (its delivery failed so far): the reply waits for it.
    if (!auto || !review || review.caseId === null) return;
    const caseId = review.caseId;
    const t = textsFor(config);
    const messageId = autoReplyMessageId(caseId);
    const key = review.reviewKey;
    const at = this.at();
    const settle = async (state: 'yielded' | 'capped' | 'too-long', note: string): Promise<void> => {
      await this.followUps.decide(row.reviewKey, state, caseId, withMarker(note, 'auto-reply', row.reviewKey), at);
      this.deps.logger.info('automatic reply not sent', { reviewKey: key, caseId, reason: state });
    };

    // The agent's own reply wins: recorded by the webhook or poll, written in the case, or in the store.
    const answered =
      (await this.followUps.agentReplied(caseId, key, messageId)) ||
      (await this.reviews.latest(key))?.review.developerAnswer !== undefined ||
      (await services.helpdesk.listMessages(caseId, { onInvalid: () => {} })).some(
        (m) => m.staffId !== 0 && !m.note && !isOwnNote(m.content),
      );
    if (answered) {
      await settle('yielded', t.yielded());
      report.autoYielded++;
      return;
    }
    const parsed = parseReviewKey(key);
    const max = parsed ? services.replyConnector(parsed.store)?.capabilities.maxReplyLength : undefined;
    if (parsed && max !== undefined && max > 0 && row.text.length > max) {
      await settle('too-long', t.tooLong(storeNames[parsed.store], row.text.length, max));
      report.autoTooLong++;
      return;
    }
    const dayStart = `${at.slice(0, 10)}T00:00:00.000Z`;
    const note = withMarker(t.automatic(row.text), 'auto-reply', row.reviewKey);
    // The cap is read and the hand-over written in one transaction: two runs cannot both take the last place.
    const handed = await this.deps.db.transaction(async () => {
      if ((await this.followUps.handedSince(row.appKey, dayStart)) >= auto.dailyCap) {
        await settle('capped', t.capped(auto.dailyCap));
        return false;
      }
      await this.followUps.handOver(row.reviewKey, caseId, note, at, () =>
        this.outbox.record({ messageId, caseId, reviewKey: key, staffId: null, text: row.text }),
      );
      return true;
    });
    if (!handed) {
      report.autoCapped++;
      return;
    }
    report.autoHanded++;
    this.deps.logger.info('automatic reply handed to the reply outbox', { reviewKey: key, caseId });
  }

  private async postNote(row: FollowUpRow): Promise<boolean> {
    const caseId = row.caseId ?? (await this.reviews.resolve(row.reviewKey))?.caseId ?? null;
    if (caseId === null || row.note === null) return false;
    const { helpdesk } = this.deps.services;
    // Counted before sending: a kill after the send leaves attempts > 0 and the marker decides.
    const unknownOutcome = row.noteAttempts > 0;
    await this.followUps.noteAttempt(row.reviewKey, row.kind, caseId, this.at());
    if (unknownOutcome) {
      const marker = followUpMarker(row.kind, row.reviewKey);
      if ((await helpdesk.listMessages(caseId)).some((m) => m.note && m.content.includes(marker))) {
        await this.followUps.noteDone(row.reviewKey, row.kind, this.at());
        return false;
      }
    }
    await helpdesk.addNote(caseId, row.note);
    await this.followUps.noteDone(row.reviewKey, row.kind, this.at());
    return true;
  }
}
