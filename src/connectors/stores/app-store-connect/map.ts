/**
 * App Store Connect documents → store-neutral Reviews. Apple gives no edit date, language or
 * app version on a review; the engine finds edits by content fingerprint.
 */
import type { AnswerState, DeveloperAnswer, Review } from '../../../domain/review.js';
import type { CustomerReview, CustomerReviewResponse, ReviewsPage } from './schema.js';

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

export function mapReview(appId: string, r: CustomerReview, answer?: CustomerReviewResponse): Review {
  const a = r.attributes;
  return {
    store: 'app-store',
    appId,
    reviewId: r.id,
    rating: a.rating,
    title: a.title ?? undefined,
    text: a.body ?? '',
    author: a.reviewerNickname ?? undefined,
    createdAt: toIso(a.createdDate),
    territory: a.territory ?? undefined,
    developerAnswer: answer ? mapAnswer(answer) : undefined,
    origin: 'api',
  };
}

/** Joins each review with its response from `included` (by linkage, or by the response's back-link). */
export function mapPage(appId: string, page: ReviewsPage): Review[] {
  const byId = new Map<string, CustomerReviewResponse>();
  const byReview = new Map<string, CustomerReviewResponse>();
  for (const item of page.included ?? []) {
    if (item.type !== 'customerReviewResponses' || !('attributes' in item)) continue;
    byId.set(item.id, item);
    const reviewId = item.relationships?.review?.data?.id;
    if (reviewId) byReview.set(reviewId, item);
  }
  return page.data.map((r) => {
    const linked = r.relationships?.response?.data?.id;
    return mapReview(appId, r, (linked ? byId.get(linked) : undefined) ?? byReview.get(r.id));
  });
}
