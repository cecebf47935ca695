/**
 * Google Play Developer API v3 (Reply to Reviews): reads the last seven days of reviews and
 * publishes replies. https://developers.google.com/android-publisher/reply-to-reviews
 */
import type { ConfigLocation } from '../../../config/load.js';
import type { Config, GooglePlayConfig } from '../../../config/schema.js';
import { resolveGooglePlay, type GooglePlayCredentials } from './settings.js';
import { memoryUsageLedger, type ConnectorDeps } from '../../deps.js';
import { HttpClient, transportFrom, type ErrorDescription } from '../../http/client.js';
import {
  checkReplyLength,
  type AppRef,
  type Capabilities,
  type PublishedReply,
  type ReadOptions,
  type ReplyStatus,
  type ReviewPage,
  type StoreConnector,
} from '../types.js';
import { RemoteError } from '../../../errors.js';
import { ServiceAccountTokens } from './auth.js';
import { developerAnswerOf, mapPage } from './map.js';
import { RecordError } from '../parse-records.js';
import { QuotaBook } from './quota.js';
import { googleErrorSchema, replyResultSchema, reviewSchema, reviewsListSchema } from './schema.js';

const service = 'Google Play';
/** Largest page the API gives; it may still answer with fewer. */
const pageSize = 100;

const quotaReasons = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'dailyLimitExceeded',
  'quotaExceeded',
  'servingLimitExceeded',
]);

/** Reads Google's `{error:{code,message,errors[{reason,domain}],status}}` into our error kinds. */
export function describeGoogleError(status: number, body: unknown, clientEmail: string): ErrorDescription {
  const parsed = googleErrorSchema.safeParse(body);
  const e = parsed.success ? parsed.data.error : undefined;
  const first = e?.errors?.[0];
  const reason = first?.reason;
  const code = reason ?? e?.status;
  const google = e?.message ?? first?.message ?? undefined;
  if (status === 401) {
    return {
      kind: 'auth',
      code,
      message: google ?? 'the access token was refused',
      hint: 'The service-account key may have been revoked: create a new key in Google Cloud Console.',
    };
  }
  if (status === 429) return { kind: 'rate-limited', code, message: google };
  if (status === 403) {
    if (first?.domain === 'usageLimits' || (reason !== undefined && quotaReasons.has(reason))) {
      return {
        kind: 'quota',
        code,
        message: google ?? 'quota exceeded',
        hint: 'The Reply to Reviews quota is per app (200 reads per hour, 2,000 replies per day); Google can raise it: https://support.google.com/googleplay/android-developer/contact/review_apiqr',
      };
    }
    if (reason === 'insufficientPermissions' || e?.status === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT') {
      return {
        kind: 'auth',
        code,
        message: `the access token lacks the androidpublisher scope (${google ?? 'insufficient scopes'})`,
      };
    }
    return {
      kind: 'permission',
      code,
      message: `the service account ${clientEmail} may not read or answer this app's reviews (${google ?? 'permission denied'}). In Play Console → Users and permissions, invite ${clientEmail} and grant it "Reply to reviews" for this app`,
      hint: `Play Console → Users and permissions → Invite new users: ${clientEmail}, app permission "Reply to reviews". It can take up to a day to apply.`,
    };
  }
  if (status === 404) return { kind: 'not-found', code, message: google };
  if (status >= 500) return { kind: 'transient', code, message: google };
  return { kind: 'rejected', code, message: google };
}

/** The API lists only reviews created or edited in the last seven days. */
const reviewWindowDays = 7;
/** A quarter of the default hourly read quota (200): an endless token chain cannot spend more. */
const maxPagesPerRun = 50;

export class GooglePlayConnector implements StoreConnector {
  static readonly id = 'google-play';
  static readonly store = 'google-play';
  static readonly reviewWindowDays = reviewWindowDays;
  static fromConfig(config: Config, location: ConfigLocation, deps: ConnectorDeps): GooglePlayConnector | undefined {
    const creds = resolveGooglePlay(config, location);
    return creds ? new GooglePlayConnector(config.stores.googlePlay, creds, deps) : undefined;
  }
  static hasCredentials(config: Config, location: ConfigLocation): boolean {
    return resolveGooglePlay(config, location) !== undefined;
  }

  readonly store = 'google-play' as const;
  readonly origin = 'api' as const;
  readonly capabilities: Capabilities;
  readonly http: HttpClient;
  readonly tokens: ServiceAccountTokens;
  private readonly quota: QuotaBook;

  private readonly now: () => number;

