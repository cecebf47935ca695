/**
 * App Store Connect API connector: customer reviews (newest first, paged by `links.next`) and
 * developer responses (create-or-overwrite, then PENDING_PUBLISH → PUBLISHED).
 * Contract notes: README.md beside this file.
 */
import type { ConfigLocation } from '../../../config/load.js';
import type { AppStoreConfig, Config } from '../../../config/schema.js';
import { resolveAppStore, type AppStoreCredentials } from './settings.js';
import type { Review } from '../../../domain/review.js';
import { RemoteError, type RemoteErrorKind } from '../../../errors.js';
import type { Logger } from '../../../log.js';
import type { ConnectorDeps } from '../../deps.js';
import { HttpClient, transportFrom, type ErrorDescription } from '../../http/client.js';
import { header, HeaderBudget } from '../../http/rate-limit.js';
import { matchPublicToApi } from '../app-store-public/map.js';
import {
  checkReplyLength,
  type AppRef,
  type Capabilities,
  type PublishedReply,
  type ReadOptions,
  type ReplyStatus,
  type ReviewPage,
  type StoreApp,
  type StoreConnector,
} from '../types.js';
import { AppStoreTokens, checkPrivateKey } from './auth.js';
import { answerState, mapPage } from './map.js';
import { parseEach, readId } from '../parse-records.js';
import {
  appSchema,
  appsPageSchema,
  errorsDocumentSchema,
  parseRateLimitHeader,
  responseDocumentSchema,
  reviewsPageSchema,
} from './schema.js';

export const serviceName = 'App Store Connect';
const pageSize = 200;
const hourMs = 3_600_000;
/** Requests kept back from the hourly budget, for other processes using the same key. */
const quotaReserve = 5;
const allRatings = [1, 2, 3, 4, 5];

/** Apple error codes are hierarchical (`ENTITY_ERROR.ATTRIBUTE.INVALID`): matched by prefix. */
const codeKinds: ReadonlyArray<readonly [string, RemoteErrorKind]> = [
  ['NOT_AUTHORIZED', 'auth'],
  ['FORBIDDEN_ERROR', 'permission'],
  ['RATE_LIMIT_EXCEEDED', 'rate-limited'],
  ['NOT_FOUND', 'not-found'],
  ['ENTITY_ERROR', 'rejected'],
  ['PARAMETER_ERROR', 'rejected'],
];

export function describeAppleError(status: number, body: unknown, keyId: string): ErrorDescription {
  const parsed = errorsDocumentSchema.safeParse(body);
  const first = parsed.success ? parsed.data.errors[0] : undefined;
  const code = first?.code;
  let kind = code ? codeKinds.find(([prefix]) => code.startsWith(prefix))?.[1] : undefined;
  if (status >= 500) kind = 'transient';
  const where = first?.source?.parameter ?? first?.source?.pointer;
  const text = first ? joinText(first.title, first.detail) + (where ? ` (${where})` : '') : undefined;
  const effective = kind ?? (status === 401 ? 'auth' : status === 403 ? 'permission' : undefined);
  if (effective === 'auth') {
    return {
      kind: 'auth',
      code,
      message: `the API key ${keyId} was refused: ${text || 'authentication credentials are missing or invalid'}`,
      hint: "Check stores.appStore.issuerId and keyId, that the key is still active in App Store Connect → Users and Access → Integrations, and that this computer's clock is right.",
    };
  }
  if (effective === 'permission') {
    return {
      kind: 'permission',
      code,
      message: `the API key ${keyId} is not allowed to do this: ${text || 'forbidden'}`,
      hint: 'Give the key the Admin, App Manager or Customer Support role in App Store Connect → Users and Access → Integrations.',
    };
  }
  return { kind, code, message: text || undefined };
}

