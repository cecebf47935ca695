/**
 * App Store Connect documents → store-neutral Reviews. Apple gives no edit date, language or
 * app version on a review; the engine finds edits by content fingerprint.
 */
import type { AnswerState, DeveloperAnswer, Review } from '../../../domain/review.js';
import { parseEach, readId, RecordError, type Parsed } from '../parse-records.js';
import {
  customerReviewResponseSchema,
  customerReviewSchema,
  type CustomerReview,
  type CustomerReviewResponse,
  type ReviewsPage,
} from './schema.js';

/** `2017-11-15T08:10:34-08:00` → `2017-11-15T16:10:34.000Z` (dates are checked by the schema). */
export function toIso(date: string): string {
  return new Date(date).toISOString();
}

export function answerState(state: string | null | undefined): AnswerState | undefined {
  return state === 'PUBLISHED' || state === 'PENDING_PUBLISH' ? state : undefined;
}

export function mapAnswer(r: CustomerReviewResponse): DeveloperAnswer {
  return {
    text: r.attributes.responseBody ?? '',
    updatedAt: r.attributes.lastModifiedDate ? toIso(r.attributes.lastModifiedDate) : undefined,
    state: answerState(r.attributes.state),
    id: r.id,
  };
}

/** `fetchedAt` dates a review that carries no `createdDate` (optional in the spec). */
export function mapReview(
  appId: string,
  r: CustomerReview,
  answer?: CustomerReviewResponse,
  fetchedAt?: string,
): Review {
  const a = r.attributes;
  return {
    store: 'app-store',
    appId,
    reviewId: r.id,
    rating: a.rating,
    title: a.title ?? undefined,
    text: a.body ?? '',
    author: a.reviewerNickname ?? undefined,
    createdAt: a.createdDate ? toIso(a.createdDate) : (fetchedAt ?? new Date().toISOString()),
    territory: a.territory ?? undefined,
    developerAnswer: answer ? mapAnswer(answer) : undefined,
    origin: 'api',
  };
}

/**
 * Joins each review with its response from `included` (by linkage, or by the response's
 * back-link). A review or response that fails its schema is set aside; so is a review whose
 * response is malformed, rather than be taken for an unanswered one.
 */
export function mapPage(appId: string, page: ReviewsPage, fetchedAt?: string): Parsed<Review> {
  const responses = parseEach(
    customerReviewResponseSchema,
    (page.included ?? []).filter((item) => readId(item, 'type') === 'customerReviewResponses'),
    (raw) => readId(raw, 'id'),
  );
  const broken = new Set(responses.setAside.map((s) => s.id));
  const byId = new Map<string, CustomerReviewResponse>();
  const byReview = new Map<string, CustomerReviewResponse>();
  for (const item of responses.ok) {
    byId.set(item.id, item);
    const reviewId = item.relationships?.review?.data?.id;
    if (reviewId) byReview.set(reviewId, item);
  }
  const reviews = parseEach(
    customerReviewSchema,
    page.data,
    (raw) => readId(raw, 'id'),
    (r) => {
      const linked = r.relationships?.response?.data?.id;
      if (linked !== undefined && broken.has(linked))
        throw new RecordError(`its response ${linked} is malformed (see the reason given for it)`);
      return mapReview(appId, r, (linked ? byId.get(linked) : undefined) ?? byReview.get(r.id), fetchedAt);
    },
  );
  return {
    ok: reviews.ok,
    setAside: [...reviews.setAside, ...responses.setAside.map((s) => ({ ...s, reason: `response ${s.reason}` }))],
  };
}
