/**
 * Scraped review → Review, the languages read when an app names none, and pairing a public
 * review with the Developer API's copy of it.
 */
import type { Review } from '../../../domain/review.js';
import { parseEach, readId, RecordError, type Parsed } from '../parse-records.js';
import { scrapedReviewSchema, type ScrapedReview } from './schema.js';

export interface MapContext {
  appId: string;
  /** The `hl` the page was asked in: Google returns reviews written in that language. */
  language: string;
}

function iso(s: string | null | undefined): string | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Undefined when the review has no readable date (cannot be ordered or deduplicated). */
export function mapScraped(item: ScrapedReview, ctx: MapContext): Review | undefined {
  const at = iso(item.date);
  if (!at) return undefined;
  const replyText = item.replyText ?? undefined;
  return {
    store: 'google-play',
    appId: ctx.appId,
    // The same id the Developer API calls `reviewId` (see README: `gp:AOqpTO…` on both sides).
    reviewId: item.id,
    rating: item.score,
    text: item.text ?? '',
    author: item.userName ?? undefined,
    // The web shows one date: the last time the review was written or edited.
    createdAt: at,
    updatedAt: at,
    language: ctx.language,
    appVersion: item.version ?? undefined,
    thumbsUp: item.thumbsUp ?? undefined,
    developerAnswer: replyText ? { text: replyText, updatedAt: iso(item.replyDate), state: 'PUBLISHED' } : undefined,
    origin: 'public',
  };
}

/** One page's reviews, each checked on its own: a malformed one is set aside with its reason. */
export function mapScrapedPage(items: readonly unknown[], ctx: MapContext): Parsed<Review> {
  const parsed = parseEach(
    scrapedReviewSchema,
    items,
    (raw) => readId(raw, 'id'),
    (item) => {
      const review = mapScraped(item, ctx);
      if (!review) throw new RecordError('field "date" is not a date');
      return review;
    },
  );
  return parsed;
}

/** Main language of the storefronts people configure most; English is always read too. */
const countryLanguage: Readonly<Record<string, string>> = {
  ru: 'ru',
  by: 'ru',
  kz: 'ru',
  ua: 'uk',
  de: 'de',
  at: 'de',
  ch: 'de',
  fr: 'fr',
  be: 'fr',
  es: 'es',
  mx: 'es',
  ar: 'es',
  it: 'it',
  pt: 'pt',
  br: 'pt',
  nl: 'nl',
  pl: 'pl',
  tr: 'tr',
  jp: 'ja',
  kr: 'ko',
  cn: 'zh',
  tw: 'zh',
  id: 'id',
  vn: 'vi',
  th: 'th',
  cz: 'cs',
  se: 'sv',
  no: 'no',
  dk: 'da',
  fi: 'fi',
  il: 'iw',
  sa: 'ar',
  ae: 'ar',
  eg: 'ar',
};

/**
 * Languages read when the app has no language filter: the storefront country's main language
 * plus English (Google Play's web pages list reviews by the `hl` language, so one language
 * would miss the others).
 */
export function defaultLanguages(country: string): string[] {
  const main = countryLanguage[country.toLowerCase()];
  return main && main !== 'en' ? [main, 'en'] : ['en'];
}

function normalise(s: string | undefined): string {
  return (s ?? '').normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The API joins an old title and the body with a tab; the web shows the body only. */
function apiBodies(text: string): string[] {
  const i = text.lastIndexOf('\t');
  return i < 0 ? [normalise(text)] : [normalise(text), normalise(text.slice(i + 1))];
}

const maxDateGapMs = 2 * 24 * 3600 * 1000;

/**
 * The Developer API review that is the same as a scraped one. Ids are the same on both sides,
 * so an identical id decides; the content comparison (author, rating, text, date within two
 * days, unambiguous) is a safety net should Google ever give the web a different id.
 */
export function matchPublicToApi(publicReview: Review, apiCandidates: Review[]): Review | undefined {
  const sameApp = apiCandidates.filter((c) => c.store === publicReview.store && c.appId === publicReview.appId);
  const byId = sameApp.find((c) => c.reviewId === publicReview.reviewId);
  if (byId) return byId;
  const at = Date.parse(publicReview.updatedAt ?? publicReview.createdAt);
  const fits = sameApp
    .filter((c) => c.rating === publicReview.rating)
    .filter((c) => apiBodies(c.text).includes(normalise(publicReview.text)))
    .filter((c) => !publicReview.author || !c.author || normalise(c.author) === normalise(publicReview.author))
    .map((c) => ({ c, gap: Math.abs(Date.parse(c.updatedAt ?? c.createdAt) - at) }))
    .filter((x) => !Number.isNaN(x.gap) && x.gap <= maxDateGapMs)
    .sort((a, b) => a.gap - b.gap);
  const [best, second] = fits;
  if (!best || (second && second.gap === best.gap)) return undefined;
  return best.c;
}
