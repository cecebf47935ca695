/**
 * RuStore Public API connector: user comments in, moderated developer answers ("feedback") out.
 * See README.md beside this file for the endpoints and the choices made where the docs are silent.
 */
import type { ConfigLocation } from '../../../config/load.js';
import type { Config, RuStoreConfig } from '../../../config/schema.js';
import { resolveRuStore, type RuStoreCredentials } from './settings.js';
import { RemoteError } from '../../../errors.js';
import type { ConnectorDeps } from '../../deps.js';
import { HttpClient, transportFrom, type ErrorDescription } from '../../http/client.js';
import { retryAfterOnly } from '../../http/rate-limit.js';
import { backoffDelay, sleep } from '../../../util/sleep.js';
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
import type { Review } from '../../../domain/review.js';
import { RuStoreAuth } from './auth.js';
import { answerState, currentFeedback, mapComments, saysLastPage } from './map.js';
import { parseEach, readId } from '../parse-records.js';
import {
  appsEnvelopeSchema,
  userAppSchema,
  commentsEnvelopeSchema,
  errorEnvelopeSchema,
  feedbackEnvelopeSchema,
  feedbackIdEnvelopeSchema,
  feedbackListEnvelopeSchema,
  type FeedbackDto,
} from './schema.js';

const service = 'RuStore';
/** Largest page the API takes. */
export const pageSize = 100;
/**
 * Newest first, in the Spring Pageable syntax of the OpenAPI schema (`sort=property,direction`);
 * RuStore documents no sortable fields, so the order served is not guaranteed.
 */
export const commentSort = 'commentDate,desc';
const hourMs = 3_600_000;
/** Apps per page of the app list (the docs allow 1 to 1000). */
const appsPageSize = 100;
/** The answer list cannot be filtered by comment: scan at most this many pages of it. */
const maxFeedbackPages = 50;
/** Extra tries of a failed create, each after checking it did not land. */
const createRetries = 2;
const consoleKeys = 'RuStore Console → Company → API RuStore (API keys)';

/** RuStore's envelope `{code, message}` turned into our wording; no secret is ever quoted. */
export function describeRuStoreError(status: number, body: unknown, keyId?: string): ErrorDescription {
  const env = errorEnvelopeSchema.safeParse(body);
  const code = env.success ? (env.data.code ?? undefined) : undefined;
  const said = env.success ? (env.data.message ?? code ?? undefined) : undefined;
  if (status === 400 && /timestamp/i.test(said ?? '')) {
    return {
      kind: 'auth',
      code,
      message: `RuStore refused the signed timestamp ("${said}"): this machine's clock is off by more than 60 seconds`,
      hint: 'Synchronise the clock with NTP (e.g. `timedatectl set-ntp true`, or check chrony / Windows Time), then try again.',
    };
  }
  if (status === 401) {
    return {
      kind: 'auth',
      code,
      message: `the API key${keyId ? ` ${keyId}` : ''} or its token was refused${said ? ` ("${said}")` : ''}`,
      hint: `Check stores.rustore.keyId and that the private key belongs to that key id, in ${consoleKeys}; make a new key if it was deleted.`,
    };
  }
  if (status === 403) {
    return {
      kind: 'permission',
      code,
      message: `the API key is not granted this app or method${said ? ` ("${said}")` : ''}: allow it in ${consoleKeys}`,
      hint: `In ${consoleKeys}, edit the key: tick this app and the methods for reviews and answers to reviews.`,
    };
  }
  return { code, message: said };
}

export class RuStoreConnector implements StoreConnector {
  static readonly id = 'rustore';
  static readonly store = 'rustore';
  static fromConfig(config: Config, location: ConfigLocation, deps: ConnectorDeps): RuStoreConnector | undefined {
    const creds = resolveRuStore(config, location);
    return creds ? new RuStoreConnector(config.stores.rustore, creds, deps) : undefined;
  }
  static hasCredentials(config: Config, location: ConfigLocation): boolean {
    return resolveRuStore(config, location) !== undefined;
  }

