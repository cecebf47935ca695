/**
 * Google Play reviews without credentials, read from the store's web backend through
 * `google-play-scraper` (v10, ESM). One request sequence per reviewer language, newest first.
 * Read-only; the review ids are those the Developer API uses, so a later switch to the API
 * keeps every review's key.
 */
import type { Config, GooglePlayConfig } from '../../../config/schema.js';
import { RemoteError, type RemoteErrorKind } from '../../../errors.js';
import { backoffDelay, sleep } from '../../../util/sleep.js';
import { formatZodPath } from '../../http/client.js';
import type { ConnectorDeps } from '../../deps.js';
import {
  publicCapabilities,
  type AppRef,
  type Capabilities,
  type ReadOptions,
  type ReviewPage,
  type StoreConnector,
} from '../types.js';
import { defaultLanguages, mapScrapedPage } from './map.js';
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
    return new RemoteError({
      kind: 'bad-payload',
      service,
      message: `${service}: the answer could not be read (${detail})`,
      cause: err,
    });
  }
  let kind: RemoteErrorKind = 'transient';
  if (status === 429) kind = 'rate-limited';
  else if (status === 404) kind = 'not-found';
  else if (status === 403) kind = 'permission';
  else if (status !== undefined && status < 500) kind = 'rejected';
  const where = status === undefined ? 'network error' : `HTTP ${status}`;
  return new RemoteError({ kind, service, status, message: `${service}: ${where} (${detail})`, cause: err });
}

export class GooglePlayPublicSource implements StoreConnector {
  static readonly id = 'google-play-public';
  static readonly store = 'google-play';
  static fromConfig(config: Config, deps: ConnectorDeps): GooglePlayPublicSource {
    return new GooglePlayPublicSource(config.stores.googlePlay, deps);
  }

  readonly store = 'google-play' as const;
  readonly origin = 'public' as const;
  readonly capabilities: Capabilities = {
    ...publicCapabilities,
    editDetection: 'edit-date',
    recreatesEditedReviews: false,
  };
  private readonly now: () => number;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly interval: number;
  private readonly maxPages: number;
  private readonly requestOptions: Record<string, unknown>;
  private readonly country: string;
  private nextAt = 0;

  constructor(
    cfg: GooglePlayConfig,
    private readonly deps: ConnectorDeps,
    options: GooglePlayPublicOptions = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.wait = deps.wait ?? ((ms: number) => sleep(ms));
    this.interval = options.pageIntervalMs ?? defaultPageIntervalMs;
    this.maxPages = options.maxPages ?? defaultMaxPages;
    this.requestOptions = scraperRequestOptions(cfg.publicBaseUrl, deps.timeoutMs ?? 30_000);
    this.country = cfg.publicCountry.toLowerCase();
  }

  async ping(): Promise<void> {
    // Any well-formed answer (an unknown app gives an empty one) proves the pages answer.
    await this.page('com.google.android.apps.maps', 'en', undefined);
  }

  /** One page sequence per reviewer language. */
  slices(app: AppRef): string[] {
    return app.languages && app.languages.length > 0 ? [...new Set(app.languages)] : defaultLanguages(this.country);
  }

  async *readPages(app: AppRef, opts: ReadOptions = {}): AsyncIterable<ReviewPage> {
    const lang = opts.slice ?? this.slices(app)[0]!;
    let token: string | undefined;
    for (let n = 0; n < this.maxPages; n++) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const res = await this.page(app.appId, lang, token);
      const { ok: reviews, setAside } = mapScrapedPage(res.data, { appId: app.appId, language: lang });
      token = res.data.length > 0 && n + 1 < this.maxPages ? (res.nextPaginationToken ?? undefined) : undefined;
      yield { reviews, setAside, next: token };
      if (!token) return;
    }
  }

  // Our own pacing (not the scraper's `throttle`): that one is a process-wide singleton that
  // polls every millisecond and sleeps on the real clock, so tests could not make it instant.
  private async pace(): Promise<void> {
    const t = this.now();
    const delay = this.nextAt - t;
    this.nextAt = Math.max(t, this.nextAt) + this.interval;
    if (delay > 0) await this.wait(delay);
  }

  private async page(appId: string, lang: string, token: string | undefined): Promise<ScrapedPage> {
    const reviews = await loadScraper();
    const { country, requestOptions, deps } = this;
    for (let attempt = 0; ; attempt++) {
      await this.pace();
      let raw: unknown;
      try {
        raw = await reviews({
          appId,
          lang,
          country,
          sort: sortNewest,
          num: scraperPageSize,
          paginate: true,
          nextPaginationToken: token,
          requestOptions,
        });
      } catch (err) {
        const remote = scraperError(err);
        if (!remote.retryable || attempt >= retries) throw remote;
        const delay = backoffDelay(attempt, deps.backoffBaseMs ?? 500, 30_000);
        deps.logger.debug('retrying request', {
          service,
          appId,
          lang,
          attempt: attempt + 1,
          delayMs: delay,
          reason: remote.message,
        });
        await this.wait(delay);
        continue;
      }
      const parsed = scrapedPageSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new RemoteError({
          kind: 'bad-payload',
          service,
          message: `${service}: unexpected review data: field "${formatZodPath(issue)}" ${issue.message}`,
        });
      }
      return parsed.data;
    }
  }
}

export function createGooglePlayPublicSource(
  cfg: GooglePlayConfig,
  deps: ConnectorDeps,
  options: GooglePlayPublicOptions = {},
): StoreConnector {
  return new GooglePlayPublicSource(cfg, deps, options);
}
