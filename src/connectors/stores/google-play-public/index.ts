/**
 * Google Play reviews without credentials, read from the store's web backend through
 * `google-play-scraper` (v10, ESM). One request sequence per reviewer language, newest first.
 * Read-only; the review ids are those the Developer API uses, so a later switch to the API
 * keeps every review's key.
 */
import type { GooglePlayConfig } from '../../../config/schema.js';
import type { Review } from '../../../domain/review.js';
import { RemoteError, type RemoteErrorKind } from '../../../errors.js';
import { backoffDelay, sleep } from '../../../util/sleep.js';
import { formatZodPath } from '../../http/client.js';
import type { ConnectorDeps } from '../../deps.js';
import { publicCapabilities, type AppRef, type FetchOptions, type StoreConnector } from '../types.js';
import { defaultLanguages, mapScraped } from './map.js';
import { scrapedPageSchema, type ScrapedPage } from './schema.js';

export { matchPublicToApi, defaultLanguages } from './map.js';

const service = 'Google Play (public pages)';
/** The scraper always asks Google for 150 reviews per request; `num` only trims the answer. */
export const scraperPageSize = 150;
/** Pages per language per sync: 10 × 150 newest reviews is plenty between two syncs. */
export const defaultMaxPages = 10;
/** Google throttles scrapers hard (429, then captcha pages); stay at one request per 1.5 s. */
export const defaultPageIntervalMs = 1_500;
const sortNewest = 2;
const retries = 4;


export interface GooglePlayPublicOptions {
  pageIntervalMs?: number;
  maxPages?: number;
}

/** The options `reviews()` really takes: its typings omit `requestOptions` (passed to got). */
interface ScraperReviewsOptions {
  appId: string;
  lang: string;
  country: string;
  sort: number;
  num: number;
  paginate: boolean;
  nextPaginationToken?: string | undefined;
  requestOptions: Record<string, unknown>;
}
type ScraperReviews = (opts: ScraperReviewsOptions) => Promise<unknown>;

let scraperPromise: Promise<ScraperReviews> | undefined;

/** Loaded on first use: the scraper pulls in cheerio and got, which `status` or `init` never need. */
function loadScraper(): Promise<ScraperReviews> {
  scraperPromise ??= import('google-play-scraper').then((m) => {
    const reviews: ScraperReviews = m.default.reviews;
    return reviews;
  });
  return scraperPromise;
}

/**
 * got options that send the scraper's requests (hard-wired to https://play.google.com) to
 * `baseUrl` instead, keeping path and query: a `beforeRequest` hook rewrites the origin, so the
 * emulator or a proxy sees exactly what Google would. Retries are ours, not got's.
 */
export function scraperRequestOptions(baseUrl: string, timeoutMs: number): Record<string, unknown> {
  const base = new URL(baseUrl);
  const options: Record<string, unknown> = { retry: { limit: 0 }, timeout: { request: timeoutMs } };
  if (base.origin === 'https://play.google.com' && (base.pathname === '/' || base.pathname === '')) return options;
  const prefix = base.pathname.replace(/\/+$/, '');
  options.hooks = {
    beforeRequest: [
      (o: { url: URL | string }): void => {
        const original = new URL(String(o.url));
        o.url = new URL(`${prefix}${original.pathname}${original.search}`, base.origin);
      },
    ],
  };
  return options;
}

function statusOf(err: unknown): number | undefined {
  const s = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  return typeof s === 'number' ? s : undefined;
}