  readonly store = 'rustore' as const;
  readonly origin = 'api' as const;
  readonly capabilities: Capabilities;
  readonly http: HttpClient;
  private readonly auth: RuStoreAuth;
  private readonly deps: ConnectorDeps;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(cfg: RuStoreConfig, creds: RuStoreCredentials, deps: ConnectorDeps) {
    this.deps = deps;
    this.wait = deps.wait ?? ((ms) => sleep(ms));
    this.capabilities = {
      reply: true,
      maxReplyLength: cfg.maxReplyLength,
      replyNeedsReadBack: true,
      editDetection: 'edit-date',
      recreatesEditedReviews: false,
      // Comments are served by creation date: an edit of an old one stays deep in the list.
      fullScanEveryMs: cfg.fullScanHours * hourMs,
    };
    this.http = new HttpClient({
      ...transportFrom(deps),
      service,
      baseUrl: cfg.baseUrl,
      // No rate-limit headers are documented: honour Retry-After, back off otherwise.
      rateLimit: retryAfterOnly(),
      auth: () => this.auth.headers(),
      onUnauthorized: () => this.auth.invalidate(),
      describeError: (status, body) => describeRuStoreError(status, body, creds.keyId),
    });
    this.auth = new RuStoreAuth(creds, this.http, deps.now ?? Date.now);
  }

  async ping(): Promise<void> {
    this.auth.invalidate();
    await this.auth.jwe();
  }

  async listApps(): Promise<StoreApp[]> {
    const apps: StoreApp[] = [];
    let token: string | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await this.http.request({
        path: '/public/v1/application',
        // Without `pagination=true` the list is not paged: pageSize and continuationToken are ignored.
        // https://www.rustore.ru/help/en/work-with-rustore-api/api-upload-publication-app/get-app-list
        query: { pagination: 'true', pageSize: appsPageSize, continuationToken: token },
        schema: appsEnvelopeSchema,
      });
      const body = checkEnvelope(res.data, 'GET /public/v1/application');
      const listed = parseEach(
        userAppSchema,
        body.content,
        (raw) => readId(raw, 'packageName') ?? readId(raw, 'appId'),
      );
      if (listed.setAside.length > 0)
        this.deps.logger.warn('RuStore listed apps that cannot be used; skipped', {
          reasons: listed.setAside.map((s) => s.reason),
        });
      for (const a of listed.ok)
        apps.push({ appId: a.packageName, name: a.appName ?? a.packageName, bundleId: a.packageName });
      const next = body.continuationToken ?? undefined;
      if (!next || next === token || body.content.length === 0) break;
      token = next;
    }
    return apps;
  }

  async *readPages(app: AppRef, opts: ReadOptions = {}): AsyncIterable<ReviewPage> {
    const path = `${appPath(app)}/comment`;
    const order = new NewestFirstCheck();
    for (let page = 0; ; page++) {
      const res = await this.http.request({
        path,
        query: { page, size: pageSize, sort: commentSort },
        schema: commentsEnvelopeSchema,
        signal: opts.signal,
      });
      const body = checkEnvelope(res.data, `GET ${path}`);
      const items = body.content;
      const last = (saysLastPage(body, page) ?? items.length < pageSize) || items.length === 0;
      const { ok: reviews, setAside } = mapComments(app.appId, items);
      const unordered = order.unordered(reviews) || undefined;
      yield { reviews, setAside, next: last ? undefined : String(page + 1), unordered };
      if (last) return;
    }
  }

  /**
   * Creates the answer, or edits it when one exists. Without `previousAnswerId` the comment's
   * answers are looked up first, so a retry after a crash edits the answer it already made
   * instead of adding a second one.
   */
  async publishReply(app: AppRef, reviewId: string, text: string, previousAnswerId?: string): Promise<PublishedReply> {
    checkReplyLength(service, text, this.capabilities.maxReplyLength);
    if (previousAnswerId) {
      try {
        return await this.editAnswer(app, previousAnswerId, text);
      } catch (err) {
        // Deleted in the Console meanwhile: fall through and answer afresh.
        if (!(err instanceof RemoteError && err.kind === 'not-found')) throw err;
      }
    }
    const existing = await this.findAnswer(app, reviewId);
    if (!existing) return this.createAnswer(app, reviewId, text);
    // The same text is already there (a retry after a crash): editing would only restart moderation.
    if (existing.text === text) return { state: answerState(existing.status) ?? 'MODERATION', answerId: existing.id };
    return this.editAnswer(app, existing.id, text);
  }

  async replyStatus(app: AppRef, reviewId: string, answerId?: string): Promise<ReplyStatus | undefined> {
    let f: FeedbackDto | undefined;
    if (answerId) {
      const path = `${appPath(app)}/feedback/${encodeURIComponent(answerId)}`;
      try {
        const res = await this.http.request({ path, schema: feedbackEnvelopeSchema });
        f = checkEnvelope(res.data, `GET ${path}`);
      } catch (err) {
        if (!(err instanceof RemoteError && err.kind === 'not-found')) throw err;
      }
    }
    // An answer replaced elsewhere (or one whose id we lost) is found by its comment.
    if (!f || answerState(f.status) === 'DELETED') f = (await this.findAnswer(app, reviewId)) ?? f;
    if (!f) return undefined;
    const state = answerState(f.status);
    if (!state)
      this.deps.logger.warn('RuStore answer in an unknown status; treated as in moderation', {
        app: app.appId,
        status: f.status,
      });
    return {
      state: state ?? 'MODERATION',
      text: f.text ?? undefined,
      answerId: f.id,
      reason: f.reason ?? f.rejectReason ?? undefined,
    };
  }

  private async createAnswer(app: AppRef, reviewId: string, text: string): Promise<PublishedReply> {
    const path = `${appPath(app)}/feedback`;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.http.request({
          method: 'POST',
          path,
          query: { commentId: reviewId },
          json: { message: text },
          schema: feedbackIdEnvelopeSchema,
        });
        return { state: 'MODERATION', answerId: checkEnvelope(res.data, `POST ${path}`).id };
      } catch (err) {
        // A create is not repeated blindly: the service may have acted before failing (5xx,
        // timeout). Look first; only when no answer is there is it sent again.
        if (!(err instanceof RemoteError && err.retryable) || attempt >= createRetries) throw err;
        await this.wait(err.retryAfterMs ?? backoffDelay(attempt, this.deps.backoffBaseMs ?? 500, 30_000));
        const made = await this.findAnswer(app, reviewId);
        if (made)
          return made.text === text
            ? { state: answerState(made.status) ?? 'MODERATION', answerId: made.id }
            : this.editAnswer(app, made.id, text);
      }
    }
  }

  private async editAnswer(app: AppRef, answerId: string, text: string): Promise<PublishedReply> {
    const path = `${appPath(app)}/feedback/${encodeURIComponent(answerId)}`;
    // Sending the same text twice leaves the same answer: safe to retry.
    const res = await this.http.request({
      method: 'POST',
      path,
      json: { message: text },
      schema: feedbackIdEnvelopeSchema,
      idempotent: true,
    });
    // The id is read back in case an edit ever makes a new answer.
    return { state: 'MODERATION', answerId: checkEnvelope(res.data, `POST ${path}`).id };
  }

  /** The comment's current answer (newest not deleted), scanning the app's answer list. */
  private async findAnswer(app: AppRef, reviewId: string): Promise<FeedbackDto | undefined> {
    const path = `${appPath(app)}/feedback`;
    const mine: FeedbackDto[] = [];
    for (let page = 0; page < maxFeedbackPages; page++) {
      const res = await this.http.request({
        path,
        query: { page, size: pageSize },
        schema: feedbackListEnvelopeSchema,
      });
      const body = checkEnvelope(res.data, `GET ${path}`);
      const items = body.content;
      mine.push(...items.filter((f) => f.commentId === reviewId));
      if ((saysLastPage(body, page) ?? items.length < pageSize) || items.length === 0) return currentFeedback(mine);
    }
    this.deps.logger.warn('RuStore answer list longer than scanned; an older answer may be missed', {
      app: app.appId,
      pages: maxFeedbackPages,
    });
    return currentFeedback(mine);
  }
}