  constructor(cfg: GooglePlayConfig, creds: GooglePlayCredentials, deps: ConnectorDeps) {
    const account = { ...creds.serviceAccount, token_uri: cfg.tokenUri ?? creds.serviceAccount.token_uri };
    this.capabilities = {
      reply: true,
      maxReplyLength: cfg.maxReplyLength,
      replyNeedsReadBack: false,
      editDetection: 'edit-date',
      recreatesEditedReviews: false,
      reviewWindowDays,
      maxPagesPerRun,
    };
    const now = deps.now ?? Date.now;
    this.now = now;
    this.tokens = new ServiceAccountTokens(account, {
      logger: deps.logger,
      now,
      timeoutMs: deps.timeoutMs,
      dispatcher: deps.dispatcher,
    });
    this.quota = new QuotaBook(
      deps.usage ?? memoryUsageLedger(),
      { getPerHour: cfg.quotaGetPerHour, postPerDay: cfg.quotaPostPerDay },
      now,
    );
    this.http = new HttpClient({
      ...transportFrom(deps),
      service,
      baseUrl: cfg.baseUrl,
      auth: async () => ({ authorization: `Bearer ${await this.tokens.token()}` }),
      onUnauthorized: () => this.tokens.invalidate(),
      describeError: (status, body) => describeGoogleError(status, body, account.client_email),
    });
  }

  /** No app is known yet: exchanging a token proves the key (not the Play Console access). */
  async ping(): Promise<void> {
    await this.tokens.token();
  }

  /** One-review read: tells a missing Play Console permission (403) apart from a bad key. */
  async checkApp(packageName: string): Promise<void> {
    await this.quota.spend('get', packageName);
    await this.http.request({ path: reviewsPath(packageName), query: { maxResults: 1 }, schema: reviewsListSchema });
  }

  /** Each page spends one read of the app's quota, so a page is asked for only when the engine wants it. */
  async *readPages(app: AppRef, opts: ReadOptions = {}): AsyncIterable<ReviewPage> {
    const pkg = app.appId;
    let token: string | undefined;
    do {
      await this.quota.spend('get', pkg);
      const res = await this.http.request({
        path: reviewsPath(pkg),
        query: { maxResults: pageSize, token, translationLanguage: app.translationLanguage },
        schema: reviewsListSchema,
        signal: opts.signal,
      });
      token = res.data.tokenPagination?.nextPageToken ?? undefined;
      const { ok: reviews, setAside } = mapPage(
        pkg,
        res.data.reviews,
        app.translationLanguage,
        new Date(this.now()).toISOString(),
      );
      yield { reviews, setAside, next: token };
    } while (token);
  }

  /** Creates or replaces the one reply (no delete in the API), so sending twice is harmless. */
  async publishReply(app: AppRef, reviewId: string, text: string): Promise<PublishedReply> {
    checkReplyLength(service, text, this.capabilities.maxReplyLength);
    await this.quota.spend('post', app.appId);
    await this.http.request({
      method: 'POST',
      path: `${reviewsPath(app.appId)}/${encodeURIComponent(reviewId)}:reply`,
      json: { replyText: text },
      schema: replyResultSchema,
      idempotent: true,
    });
    return { state: 'PUBLISHED' };
  }

  async replyStatus(app: AppRef, reviewId: string): Promise<ReplyStatus | undefined> {
    await this.quota.spend('get', app.appId);
    try {
      const res = await this.http.request({
        path: `${reviewsPath(app.appId)}/${encodeURIComponent(reviewId)}`,
        schema: reviewSchema,
      });
      const answer = developerAnswerOf(res.data);
      return answer ? { state: 'PUBLISHED', text: answer.text } : undefined;
    } catch (err) {
      if (err instanceof RemoteError && err.kind === 'not-found') return undefined;
      // Connectors throw typed errors only: a reply whose time is no date is a bad payload.
      if (err instanceof RecordError)
        throw new RemoteError({
          kind: 'bad-payload',
          service,
          message: `${service}: review ${reviewId}: ${err.message}`,
          cause: err,
        });
      throw err;
    }
  }

  quotaSnapshot(): Promise<Record<string, number | undefined>> {
    return this.quota.snapshot();
  }
}

function reviewsPath(packageName: string): string {
  return `/androidpublisher/v3/applications/${encodeURIComponent(packageName)}/reviews`;
}

export function createGooglePlayConnector(
  cfg: GooglePlayConfig,
  creds: GooglePlayCredentials,
  deps: ConnectorDeps,
): GooglePlayConnector {
  return new GooglePlayConnector(cfg, creds, deps);
}