/** The scraper throws plain Errors (`status` set on HTTP errors); turn them into RemoteErrors. */
export function scraperError(err: unknown): RemoteError {
  if (err instanceof RemoteError) return err;
  const status = statusOf(err);
  const detail = err instanceof Error ? err.message.replace(/^Error requesting Google Play:/, '') : String(err);
  // The scraper indexes into Google's nested arrays; a changed or truncated answer fails there.
  if (status === undefined && (err instanceof SyntaxError || err instanceof TypeError)) {
    return new RemoteError({ kind: 'bad-payload', service, message: `${service}: the answer could not be read (${detail})`, cause: err });
  }
  let kind: RemoteErrorKind = 'transient';
  if (status === 429) kind = 'rate-limited';
  else if (status === 404) kind = 'not-found';
  else if (status === 403) kind = 'permission';
  else if (status !== undefined && status < 500) kind = 'rejected';
  const where = status === undefined ? 'network error' : `HTTP ${status}`;
  return new RemoteError({ kind, service, status, message: `${service}: ${where} (${detail})`, cause: err });
}

export function createGooglePlayPublicSource(cfg: GooglePlayConfig, deps: ConnectorDeps, options: GooglePlayPublicOptions = {}): StoreConnector {
  const logger = deps.logger;
  const now = deps.now ?? Date.now;
  const wait = deps.wait ?? ((ms: number) => sleep(ms));
  const interval = options.pageIntervalMs ?? defaultPageIntervalMs;
  const maxPages = options.maxPages ?? defaultMaxPages;
  const requestOptions = scraperRequestOptions(cfg.publicBaseUrl, deps.timeoutMs ?? 30_000);
  const country = cfg.publicCountry.toLowerCase();
  let nextAt = 0;

  // Our own pacing (not the scraper's `throttle`): that one is a process-wide singleton that
  // polls every millisecond and sleeps on the real clock, so tests could not make it instant.
  async function pace(): Promise<void> {
    const t = now();
    const delay = nextAt - t;
    nextAt = Math.max(t, nextAt) + interval;
    if (delay > 0) await wait(delay);
  }

  async function page(appId: string, lang: string, token: string | undefined): Promise<ScrapedPage> {
    const reviews = await loadScraper();
    for (let attempt = 0; ; attempt++) {
      await pace();
      let raw: unknown;
      try {
        raw = await reviews({ appId, lang, country, sort: sortNewest, num: scraperPageSize, paginate: true, nextPaginationToken: token, requestOptions });
      } catch (err) {
        const remote = scraperError(err);
        if (!remote.retryable || attempt >= retries) throw remote;
        const delay = backoffDelay(attempt, deps.backoffBaseMs ?? 500, 30_000);
        logger.debug('retrying request', { service, appId, lang, attempt: attempt + 1, delayMs: delay, reason: remote.message });
        await wait(delay);
        continue;
      }
      const parsed = scrapedPageSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new RemoteError({ kind: 'bad-payload', service, message: `${service}: unexpected review data: field "${formatZodPath(issue)}" ${issue.message}` });
      }
      return parsed.data;
    }
  }

  return {
    store: 'google-play',
    origin: 'public',
    capabilities: publicCapabilities,

    async ping(): Promise<void> {
      // Any well-formed answer (an unknown app gives an empty one) proves the pages answer.
      await page('com.google.android.apps.maps', 'en', undefined);
    },

    async *fetchReviews(app: AppRef, opts: FetchOptions = {}): AsyncIterable<Review[]> {
      const languages = app.languages && app.languages.length > 0 ? [...new Set(app.languages)] : defaultLanguages(country);
      const seen = new Set<string>();
      for (const lang of languages) {
        let token: string | undefined;
        for (let n = 0; n < maxPages; n++) {
          if (opts.signal?.aborted) throw opts.signal.reason;
          const res = await page(app.appId, lang, token);
          const reviews = res.data
            .map((item) => mapScraped(item, { appId: app.appId, language: lang }))
            .filter((r): r is Review => r !== undefined && !seen.has(r.reviewId));
          for (const r of reviews) seen.add(r.reviewId);
          if (reviews.length > 0) yield reviews;
          if (!res.nextPaginationToken || res.data.length === 0) break;
          if (!opts.full && opts.isKnownUnchanged && reviews.every(opts.isKnownUnchanged)) break;
          token = res.nextPaginationToken;
        }
      }
    },
  };
}
