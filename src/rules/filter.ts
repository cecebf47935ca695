/**
 * The per-app filters of the integration, as pure predicates: review type, ratings,
 * countries, languages, length. Each drop carries a reason that the run summary counts.
 */
import type { Filters } from '../config/schema.js';
import { storeDescriptor } from '../connectors/stores/registry.js';
import type { Review } from '../domain/review.js';

/** How a review version relates to the one before it. */
export type Change = 'new' | 'rating-up' | 'rating-down' | 'text-only';

export function classifyChange(previous: Pick<Review, 'rating'> | undefined, current: Pick<Review, 'rating'>): Change {
  if (!previous) return 'new';
  if (current.rating > previous.rating) return 'rating-up';
  if (current.rating < previous.rating) return 'rating-down';
  return 'text-only';
}

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/**
 * Words as a reader counts them, in any script. Splitting on spaces would make a Chinese or
 * Japanese paragraph one "word"; ICU's word segmentation (dictionary based for CJK and Thai)
 * counts them properly.
 */
export function countWords(text: string): number {
  let n = 0;
  for (const s of wordSegmenter.segment(text)) if (s.isWordLike) n++;
  return n;
}

export type DropReason = 'review-type' | 'rating' | 'country' | 'language' | 'length' | 'backlog';

export type Verdict = { keep: true } | { keep: false; reason: DropReason; detail: string };

/** `en` matches `en`, `en-GB` and `en_US`. */
export function languageMatches(reviewLanguage: string, wanted: readonly string[]): boolean {
  const norm = (s: string): string => s.toLowerCase().replace('_', '-');
  const lang = norm(reviewLanguage);
  return wanted.some((w) => {
    const want = norm(w);
    return lang === want || lang.startsWith(`${want}-`);
  });
}

export function evaluate(review: Review, change: Change, filters: Filters): Verdict {
  const type = filters.reviewType;
  const typeOk =
    type === 'all' ||
    (type === 'became-better' && change === 'rating-up') ||
    (type === 'became-worse' && change === 'rating-down') ||
    (type === 'updated' && change !== 'new');
  if (!typeOk)
    return {
      keep: false,
      reason: 'review-type',
      detail: `review type "${type}" does not take ${change === 'new' ? 'new reviews' : `a ${change} edit`}`,
    };

  if (!filters.ratings.includes(review.rating))
    return { keep: false, reason: 'rating', detail: `rating ${review.rating} not in ${filters.ratings.join(',')}` };

  const applies = storeDescriptor(review.store).filters;
  if (applies.countries && filters.countries.length > 0) {
    const territory = review.territory?.toUpperCase();
    if (!territory || !filters.countries.includes(territory))
      return {
        keep: false,
        reason: 'country',
        detail: `country ${territory ?? 'unknown'} not in ${filters.countries.join(',')}`,
      };
  }
  if (applies.languages && filters.languages.length > 0) {
    if (!review.language || !languageMatches(review.language, filters.languages))
      return {
        keep: false,
        reason: 'language',
        detail: `language ${review.language ?? 'unknown'} not in ${filters.languages.join(',')}`,
      };
  }

  if (filters.length !== 'all') {
    const words = countWords(review.text);
    if (filters.length === 'under-3-words' && words >= 3)
      return { keep: false, reason: 'length', detail: `${words} words, not under 3` };
    if (filters.length === 'over-3-words' && words <= 3)
      return { keep: false, reason: 'length', detail: `${words} words, not over 3` };
  }
  return { keep: true };
}