function appPath(app: AppRef): string {
  return `/public/v1/application/${encodeURIComponent(app.appId)}`;
}

/** A 200 whose envelope says otherwise is still a failure. */
function checkEnvelope<T>(
  data: { code?: string | null | undefined; message?: string | null | undefined; body: T },
  where: string,
): T {
  if (data.code && data.code !== 'OK') {
    throw new RemoteError({
      kind: 'rejected',
      service,
      code: data.code,
      message: `${service}: ${data.message ?? data.code} (on ${where})`,
    });
  }
  return data.body;
}

export function createRuStoreConnector(
  cfg: RuStoreConfig,
  creds: RuStoreCredentials,
  deps: ConnectorDeps,
): RuStoreConnector {
  return new RuStoreConnector(cfg, creds, deps);
}

/**
 * RuStore documents no sortable fields: a deployment may ignore `sort` and serve oldest first.
 * Once a comment is newer than one before it, the read is not newest first (sticky for the read).
 */
class NewestFirstCheck {
  private previous = Number.POSITIVE_INFINITY;
  private broken = false;

  unordered(reviews: readonly Review[]): boolean {
    for (const r of reviews) {
      const at = Date.parse(r.createdAt);
      if (Number.isNaN(at)) continue;
      if (at > this.previous) this.broken = true;
      this.previous = at;
    }
    return this.broken;
  }
}
