/** Public RuStore comment → Review. */
import type { Review } from '../../../domain/review.js';
import { parseEach, readId, RecordError, type Parsed } from '../parse-records.js';
import { publicCommentSchema, type PublicComment } from './schema.js';

/**
 * ISO 8601 from RuStore's dates. Zone-less ones (`2023-06-01 18:10:43.043`, as the feedback API
 * writes them) are Moscow time, UTC+3 all year.
 */
export function rustoreIso(s: string | null | undefined): string | undefined {
  if (!s) return undefined;
  const trimmed = s.trim().replace(' ', 'T');
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed);
  const t = Date.parse(hasZone ? trimmed : `${trimmed}+03:00`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function answerOf(c: PublicComment): Review['developerAnswer'] {
  const r = c.devResponse;
  if (typeof r === 'string')
    return r ? { text: r, updatedAt: rustoreIso(c.devResponseDate), state: 'PUBLISHED' } : undefined;
  const last = r?.at(-1);
  return last
    ? {
        text: last.text,
        updatedAt: rustoreIso(last.date),
        state: last.status === 'PUBLISHED' ? 'PUBLISHED' : undefined,
      }
    : undefined;
}

export function mapComment(c: PublicComment, appId: string): Review | undefined {
  const createdAt = rustoreIso(c.commentDate);
  if (!createdAt) return undefined;
  return {
    store: 'rustore',
    appId,
    reviewId: String(c.commentId),
    rating: c.appRating,
    text: c.commentText ?? '',
    author: c.firstName ?? undefined,
    createdAt,
    updatedAt: rustoreIso(c.updatedAt) ?? createdAt,
    appVersion: c.appVersionName ?? undefined,
    thumbsUp: c.likeCounter ?? undefined,
    thumbsDown: c.dislikeCounter ?? undefined,
    editedFlag: c.edited ?? undefined,
    developerAnswer: answerOf(c),
    origin: 'public',
  };
}

/** One page's comments, each checked on its own: a malformed one is set aside with its reason. */
export function mapComments(items: readonly unknown[], appId: string): Parsed<Review> {
  const parsed = parseEach(
    publicCommentSchema,
    items,
    (raw) => readId(raw, 'commentId'),
    (c) => {
      const review = mapComment(c, appId);
      if (!review) throw new RecordError(`field "commentDate" is not a date (${c.commentDate.slice(0, 40)})`);
      return review;
    },
  );
  return parsed;
}
