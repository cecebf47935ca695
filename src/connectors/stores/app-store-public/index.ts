/**
 * App Store reviews without credentials: Apple's public customer-reviews feed, one storefront
 * at a time. Read-only (no replies); ids are the feed's numeric ids, which differ from
 * App Store Connect's, so `matchPublicToApi` pairs them once credentials are added.
 */
import type { AppStoreConfig, Config } from '../../../config/schema.js';
import { ConfigError, RemoteError } from '../../../errors.js';
import type { Logger } from '../../../log.js';
import type { ConnectorDeps } from '../../deps.js';
import { HttpClient, transportFrom } from '../../http/client.js';
import { MinIntervalPolicy } from '../../http/rate-limit.js';
import {
  publicCapabilities,
  type AppRef,
  type Capabilities,
  type ReadOptions,
  type ReviewPage,
  type StoreConnector,
} from '../types.js';
import { lastPageOf, mapEntries, toAlpha2 } from './map.js';
import { feedSchema } from './schema.js';

export { matchPublicToApi, alpha3ToAlpha2, toAlpha2, toAlpha3 } from './map.js';

/** Apple serves at most 10 pages of 50 per storefront ("page depth is limited to 10"). */
export const maxFeedPages = 10;
export const feedPageSize = 50;
/** Extra tries for a page that comes back empty although the previous page announced it. */
export const emptyPageRetries = 2;
/** Apple publishes no limit for the feed; one request a second keeps us well clear of bursts. */
export const defaultPageIntervalMs = 1_000;

export interface AppStorePublicOptions {
  /** Least time between two feed requests (any storefront). */
  pageIntervalMs?: number;
}

/** Storefronts (alpha-2) to read for an app: its country filter, else the configured defaults. */
export function feedCountries(app: AppRef, cfg: AppStoreConfig, logger: Logger): string[] {
  if (!app.countries || app.countries.length === 0)
    return [...new Set(cfg.publicCountries.map((c) => c.toLowerCase()))];
  const known: string[] = [];
  const unknown: string[] = [];
  for (const code of app.countries) {
    const a2 = toAlpha2(code);
    if (a2) known.push(a2);
    else unknown.push(code);
  }
  if (unknown.length > 0) {
    logger.warn('App Store public feed: skipping territories without a known storefront code', {
      appId: app.appId,
      territories: unknown,
    });
  }
  if (known.length === 0) {
    throw new ConfigError(
      `App Store public feed: none of the territories ${unknown.join(', ')} of app ${app.appId} maps to a storefront this tool knows.`,
      [{ path: 'apps.filters.countries', message: `unknown territories: ${unknown.join(', ')}` }],
      'Use ISO 3166 alpha-3 codes such as USA, GBR, RUS, DEU, JPN, or leave the filter empty to read stores.appStore.publicCountries.',
    );
  }
  return [...new Set(known)];
}

export class AppStorePublicSource implements StoreConnector {
  static readonly id = 'app-store-public';
  static readonly store = 'app-store';
  static fromConfig(config: Config, deps: ConnectorDeps): AppStorePublicSource {
    return new AppStorePublicSource(config.stores.appStore, deps);
  }

  readonly store = 'app-store' as const;
  readonly origin = 'public' as const;
  readonly capabilities: Capabilities = {
    ...publicCapabilities,
    editDetection: 'content',
    recreatesEditedReviews: true,
  };
  private readonly client: HttpClient;
  private readonly logger: Logger;

  constructor(
    private readonly cfg: AppStoreConfig,
    deps: ConnectorDeps,
    options: AppStorePublicOptions = {},
  ) {
    this.logger = deps.logger;
    this.client = new HttpClient({
      ...transportFrom(deps),
      service: 'App Store public feed',
      baseUrl: cfg.publicBaseUrl,
      logger: deps.logger,
      concurrency: 1,
      rateLimit: new MinIntervalPolicy(options.pageIntervalMs ?? defaultPageIntervalMs, deps.now, deps.wait),
      describeError: (status, body) => {
        const text = typeof body === 'string' ? body.slice(0, 200) : undefined;
        // Asking past page 10 is refused with a 400 whose text says so.
        if (status === 400 && text && /page depth/i.test(text))
          return { kind: 'rejected', code: 'PAGE_DEPTH', message: text };
        return { message: text };
      },
    });
  }

  async ping(): Promise<void> {
    const country = this.cfg.publicCountries[0]?.toLowerCase() ?? 'us';
    try {
      // Any well-formed feed (an unknown app gives an empty one) proves the source answers.
      await this.client.request({ path: feedPath(country, '1', 1), schema: feedSchema });
    } catch (err) {
      if (err instanceof RemoteError && (err.kind === 'not-found' || err.kind === 'rejected')) return;
      throw err;
    }
  }

  /** One page sequence per storefront. */
  slices(app: AppRef): string[] {
    return feedCountries(app, this.cfg, this.logger);
  }

  async *readPages(app: AppRef, opts: ReadOptions = {}): AsyncIterable<ReviewPage> {
    const country = opts.slice ?? this.slices(app)[0]!;
    /** Last page as the previous page's `rel=last` link announced it. */
    let announcedLast: number | undefined;
    let emptyRetries = 0;
    for (let page = 1; page <= Math.min(announcedLast ?? maxFeedPages, maxFeedPages); page++) {
      const moreAnnounced = announcedLast !== undefined && page <= announcedLast;
      let feed;
      try {
        feed = (
          await this.client.request({
            path: feedPath(country, app.appId, page),
            schema: feedSchema,
            signal: opts.signal,
          })
        ).data;
      } catch (err) {
        // A storefront where the app is not sold: nothing to read there.
        if (err instanceof RemoteError && err.kind === 'not-found') {
          this.logger.debug('App Store public feed: no feed for this storefront', { appId: app.appId, country });
          return;
        }
        throw err;
      }
      const ctx = { appId: app.appId, country, feedUpdated: feed.feed.updated?.label };
      const { ok: reviews, setAside } = mapEntries(feed, ctx);
      if (reviews.length === 0 && setAside.length === 0) {
        // The feed sometimes answers a page empty and full on the next try. Mid-stream, when
        // the previous page announced more, ask again rather than lose the rest of a full scan.
        // An empty page 1 is not retried: the next sync reads it anyway.
        if (moreAnnounced && emptyRetries < emptyPageRetries) {
          emptyRetries++;
          page--;
          continue;
        }
        return;
      }
      emptyRetries = 0;
      announcedLast = lastPageOf(feed) ?? announcedLast;
      const more = page < Math.min(announcedLast ?? maxFeedPages, maxFeedPages);
      yield { reviews, setAside, next: more ? String(page + 1) : undefined };
    }
  }
}

function feedPath(country: string, appId: string, page: number): string {
  return `/${country}/rss/customerreviews/page=${page}/id=${encodeURIComponent(appId)}/sortby=mostrecent/json`;
}

export function createAppStorePublicSource(
  cfg: AppStoreConfig,
  deps: ConnectorDeps,
  options: AppStorePublicOptions = {},
): StoreConnector {
  return new AppStorePublicSource(cfg, deps, options);
}
