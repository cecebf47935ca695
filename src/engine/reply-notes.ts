/**
 * The internal notes the reply publisher writes into Omnidesk cases, in the config's language.
 * Every note starts with `notePrefix`, so a note of ours can never be taken for an answer.
 */
import type { StoreId } from '../domain/review.js';
import { storeNames } from '../connectors/stores/registry.js';

export type NoteLanguage = 'en' | 'ru';

export const notePrefix = 'asodesk-omni:';

/** True for text we wrote: such a message is never published, whatever its flags say. */
export function isOwnNote(text: string): boolean {
  return text.trimStart().startsWith(notePrefix);
}

/** Why a reply was not sent; the text is kept in the outbox and quoted in the note. */
export interface RefusalTexts {
  noCredentials(store: StoreId): string;
  tooLong(store: StoreId, length: number, max: number): string;
  unknownReview(): string;
  unknownApp(store: StoreId, appId: string): string;
  emptyText(): string;
  superseded(): string;
}

interface Texts extends RefusalTexts {
  published(store: string): string;
  pendingPublish(store: string): string;
  moderation(store: string): string;
  rejected(store: string, reason: string | undefined): string;
  deleted(store: string): string;
  refused(reason: string): string;
  failed(store: string, reason: string): string;
  attachmentsLeftOut: string;
}

const en: Texts = {
  noCredentials: (s) =>
    `Replies to ${storeNames[s]} reviews need the ${storeNames[s]} credentials: run \`asodesk-omni init\` and complete the step "Store credentials", then send the reply again.`,
  tooLong: (s, length, max) =>
    `${storeNames[s]} takes answers of at most ${max} characters; this one has ${length}. Shorten it and send it again (it was not cut).`,
  unknownReview: () =>
    'This case is not linked to a store review: neither the local state nor the case field named like the channel holds a review key.',
  unknownApp: (s, appId) =>
    `The app ${appId} (${storeNames[s]}) is not in the asodesk-omni config; add it with \`asodesk-omni init\`, then send the reply again.`,
  emptyText: () => 'The reply has no text; the stores take text only.',
  superseded: () => 'A later reply to the same review was sent instead.',
  published: (s) => `the reply is published on ${s}.`,
  pendingPublish: (s) =>
    `the reply was sent to ${s} and is pending publication (stores usually publish answers within a day).`,
  moderation: (s) => `the reply was sent to ${s} and is on moderation.`,
  rejected: (s, reason) => `${s} rejected the reply${reason ? `: ${reason}` : ''}. Edit it and send it again.`,
  deleted: (s) => `the reply is no longer shown on ${s} (deleted in the store console).`,
  refused: (reason) => `the reply was not published. ${reason}`,
  failed: (s, reason) => `the reply could not be published on ${s}: ${reason} Send it again to retry.`,
  attachmentsLeftOut: 'Attachments were left out: the stores take text only.',
};

const ru: Texts = {
  noCredentials: (s) =>
    `Для ответов на отзывы ${storeNames[s]} нужны ключи ${storeNames[s]}: запустите \`asodesk-omni init\` и пройдите шаг «Store credentials», затем отправьте ответ ещё раз.`,
  tooLong: (s, length, max) =>
    `${storeNames[s]} принимает ответы не длиннее ${max} символов, в этом ${length}. Сократите его и отправьте ещё раз (текст не обрезан).`,
  unknownReview: () =>
    'Обращение не связано с отзывом: ни локальное состояние, ни поле обращения с именем канала не содержит ключ отзыва.',
  unknownApp: (s, appId) =>
    `Приложения ${appId} (${storeNames[s]}) нет в настройках asodesk-omni; добавьте его через \`asodesk-omni init\` и отправьте ответ ещё раз.`,
  emptyText: () => 'В ответе нет текста, а магазины принимают только текст.',
  superseded: () => 'Вместо него опубликован более поздний ответ на тот же отзыв.',
  published: (s) => `ответ опубликован в ${s}.`,
  pendingPublish: (s) => `ответ отправлен в ${s} и ожидает публикации (обычно ответы публикуются в течение суток).`,
  moderation: (s) => `ответ отправлен в ${s} и проходит модерацию.`,
  rejected: (s, reason) => `${s} отклонил ответ${reason ? `: ${reason}` : ''}. Исправьте его и отправьте ещё раз.`,
  deleted: (s) => `ответ больше не показывается в ${s} (удалён в консоли магазина).`,
  refused: (reason) => `ответ не опубликован. ${reason}`,
  failed: (s, reason) => `не удалось опубликовать ответ в ${s}: ${reason} Отправьте его ещё раз, чтобы повторить.`,
  attachmentsLeftOut: 'Вложения не отправлены: магазины принимают только текст.',
};

export function noteTexts(language: NoteLanguage | undefined): Texts {
  return language === 'ru' ? ru : en;
}

/** What a note is about: the outbox row's outcome, as the outbox keeps it. */
export interface NoteSubject {
  state: string;
  storeState: string | null;
  store: StoreId | undefined;
  hasAttachments: boolean;
  lastError: string | null;
  /** No outcome of this reply was noted before (the attachments remark goes in the first note). */
  first: boolean;
}

/** The note for a row's current outcome; undefined when the outcome needs none. */
export function outcomeNote(subject: NoteSubject, language: NoteLanguage | undefined): string | undefined {
  const t = noteTexts(language);
  const store = subject.store ? storeNames[subject.store] : 'the store';
  const withAttachments = (text: string): string =>
    subject.first && subject.hasAttachments ? `${text} ${t.attachmentsLeftOut}` : text;
  let body: string | undefined;
  switch (subject.state) {
    case 'published':
      body = withAttachments(t.published(store));
      break;
    case 'awaiting':
      body = withAttachments(subject.storeState === 'MODERATION' ? t.moderation(store) : t.pendingPublish(store));
      break;
    case 'rejected':
      body = subject.storeState === 'DELETED' ? t.deleted(store) : t.rejected(store, subject.lastError ?? undefined);
      break;
    case 'refused':
      body = t.refused(subject.lastError ?? '');
      break;
    case 'failed':
      body = t.failed(store, ensureStop(subject.lastError ?? 'unknown error'));
      break;
    default:
      body = undefined;
  }
  return body === undefined ? undefined : `${notePrefix} ${body}`;
}

function ensureStop(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

/**
 * The last line of every outcome note: which reply and which outcome it reports. A process
 * that does not know whether a note was posted (it took over a dead one's claim, or the state
 * was rebuilt) looks for this line in the case before posting, so no note is posted twice.
 */
export function noteMarker(messageId: number, outcomeKey: string): string {
  return `[ref ${messageId}/${outcomeKey}]`;
}

export function withMarker(text: string, messageId: number, outcomeKey: string): string {
  return `${text}\n${noteMarker(messageId, outcomeKey)}`;
}

/** A note's text without its marker line (for display and tests). */
export function noteBody(text: string): string {
  return text.replace(/\n\[ref \d+\/[^\]\n]*\]\s*$/, '');
}
