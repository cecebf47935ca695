/**
 * The store-neutral review. Every connector (API or public source) maps its payload to this,
 * so the sync engine, filters, tags and case templates never see a store's own shape.
 */
export const storeIds = ['app-store', 'google-play', 'rustore'] as const;
export type StoreId = (typeof storeIds)[number];

export const storeNames: Record<StoreId, string> = {
  'app-store': 'App Store',
  'google-play': 'Google Play',
  rustore: 'RuStore',
};

/** Where a review came from: the console API (credentials) or the store's public pages. */
export type ReviewOrigin = 'api' | 'public';

/** States of a developer answer across stores (Apple, Google, RuStore vocabularies merged). */
export type AnswerState = 'PUBLISHED' | 'PENDING_PUBLISH' | 'MODERATION' | 'REJECTED' | 'DELETED';

export interface DeveloperAnswer {
  text: string;
  /** ISO 8601 when the store gives it. */
  updatedAt?: string | undefined;
  state?: AnswerState | undefined;
  /** Store id of the answer (App Store response id, RuStore feedback id). */
  id?: string | undefined;
}

export interface Review {
  store: StoreId;
  /** App Store: numeric app id; Google Play and RuStore: package name. */
  appId: string;
  /** The store's review id (App Store UUID-like id, Google Play `gp:…`, RuStore commentId). */
  reviewId: string;
  rating: number;
  title?: string | undefined;
  text: string;
  author?: string | undefined;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601 of the last edit when the store tells it (Google Play, RuStore). */
  updatedAt?: string | undefined;
  /** App Store territory, ISO 3166 alpha-3 (e.g. `USA`). */
  territory?: string | undefined;
  /** Reviewer language, e.g. `en`, `ru` (Google Play). */
  language?: string | undefined;
  appVersion?: string | undefined;
  device?: string | undefined;
  osVersion?: string | undefined;
  thumbsUp?: number | undefined;
  thumbsDown?: number | undefined;
  /** Machine translation when the app asks for one (Google Play `translationLanguage`). */
  translation?: { language: string; text: string } | undefined;
  /** The store flags the review as edited (RuStore `edited`). */
  editedFlag?: boolean | undefined;
  developerAnswer?: DeveloperAnswer | undefined;
  origin: ReviewOrigin;
}

/** The stable key of a review, used as Omnidesk `user_custom_id` and in the case field. */
export function reviewKey(r: Pick<Review, 'store' | 'appId' | 'reviewId'>): string {
  return `${r.store}:${r.appId}:${r.reviewId}`;
}

export function parseReviewKey(key: string): { store: StoreId; appId: string; reviewId: string } | undefined {
  const first = key.indexOf(':');
  const second = key.indexOf(':', first + 1);
  if (first < 0 || second < 0) return undefined;
  const store = key.slice(0, first);
  if (!(storeIds as readonly string[]).includes(store)) return undefined;
  return { store: store as StoreId, appId: key.slice(first + 1, second), reviewId: key.slice(second + 1) };
}

/**
 * What makes two versions of a review "the same" to the customer: rating, title, text.
 * Apple gives no modification date, so an edit is found by comparing this.
 */
export function contentFingerprint(r: Pick<Review, 'rating' | 'title' | 'text'>): string {
  return JSON.stringify([r.rating, r.title ?? '', r.text]);
}