export class AppStoreConnector implements StoreConnector {
  static readonly id = 'app-store-connect';
  static readonly store = 'app-store';
  static fromConfig(config: Config, location: ConfigLocation, deps: ConnectorDeps): AppStoreConnector | undefined {
    const creds = resolveAppStore(config, location);
    return creds ? new AppStoreConnector(config.stores.appStore, creds, deps) : undefined;
  }
  static hasCredentials(config: Config, location: ConfigLocation): boolean {
    return resolveAppStore(config, location) !== undefined;
  }

  readonly store = 'app-store' as const;
  readonly origin = 'api' as const;
  readonly capabilities: Capabilities;
  readonly http: HttpClient;
  private readonly tokens: AppStoreTokens;
  private readonly budget: HeaderBudget;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(
    private readonly cfg: AppStoreConfig,
    private readonly creds: AppStoreCredentials,
    deps: ConnectorDeps,
  ) {
    const setting = cfg.privateKey ? 'stores.appStore.privateKey' : 'stores.appStore.privateKeyPath';
    checkPrivateKey(creds.privateKeyPem, setting);
    this.logger = deps.logger;
    this.now = deps.now ?? Date.now;
    this.capabilities = {
      reply: true,
      maxReplyLength: cfg.maxReplyLength,
      replyNeedsReadBack: true,
      // No edit date in the API; an edited review may come back under a new id.
      editDetection: 'content',
      recreatesEditedReviews: true,
      fullScanEveryMs: cfg.fullScanHours * hourMs,
    };
    this.tokens = new AppStoreTokens(creds, setting, deps.now);
    this.budget = new HeaderBudget({
      windowMs: hourMs,
      read: (h) => parseRateLimitHeader(header(h, 'x-rate-limit')),
      reserve: quotaReserve,
      now: deps.now,
      wait: deps.wait,
    });
    this.http = new HttpClient({
      ...transportFrom(deps),
      service: serviceName,
      baseUrl: cfg.baseUrl,
      rateLimit: this.budget,
      auth: () => this.tokens.header(),
      onUnauthorized: () => this.tokens.invalidate(),
      describeError: (status, body) => describeAppleError(status, body, creds.keyId),
    });
  }

  async ping(): Promise<void> {
    await this.http.request({ path: '/v1/apps', query: { limit: 1, 'fields[apps]': 'name' }, schema: appsPageSchema });
  }

  async listApps(): Promise<StoreApp[]> {
    const apps: StoreApp[] = [];
    let path: string | undefined = '/v1/apps';
    let query: Record<string, string | number> | undefined = { limit: pageSize, 'fields[apps]': 'name,bundleId' };
    const seen = new Set<string>();
    while (path) {
      const res = await this.http.request({ path, query, schema: appsPageSchema });
      const listed = parseEach(appSchema, res.data.data, (raw) => readId(raw, 'id'));
      if (listed.setAside.length > 0)
        this.logger.warn('App Store Connect listed apps that cannot be used; skipped', {
          reasons: listed.setAside.map((s) => s.reason),
        });
      for (const a of listed.ok)
        apps.push({ appId: a.id, name: a.attributes?.name ?? a.id, bundleId: a.attributes?.bundleId ?? undefined });
      path = this.nextLink(res.data.links?.next, seen);
      query = undefined;
    }
    return apps;
  }

  async *readPages(app: AppRef, opts: ReadOptions = {}): AsyncIterable<ReviewPage> {
    let path: string | undefined = `/v1/apps/${encodeURIComponent(app.appId)}/customerReviews`;
    let query: Record<string, string | number | undefined> | undefined = {
      sort: '-createdDate',
      include: 'response',
      limit: pageSize,
      'filter[territory]':
        app.countries && app.countries.length > 0 ? app.countries.map((c) => c.toUpperCase()).join(',') : undefined,
      'filter[rating]': ratingFilter(app.ratings),
    };
    while (path) {
      const res = await this.http.request({ path, query, schema: reviewsPageSchema, signal: opts.signal });
      path = this.nextLink(res.data.links?.next);
      query = undefined;
      const { ok: reviews, setAside } = mapPage(app.appId, res.data, new Date(this.now()).toISOString());
      yield { reviews, setAside, next: path };
    }
  }

