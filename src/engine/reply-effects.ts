/**
 * The effect of a reply: after an answer is published, every later edit of the review is
 * recorded (`answer_edits`), and an edit that changes the rating owes the case one note
 * ("rating 2 → 5, 9 days after the answer") and a label (`rating-up-after-reply` or
 * `rating-down-after-reply`, by the rating before the first answer; the other one is removed).
 * Run by `sync` after its pulls, so the edit's own message is in the case first. The note is
 * posted once: the edit is recorded before anything is sent, an attempt is counted before the
 * note goes out, and a later attempt (the earlier one's outcome unknown) looks for the note's
 * marker line in the case first. Labels are set after the note, every attempt (idempotent).
 */
import type { Config } from '../config/schema.js';
import type { Helpdesk } from '../connectors/helpdesk/types.js';
import { errorMessage, RemoteError } from '../errors.js';
import type { Logger } from '../log.js';
import type { StateDb } from '../state/handle.js';
import { ReplyEffects, type AnswerEdit, type LaterVersion } from '../state/reply-effects.js';
import { ReviewStore } from '../state/reviews.js';
import { notePrefix } from './reply-notes.js';

export const ratingUpLabel = 'rating-up-after-reply';
export const ratingDownLabel = 'rating-down-after-reply';

const dayMs = 24 * 3600_000;

/** The marker line that ends a rating-change note: found in the case, the note is not posted again. */
export function ratingNoteMarker(reviewKey: string, version: number): string {
  return `[ref rating/${reviewKey}/v${version}]`;
}

/** Russian plural of "day": 1 день, 2 дня, 5 дней, 11 дней, 21 день. */
function daysRu(n: number): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  const word =
    mod10 === 1 && mod100 !== 11 ? 'день' : mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14) ? 'дня' : 'дней';
  return `${n} ${word}`;
}

const texts = {
  en: (from: number, to: number, days: number, before: number): string =>
    `${notePrefix} rating ${from} → ${to}, ${days < 1 ? 'less than a day' : `${days} day${days === 1 ? '' : 's'}`} after the answer${before !== from ? ` (before the answer: ${before})` : ''}.`,
  ru: (from: number, to: number, days: number, before: number): string =>
    `${notePrefix} оценка ${from} → ${to} ${days < 1 ? 'меньше чем через день' : `через ${daysRu(days)}`} после ответа${before !== from ? ` (до ответа: ${before})` : ''}.`,
};

/** The note of a rating change, in the config's language (without its marker line). */
export function ratingNote(
  language: Config['language'],
  change: { from: number; to: number; days: number; before: number },
): string {
  return texts[language ?? 'en'](change.from, change.to, change.days, change.before);
}

/** The label a case gets after a rating change: by the rating before the first answer; none when back to it. */
export function ratingLabel(before: number, now: number): string | null {
  return now > before ? ratingUpLabel : now < before ? ratingDownLabel : null;
}

export interface ReplyEffectReport {
  /** Edits of answered reviews recorded in this run. */
  edits: number;
  /** Of them, rating changes (each owes a note). */
  ratingChanges: number;
  notes: number;
  errors: string[];
}

export interface ReplyEffectDeps {
  db: StateDb;
  config: Config;
  helpdesk: Helpdesk;
  logger: Logger;
  now?: (() => number) | undefined;
}

export class ReplyEffectRunner {
  private readonly effects: ReplyEffects;
  private readonly reviews: ReviewStore;
  private readonly now: () => number;

  constructor(private readonly deps: ReplyEffectDeps) {
    this.effects = new ReplyEffects(deps.db);
    this.reviews = new ReviewStore(deps.db);
    this.now = deps.now ?? Date.now;
  }

  private at(): string {
    return new Date(this.now()).toISOString();
  }

  /** Records the edits seen after answers, then posts every note owed (oldest first). */
  async run(): Promise<ReplyEffectReport> {
    const report: ReplyEffectReport = { edits: 0, ratingChanges: 0, notes: 0, errors: [] };
    for (const v of await this.effects.laterVersions()) {
      const edit = await this.editOf(v);
      if (await this.effects.recordEdit(edit, this.at())) {
        report.edits++;
        if (edit.note !== null) report.ratingChanges++;
      }
    }
    for (const edit of await this.effects.notesOwed()) {
      try {
        if (await this.postNote(edit)) report.notes++;
      } catch (err) {
        if (!(err instanceof RemoteError)) throw err;
        // A case that is gone never takes the note; anything else is tried again next run.
        if (err.kind === 'not-found') await this.effects.noteDone(edit.reviewKey, edit.version, this.at());
        report.errors.push(`${edit.reviewKey}: rating-change note: ${errorMessage(err)}`);
      }
    }
    return report;
  }

  /** The edit as recorded: against the first answer's rating, timed from the latest answer before it. */
  private async editOf(v: LaterVersion): Promise<Omit<AnswerEdit, 'noteAttempts' | 'noteDone'>> {
    const first = v.answers[0]!;
    const latest = v.answers.at(-1)!;
    const changed = v.rating !== v.previousRating;
    const days = Math.max(0, Math.floor((Date.parse(v.seenAt) - Date.parse(latest.publishedAt)) / dayMs));
    const note = changed
      ? `${ratingNote(this.deps.config.language, { from: v.previousRating, to: v.rating, days, before: first.ratingBefore })}\n${ratingNoteMarker(v.reviewKey, v.version)}`
      : null;
    return {
      reviewKey: v.reviewKey,
      version: v.version,
      messageId: latest.messageId,
      ratingBefore: first.ratingBefore,
      ratingFrom: v.previousRating,
      ratingTo: v.rating,
      seenAt: v.seenAt,
      note,
      label: changed ? ratingLabel(first.ratingBefore, v.rating) : null,
      caseId: (await this.reviews.resolve(v.reviewKey))?.caseId ?? null,
    };
  }

  private async postNote(edit: AnswerEdit): Promise<boolean> {
    const review = await this.reviews.resolve(edit.reviewKey);
    const caseId = review?.caseId ?? edit.caseId;
    if (caseId === null || edit.note === null) return false;
    const { helpdesk } = this.deps;
    // Counted before sending: a kill after the send leaves attempts > 0 and the marker decides.
    // A case found in Omnidesk (made through another state) may have the note from there too.
    const unknownOutcome = edit.noteAttempts > 0 || (review?.caseAdoptedAt ?? null) !== null;
    await this.effects.noteAttempt(edit.reviewKey, edit.version, caseId, this.at());
    const marker = ratingNoteMarker(edit.reviewKey, edit.version);
    const posted =
      unknownOutcome && (await helpdesk.listMessages(caseId)).some((m) => m.note && m.content.includes(marker));
    if (!posted) await helpdesk.addNote(caseId, edit.note);
    const remove = [ratingUpLabel, ratingDownLabel].filter((l) => l !== edit.label);
    await helpdesk.updateCase(caseId, {
      addLabels: edit.label ? [await helpdesk.labelId(edit.label)] : [],
      deleteLabels: await Promise.all(remove.map((l) => helpdesk.labelId(l))),
    });
    await this.effects.noteDone(edit.reviewKey, edit.version, this.at());
    this.deps.logger.info('rating change after an answer noted in the case', {
      reviewKey: edit.reviewKey,
      caseId,
      from: edit.ratingFrom,
      to: edit.ratingTo,
    });
    return !posted;
  }
}
