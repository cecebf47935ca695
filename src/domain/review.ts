/**
 * The store-neutral review. Every connector (API or public source) maps its payload to this,
 * so the sync engine, filters, tags and case templates never see a store's own shape.
 */
import { createHash } from 'node:crypto';
import { storeIds, type StoreId } from '../connectors/stores/ids.js';

export { storeIds, type StoreId };

/** Where a review came from: the console API (credentials) or the store's public pages. */
export type ReviewOrigin = 'api' | 'public';

/** States of a developer answer across stores (the stores' vocabularies merged). */
export type AnswerState = 'PUBLISHED' | 'PENDING_PUBLISH' | 'MODERATION' | 'REJECTED' | 'DELETED';

export interface DeveloperAnswer {
  text: string;
  /** ISO 8601 when the store gives it. */
  updatedAt?: string | undefined;
  state?: AnswerState | undefined;
  /** The store's id of the answer, when it has one. */
  id?: string | undefined;
}

export interface Review {
  store: StoreId;
  /** The store's app id (a number or a package name). */
  appId: string;
  /** The store's review id. */
  reviewId: string;
  rating: number;
  title?: string | undefined;
  text: string;
  author?: string | undefined;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601 of the last edit when the store tells it. */
  updatedAt?: string | undefined;
  /** Storefront territory, ISO 3166 alpha-3 (e.g. `USA`). */
  territory?: string | undefined;
  /** Reviewer language, e.g. `en`, `ru`. */
  language?: string | undefined;
  appVersion?: string | undefined;
  device?: string | undefined;
  osVersion?: string | undefined;
  thumbsUp?: number | undefined;
  thumbsDown?: number | undefined;
  /** Machine translation when the app asks for one (`translationLanguage`). */
  translation?: { language: string; text: string } | undefined;
  /** The store flags the review as edited. */
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
 * Stores that give no modification date have their edits found by comparing this. It is also
 * the fingerprint states before #20 stored (the whole text), and the input of the stored hash.
 */
export function contentFingerprint(r: Pick<Review, 'rating' | 'title' | 'text'>): string {
  return JSON.stringify([r.rating, r.title ?? '', r.text]);
}

/** The fingerprint the state stores: sha256 of `contentFingerprint`, base64url (43 characters, whatever the text). */
export function storedFingerprint(r: Pick<Review, 'rating' | 'title' | 'text'>): string {
  return createHash('sha256').update(contentFingerprint(r)).digest('base64url');
}

/** A legacy fingerprint is JSON (starts with `[`), so it can never look like a hash. */
const hashForm = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether `r` has the content a stored fingerprint was taken of. Rows written before #20 hold
 * the full-text form: it is compared as such, so an upgrade does not make every review an edit.
 */
export function sameContent(stored: string, r: Pick<Review, 'rating' | 'title' | 'text'>): boolean {
  return hashForm.test(stored) ? stored === storedFingerprint(r) : stored === contentFingerprint(r);
}