  /** The public feed has other ids: the same nickname, rating, title, text, territory and date. */
  matchesPublicReview(publicReview: Review, apiReview: Review): boolean {
    return matchPublicToApi(publicReview, [apiReview]) !== undefined;
  }

  async publishReply(_app: AppRef, reviewId: string, text: string): Promise<PublishedReply> {
    checkReplyLength(serviceName, text, this.cfg.maxReplyLength);
    const res = await this.http.request({
      method: 'POST',
      path: '/v1/customerReviewResponses',
      json: {
        data: {
          type: 'customerReviewResponses',
          attributes: { responseBody: text },
          relationships: { review: { data: { type: 'customerReviews', id: reviewId } } },
        },
      },
      schema: responseDocumentSchema,
      // Creating a response overwrites any earlier one, so sending twice is harmless.
      idempotent: true,
    });
    const data = res.data.data;
    if (!data)
      throw new RemoteError({
        kind: 'bad-payload',
        service: serviceName,
        status: res.status,
        message: `${serviceName}: the answer to POST /v1/customerReviewResponses has no "data"`,
      });
    return { state: answerState(data.attributes.state) ?? 'PENDING_PUBLISH', answerId: data.id };
  }

  async replyStatus(_app: AppRef, reviewId: string): Promise<ReplyStatus | undefined> {
    try {
      const res = await this.http.request({
        path: `/v1/customerReviews/${encodeURIComponent(reviewId)}/response`,
        schema: responseDocumentSchema,
      });
      const data = res.data.data;
      if (!data) return undefined;
      return {
        state: answerState(data.attributes.state) ?? 'PENDING_PUBLISH',
        text: data.attributes.responseBody ?? undefined,
        answerId: data.id,
      };
    } catch (err) {
      // Apple answers 404 when the review has no response.
      if (err instanceof RemoteError && err.kind === 'not-found') return undefined;
      throw err;
    }
  }

  quotaSnapshot(): Promise<Record<string, number | undefined>> {
    const s = this.budget.snapshot();
    return Promise.resolve({ hourRemaining: s.remaining, hourLimit: s.limit });
  }

  /**
   * `links.next` is followed as given, except that it must stay on our base URL: a link to
   * another host is re-based, so the token is never sent elsewhere (and proxies keep working).
   */
  private nextLink(next: string | undefined, seen?: Set<string>): string | undefined {
    if (!next) return undefined;
    const base = new URL(this.cfg.baseUrl);
    let url = new URL(next, base);
    if (url.origin !== base.origin) {
      this.logger.debug('re-basing links.next onto the configured base URL', { service: serviceName, host: url.host });
      url = new URL(base.href.replace(/\/+$/, '') + url.pathname + url.search);
    }
    const href = url.href;
    if (seen?.has(href))
      throw new RemoteError({
        kind: 'bad-payload',
        service: serviceName,
        message: `${serviceName}: links.next points back to a page already read (${url.pathname})`,
      });
    seen?.add(href);
    return href;
  }
}

/** Apple's title and detail as one sentence ("Title. Detail" or "Title: detail"). */
function joinText(title: string | undefined, detail: string | undefined): string {
  if (!title || !detail) return title ?? detail ?? '';
  return /[.!?]$/.test(title) ? `${title} ${detail}` : `${title}: ${detail}`;
}

function ratingFilter(ratings: readonly number[] | undefined): string | undefined {
  if (!ratings || ratings.length === 0) return undefined;
  const set = [...new Set(ratings)].filter((r) => allRatings.includes(r)).sort();
  return set.length > 0 && set.length < allRatings.length ? set.join(',') : undefined;
}

export function createAppStoreConnector(
  cfg: AppStoreConfig,
  creds: AppStoreCredentials,
  deps: ConnectorDeps,
): AppStoreConnector {
  return new AppStoreConnector(cfg, creds, deps);
}
