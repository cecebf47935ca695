/**
 * Google Play review payload → store-neutral Review.
 */
import type { DeveloperAnswer, Review } from '../../../domain/review.js';
import { parseEach, readId, RecordError, type Parsed } from '../parse-records.js';
import { reviewSchema, type GoogleReview, type GoogleTimestamp } from './schema.js';

/** Google joins title and body with a TAB; a leading TAB means there is no title. */
export function splitTitle(text: string): { title?: string; body: string } {
  const tab = text.indexOf('\t');
  if (tab < 0) return { body: text.trim() };
  const title = text.slice(0, tab).trim();
  const body = text.slice(tab + 1).trim();
  return title ? { title, body } : { body };
}

export function timestampMs(ts: GoogleTimestamp): number {
  return Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** ISO 8601 of a timestamp; a RecordError (the record is set aside) when it is no date. */
export function timestampIso(ts: GoogleTimestamp, field = 'lastModified'): string {
  const ms = timestampMs(ts);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15)
    throw new RecordError(`field "${field}" is not a valid time (seconds ${String(ts.seconds)})`);
  return new Date(ms).toISOString();
}

/** The developer's reply of a review, when it has one. */
export function developerAnswerOf(raw: GoogleReview): DeveloperAnswer | undefined {
  const developer = raw.comments.find((c) => c.developerComment)?.developerComment;
  if (!developer) return undefined;
  return {
    text: developer.text ?? '',
    updatedAt: developer.lastModified
      ? timestampIso(developer.lastModified, 'developerComment.lastModified')
      : undefined,
    state: 'PUBLISHED',
  };
}

/**
 * With `translationLanguage` the API puts the translation in `text` and the words as written
 * in `originalText`; we keep what the customer wrote as the review and the translation aside.
 * An empty (or blank) `originalText` is no translation: the API leaves it blank when the text
 * was not translated. Every UserComment field is optional in the discovery document; a review
 * without a user comment (so without a rating) is a RecordError, set aside by the caller.
 * `fetchedAt` dates a comment that carries no `lastModified`.
 */
export function mapReview(
  packageName: string,
  raw: GoogleReview,
  translationLanguage?: string,
  fetchedAt?: string,
): Review {
  const user = raw.comments.find((c) => c.userComment)?.userComment;
  if (!user) throw new RecordError('has no userComment (no star rating)');
  const text = user.text ?? '';
  const originalText = user.originalText?.trim() ? user.originalText : undefined;
  const translated = originalText !== undefined && translationLanguage !== undefined && originalText !== text;
  const original = splitTitle(translated ? originalText : text);
  let translation: Review['translation'];
  if (translated) {
    const t = splitTitle(text);
    translation = { language: translationLanguage, text: t.title ? `${t.title}\n${t.body}` : t.body };
  }

  // The API has no creation date: a review first seen is dated by its last modification, and
  // the engine keeps the createdAt it stored first for reviews it already knows.
  const modified = user.lastModified ? timestampIso(user.lastModified, 'userComment.lastModified') : undefined;
  return {
    store: 'google-play',
    appId: packageName,
    reviewId: raw.reviewId,
    rating: user.starRating,
    title: original.title,
    text: original.body,
    author: raw.authorName || undefined,
    createdAt: modified ?? fetchedAt ?? new Date().toISOString(),
    updatedAt: modified,
    language: user.reviewerLanguage,
    appVersion: user.appVersionName ?? (user.appVersionCode !== undefined ? String(user.appVersionCode) : undefined),
    device: user.deviceMetadata?.productName ?? user.device,
    // Android API level (e.g. 33 for Android 13), as the API gives it.
    osVersion: user.androidOsVersion !== undefined ? String(user.androidOsVersion) : undefined,
    thumbsUp: user.thumbsUpCount,
    thumbsDown: user.thumbsDownCount,
    translation,
    developerAnswer: developerAnswerOf(raw),
    origin: 'api',
  };
}

/** One page's reviews, each checked on its own: a malformed one is set aside with its reason. */
export function mapPage(
  packageName: string,
  items: readonly unknown[],
  translationLanguage: string | undefined,
  fetchedAt: string,
): Parsed<Review> {
  return parseEach(
    reviewSchema,
    items,
    (raw) => readId(raw, 'reviewId'),
    (r) => mapReview(packageName, r, translationLanguage, fetchedAt),
  );
}
