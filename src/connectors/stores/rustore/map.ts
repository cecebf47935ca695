/**
 * RuStore payloads → store-neutral types. Pure functions, no I/O.
 */
import type { AnswerState, DeveloperAnswer, Review } from '../../../domain/review.js';
import { parseEach, readId, type Parsed } from '../parse-records.js';
import { commentSchema, type CommentDto, type FeedbackDto, type ListBody } from './schema.js';

/**
 * Dates without an offset ("2023-06-01 18:10:43.043") are Moscow time, where RuStore runs.
 * Returns UTC ISO 8601, or undefined when the text is no date.
 */
export function toIso(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  let s = text.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s += '+03:00';
  // Java may give more than millisecond precision ("41.8328711"), which Date.parse refuses.
  s = s.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function answerState(status: string): AnswerState | undefined {
  switch (status.toUpperCase()) {
    case 'PUBLISHED':
    case 'MODERATION':
    case 'REJECTED':
    case 'DELETED':
      return status.toUpperCase() as AnswerState;
    default:
      return undefined;
  }
}

/** True when the body says it is the last page; undefined when it does not say (bare array). */
export function saysLastPage<T>(body: ListBody<T>, page: number): boolean | undefined {
  if (typeof body.last === 'boolean') return body.last;
  if (typeof body.totalPages === 'number') return page + 1 >= body.totalPages;
  return undefined;
}

function feedbackTime(f: FeedbackDto): number {
  const iso = toIso(f.date);
  return iso ? Date.parse(iso) : 0;
}

/** The answer that counts: the newest one not deleted (an edit may leave the old one DELETED). */
export function currentFeedback(list: readonly FeedbackDto[]): FeedbackDto | undefined {
  let best: FeedbackDto | undefined;
  for (const f of list) {
    if (answerState(f.status) === 'DELETED') continue;
    if (
      !best ||
      feedbackTime(f) > feedbackTime(best) ||
      (feedbackTime(f) === feedbackTime(best) && Number(f.id) > Number(best.id))
    )
      best = f;
  }
  return best;
}

function developerAnswer(c: CommentDto): DeveloperAnswer | undefined {
  const list = [
    ...(Array.isArray(c.devResponse) ? c.devResponse : c.devResponse ? [c.devResponse] : []),
    ...(c.devResponses ?? []),
  ];
  const f = currentFeedback(list);
  if (!f) return undefined;
  return { text: f.text ?? '', updatedAt: toIso(f.date), state: answerState(f.status), id: f.id };
}

export function commentToReview(pkg: string, c: CommentDto): Review {
  const createdAt = toIso(c.commentDateIso) ?? toIso(c.commentDate) ?? new Date(0).toISOString();
  const updatedAt = toIso(c.updatedAtIso) ?? toIso(c.updatedAt);
  const device =
    typeof c.deviceInfo === 'string' ? c.deviceInfo : (c.deviceInfo?.model ?? c.deviceInfo?.device ?? undefined);
  const osVersion =
    typeof c.deviceInfo === 'object' && c.deviceInfo ? (c.deviceInfo.osVersion ?? undefined) : undefined;
  return {
    store: 'rustore',
    appId: pkg,
    reviewId: c.commentId,
    rating: c.appRating,
    text: c.commentText ?? '',
    author: c.userName ?? c.firstName ?? undefined,
    createdAt,
    updatedAt,
    appVersion: c.appVersionName ?? undefined,
    device: device || undefined,
    osVersion: osVersion || undefined,
    thumbsUp: c.likeCounter ?? undefined,
    thumbsDown: c.dislikeCounter ?? undefined,
    editedFlag: c.edited ?? undefined,
    developerAnswer: developerAnswer(c),
    origin: 'api',
  };
}

/** One page's comments, each checked on its own: a malformed one is set aside with its reason. */
export function mapComments(pkg: string, items: readonly unknown[]): Parsed<Review> {
  return parseEach(
    commentSchema,
    items,
    (raw) => readId(raw, 'commentId'),
    (c) => commentToReview(pkg, c),
  );
}
