/**
 * Google Play review payload → store-neutral Review.
 */
import type { Review } from '../../../domain/review.js';
import type { GoogleReview, GoogleTimestamp } from './schema.js';

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

export function timestampIso(ts: GoogleTimestamp): string {
  return new Date(timestampMs(ts)).toISOString();
}

/**
 * With `translationLanguage` the API puts the translation in `text` and the words as written
 * in `originalText`; we keep what the customer wrote as the review and the translation aside.
 * Returns undefined for a review without a user comment (nothing to make a case of).
 */
export function mapReview(packageName: string, raw: GoogleReview, translationLanguage?: string): Review | undefined {
  const user = raw.comments.find((c) => c.userComment)?.userComment;
  if (!user) return undefined;
  const developer = raw.comments.find((c) => c.developerComment)?.developerComment;

  const translated = user.originalText !== undefined && translationLanguage !== undefined;
  const original = splitTitle(translated ? user.originalText! : user.text);
  let translation: Review['translation'];
  if (translated) {
    const t = splitTitle(user.text);
    translation = { language: translationLanguage, text: t.title ? `${t.title}\n${t.body}` : t.body };
  }

  // The API has no creation date: a review first seen is dated by its last modification, and
  // the engine keeps the createdAt it stored first for reviews it already knows.
  const modified = timestampIso(user.lastModified);
  return {
    store: 'google-play',
    appId: packageName,
    reviewId: raw.reviewId,
    rating: user.starRating,
    title: original.title,
    text: original.body,
    author: raw.authorName || undefined,
    createdAt: modified,
    updatedAt: modified,
    language: user.reviewerLanguage,
    appVersion: user.appVersionName ?? (user.appVersionCode !== undefined ? String(user.appVersionCode) : undefined),
    device: user.deviceMetadata?.productName ?? user.device,
    // Android API level (e.g. 33 for Android 13), as the API gives it.
    osVersion: user.androidOsVersion !== undefined ? String(user.androidOsVersion) : undefined,
    thumbsUp: user.thumbsUpCount,
    thumbsDown: user.thumbsDownCount,
    translation,
    developerAnswer: developer
      ? { text: developer.text, updatedAt: developer.lastModified ? timestampIso(developer.lastModified) : undefined, state: 'PUBLISHED' }
      : undefined,
    origin: 'api',
  };
}
