/**
 * Feed entry → Review, territory codes (the config speaks ISO alpha-3 like App Store Connect,
 * the feed URL wants alpha-2), paging links, and matching a public review to its API twin.
 */
import type { Review } from '../../../domain/review.js';
import { parseEach, readId, RecordError, type Parsed } from '../parse-records.js';
import { feedEntrySchema, type Feed, type FeedEntry } from './schema.js';

/** The storefronts people ask about most; unknown codes are reported, never guessed. */
export const alpha3ToAlpha2: Readonly<Record<string, string>> = {
  USA: 'us',
  CAN: 'ca',
  MEX: 'mx',
  BRA: 'br',
  ARG: 'ar',
  CHL: 'cl',
  COL: 'co',
  PER: 'pe',
  GBR: 'gb',
  IRL: 'ie',
  DEU: 'de',
  FRA: 'fr',
  ITA: 'it',
  ESP: 'es',
  PRT: 'pt',
  NLD: 'nl',
  BEL: 'be',
  LUX: 'lu',
  CHE: 'ch',
  AUT: 'at',
  DNK: 'dk',
  SWE: 'se',
  NOR: 'no',
  FIN: 'fi',
  ISL: 'is',
  POL: 'pl',
  CZE: 'cz',
  SVK: 'sk',
  HUN: 'hu',
  ROU: 'ro',
  BGR: 'bg',
  GRC: 'gr',
  HRV: 'hr',
  SVN: 'si',
  SRB: 'rs',
  EST: 'ee',
  LVA: 'lv',
  LTU: 'lt',
  UKR: 'ua',
  BLR: 'by',
  RUS: 'ru',
  KAZ: 'kz',
  UZB: 'uz',
  KGZ: 'kg',
  TJK: 'tj',
  ARM: 'am',
  AZE: 'az',
  GEO: 'ge',
  MDA: 'md',
  TUR: 'tr',
  ISR: 'il',
  ARE: 'ae',
  SAU: 'sa',
  QAT: 'qa',
  KWT: 'kw',
  EGY: 'eg',
  ZAF: 'za',
  NGA: 'ng',
  KEN: 'ke',
  IND: 'in',
  PAK: 'pk',
  CHN: 'cn',
  HKG: 'hk',
  TWN: 'tw',
  JPN: 'jp',
  KOR: 'kr',
  SGP: 'sg',
  MYS: 'my',
  IDN: 'id',
  THA: 'th',
  VNM: 'vn',
  PHL: 'ph',
  AUS: 'au',
  NZL: 'nz',
};

const alpha2ToAlpha3: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(alpha3ToAlpha2).map(([a3, a2]) => [a2, a3]),
);

export function toAlpha2(alpha3: string): string | undefined {
  return alpha3ToAlpha2[alpha3.toUpperCase()];
}

export function toAlpha3(alpha2: string): string | undefined {
  return alpha2ToAlpha3[alpha2.toLowerCase()];
}

/** The numeric review id; some feeds give a review URL (`…/review/id123?type=…`) instead. */
export function feedReviewId(idLabel: string): string | undefined {
  const trimmed = idLabel.trim();
  if (/^\d+$/.test(trimmed)) return trimmed;
  return /id(\d+)/.exec(trimmed)?.[1] ?? /(\d+)(?!.*\d)/.exec(trimmed)?.[1];
}

function isoOrUndefined(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export interface MapContext {
  appId: string;
  /** Alpha-2 of the storefront whose feed was read. */
  country: string;
  /** Feed-level `updated`, used when an (old) entry has none. */
  feedUpdated?: string | undefined;
}

/** Entry → Review; undefined when the entry carries no usable id or date. */
export function mapEntry(entry: FeedEntry, ctx: MapContext): Review | undefined {
  const reviewId = feedReviewId(entry.id.label);
  const when = isoOrUndefined(entry.updated?.label) ?? isoOrUndefined(ctx.feedUpdated);
  if (!reviewId || !when) return undefined;
  const title = entry.title?.label;
  const version = entry['im:version']?.label;
  return {
    store: 'app-store',
    appId: ctx.appId,
    reviewId,
    rating: Number(entry['im:rating'].label),
    title: title === undefined || title === '' ? undefined : title,
    text: entry.content.label,
    author: entry.author.name.label || undefined,
    // The feed has one date: the last time the review was written or edited.
    createdAt: when,
    updatedAt: when,
    territory: toAlpha3(ctx.country) ?? ctx.country.toUpperCase(),
    appVersion: version === undefined || version === '' ? undefined : version,
    origin: 'public',
  };
}

/** One feed page's entries, each checked on its own: a malformed one is set aside with its reason. */
export function mapEntries(feed: Feed, ctx: MapContext): Parsed<Review> {
  const parsed = parseEach(
    feedEntrySchema,
    feed.feed.entry,
    (raw) => readId(raw, 'id', 'label'),
    (e) => {
      const review = mapEntry(e, ctx);
      if (!review)
        throw new RecordError(
          feedReviewId(e.id.label)
            ? 'has no readable date (field "updated", nor one for the feed)'
            : 'field "id.label" holds no review id',
        );
      return review;
    },
  );
  return parsed;
}

/**
 * Last page number from `link rel=last`. Apple's paging links point at the XML variant
 * (`…/page=8/id=…/sortby=mostrecent/xml?urlDesc=…`), so only the number is taken from them.
 */
export function lastPageOf(feed: Feed): number | undefined {
  const last = feed.feed.link.find((l) => l.attributes.rel === 'last')?.attributes.href;
  const n = last ? /page=(\d+)/i.exec(last)?.[1] : undefined;
  return n ? Number(n) : undefined;
}

function normalise(s: string | undefined): string {
  return (s ?? '').normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** How far apart two reviews' dates may be and still be the same review. */
const maxDateGapMs = 3 * 24 * 3600 * 1000;

/**
 * Finds the App Store Connect review that is the same review as one read from the public feed.
 * No relation between the feed's numeric id and the API's id was found in public sources (see
 * README), so apart from an identical id this compares content: rating, text, title, author
 * (the API's `reviewerNickname`), territory, and dates within three days. When two candidates
 * fit equally well nothing is returned: a wrong match would attach a reply to the wrong review.
 */
export function matchPublicToApi(publicReview: Review, apiCandidates: Review[]): Review | undefined {
  const sameApp = apiCandidates.filter((c) => c.store === publicReview.store && c.appId === publicReview.appId);
  const byId = sameApp.find((c) => c.reviewId === publicReview.reviewId);
  if (byId) return byId;

  const at = Date.parse(publicReview.updatedAt ?? publicReview.createdAt);
  const scored: { review: Review; gap: number }[] = [];
  for (const c of sameApp) {
    if (c.rating !== publicReview.rating) continue;
    if (normalise(c.text) !== normalise(publicReview.text)) continue;
    if (normalise(c.title) !== normalise(publicReview.title)) continue;
    if (publicReview.author && c.author && normalise(c.author) !== normalise(publicReview.author)) continue;
    if (publicReview.territory && c.territory && c.territory.toUpperCase() !== publicReview.territory.toUpperCase())
      continue;
    const cAt = Date.parse(c.updatedAt ?? c.createdAt);
    const gap = Number.isNaN(at) || Number.isNaN(cAt) ? maxDateGapMs : Math.abs(cAt - at);
    if (gap > maxDateGapMs) continue;
    scored.push({ review: c, gap });
  }
  scored.sort((a, b) => a.gap - b.gap);
  const [best, second] = scored;
  if (!best) return undefined;
  if (second && second.gap === best.gap) return undefined;
  return best.review;
}
