/**
 * App Store Connect emulator: customer reviews and responses, behind ES256 team-key JWTs,
 * with Apple's paging (opaque cursor in an absolute `links.next`), filters, sorts, the hourly
 * `X-Rate-Limit` budget and Apple's `errors[]` documents. Both kinds of customer edit can be
 * played: in place (same id) or re-created under a new id while the old one vanishes.
 */
import { createHash } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, importSPKI, type CryptoKey } from 'jose';
import { z } from 'zod';
import { ServiceEmulator, bearer, EmulatorServer, type EmuRequest, type EmuResponse } from './harness.js';

export interface AppStoreConnectEmulatorOptions {
  issuerId: string;
  keyId: string;
  /** SPKI PEM of the one key accepted. */
  publicKeyPem: string;
  /** Requests per rolling hour (default 3600). */
  hourlyLimit?: number;
  /** A new or edited response reads as PUBLISHED this long after it was sent (default 0: on the next read). */
  publishDelayMs?: number;
  /** Page size when `limit` is absent (default 50, as observed). */
  defaultPageSize?: number;
  /** Longest `responseBody` accepted (default 5970, community-measured). */
  maxResponseLength?: number;
  /** The key's role cannot write (e.g. Developer, Sales): POST/DELETE answer 403 FORBIDDEN_ERROR. */
  readOnly?: boolean;
  /** Clock for token checks, the quota window and dates (tests move it). */
  now?: () => number;
}

export interface EmuApp {
  id: string;
  name: string;
  bundleId: string;
}

export interface EmuReview {
  id: string;
  appId: string;
  rating: number;
  title?: string | undefined;
  body?: string | undefined;
  reviewerNickname: string;
  /** With a zone offset, as Apple writes it. */
  createdDate: string;
  territory: string;
}

export type EmuReviewInput = Partial<Omit<EmuReview, 'id' | 'appId'>>;
export type EmuReviewChanges = Partial<Pick<EmuReview, 'rating' | 'title' | 'body' | 'reviewerNickname' | 'territory'>>;

export interface EmuResponseRecord {
  id: string;
  reviewId: string;
  responseBody: string;
  lastModifiedMs: number;
  state: 'PENDING_PUBLISH' | 'PUBLISHED';
}

export interface AuthLogEntry {
  ok: boolean;
  /** Why a token was refused: signature, kid, iss, aud, expired, lifetime, iat, scope, missing, malformed. */
  reason?: string | undefined;
  /** A short hash of the token (to tell reuse from re-signing), never the token. */
  tokenHash?: string | undefined;
  iat?: number | undefined;
  exp?: number | undefined;
}

const sorts = ['createdDate', '-createdDate', 'rating', '-rating'] as const;
type Sort = (typeof sorts)[number];
const hourMs = 3_600_000;

function appleError(
  status: number,
  code: string,
  title: string,
  detail: string,
  source?: Record<string, string>,
): EmuResponse {
  return {
    status,
    json: {
      errors: [
        {
          id: createHash('sha1').update(`${code}${detail}${Math.random()}`).digest('hex').slice(0, 32),
          status: String(status),
          code,
          title,
          detail,
          ...(source ? { source } : {}),
        },
      ],
    },
  };
}

const notAuthorized = (): EmuResponse =>
  appleError(
    401,
    'NOT_AUTHORIZED',
    'Authentication credentials are missing or invalid.',
    'Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens',
  );
const notFound = (type: string, id: string): EmuResponse =>
  appleError(
    404,
    'NOT_FOUND',
    'The specified resource does not exist',
    `There is no resource of type '${type}' with id '${id}'`,
  );
const paramError = (parameter: string, detail: string): EmuResponse =>
  appleError(400, 'PARAMETER_ERROR.INVALID', 'A parameter has an invalid value', detail, { parameter });

/** Apple-looking date with a Pacific offset: `2024-01-03T10:00:00-08:00`. */
export function appleDate(ms: number): string {
  const local = new Date(ms - 8 * hourMs).toISOString().slice(0, 19);
  return `${local}-08:00`;
}

const postBody = z.object({
  data: z.object({
    type: z.literal('customerReviewResponses'),
    attributes: z.object({ responseBody: z.string().min(1) }),
    relationships: z.object({
      review: z.object({ data: z.object({ type: z.literal('customerReviews'), id: z.string().min(1) }) }),
    }),
  }),
});

export class AppStoreConnectEmulator extends ServiceEmulator {
  override readonly server: EmulatorServer;
  /** One entry per request carrying (or lacking) a token. */
  readonly authLog: AuthLogEntry[] = [];
  private readonly opts: AppStoreConnectEmulatorOptions;
  private readonly now: () => number;
  private readonly apps = new Map<string, EmuApp>();
  private readonly reviewMap = new Map<string, EmuReview>();
  private readonly responseMap = new Map<string, EmuResponseRecord>();
  private key: Promise<CryptoKey> | undefined;
  private seq = 0;
  private responseSeq = 0;
  private windowStart: number;
  private used = 0;

  constructor(opts: AppStoreConnectEmulatorOptions) {
    super();
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.windowStart = this.now();
    this.server = new EmulatorServer({
      name: 'app-store-connect',
      rateLimitedResponse: () => ({
        ...appleError(
          429,
          'RATE_LIMIT_EXCEEDED',
          'The request rate limit has been reached.',
          "We've received too many requests for this API. Please wait and try again or slow down your request rate.",
        ),
        headers: this.rateHeader(),
      }),
      serverErrorResponse: (status) =>
        appleError(
          status,
          'UNEXPECTED_ERROR',
          'An unexpected error occurred.',
          'An unexpected error occurred on the server side. If this issue continues, contact us at https://developer.apple.com/contact/.',
        ),
    });
    const s = this.server;
    s.route(
      'GET',
      '/v1/apps',
      this.guard((req) => this.listApps(req)),
    );
    s.route(
      'GET',
      '/v1/apps/:appId',
      this.guard((req) => this.getApp(req.params.appId!)),
    );
    s.route(
      'GET',
      '/v1/apps/:appId/customerReviews',
      this.guard((req) => this.listReviews(req)),
    );
    s.route(
      'GET',
      '/v1/customerReviews/:id',
      this.guard((req) => this.getReview(req)),
    );
    s.route(
      'GET',
      '/v1/customerReviews/:id/response',
      this.guard((req) => this.getReviewResponse(req.params.id!)),
    );
    s.route(
      'GET',
      '/v1/customerReviewResponses/:id',
      this.guard((req) => this.getResponse(req.params.id!)),
    );
    s.route(
      'POST',
      '/v1/customerReviewResponses',
      this.guard((req) => this.postResponse(req)),
    );
    s.route(
      'DELETE',
      '/v1/customerReviewResponses/:id',
      this.guard((req) => this.deleteResponse(req.params.id!)),
    );
  }

  addApp(app: EmuApp): void {
    this.apps.set(app.id, { ...app });
  }

  /** Adds a review; by default each one is a minute newer than the previous. Returns its id. */
  addReview(appId: string, partial: EmuReviewInput = {}): string {
    const n = ++this.seq;
    const id = this.newReviewId(n);
    this.reviewMap.set(id, {
      id,
      appId,
      rating: partial.rating ?? 5,
      title: 'title' in partial ? partial.title : `Title ${n}`,
      body: 'body' in partial ? partial.body : `Review body ${n}`,
      reviewerNickname: partial.reviewerNickname ?? `User ${n}`,
      createdDate: partial.createdDate ?? appleDate(Date.UTC(2024, 0, 1) + n * 60_000),
      territory: partial.territory ?? 'USA',
    });
    return id;
  }

  /**
   * A customer edits a review. In place: same id and date, new content. With `newId`: a new
   * review (new id, created now) replaces the old one, which vanishes; the response follows it,
   * as Apple keeps a developer response visible after an edit.
   */
  editReview(id: string, changes: EmuReviewChanges, opts: { newId?: boolean } = {}): string {
    const old = this.reviewMap.get(id);
    if (!old) throw new Error(`no review ${id}`);
    if (!opts.newId) {
      Object.assign(old, changes);
      return id;
    }
    const nextId = this.newReviewId(++this.seq);
    this.reviewMap.delete(id);
    this.reviewMap.set(nextId, { ...old, ...changes, id: nextId, createdDate: appleDate(this.now()) });
    for (const r of this.responseMap.values()) if (r.reviewId === id) r.reviewId = nextId;
    return nextId;
  }

  deleteReview(id: string): void {
    this.reviewMap.delete(id);
  }

  /** Reviews of an app, newest first. */
  reviews(appId: string): EmuReview[] {
    return this.sorted(
      [...this.reviewMap.values()].filter((r) => r.appId === appId),
      '-createdDate',
    ).map((r) => ({ ...r }));
  }

  /** Responses as last served (inspecting does not publish them). */
  responses(): EmuResponseRecord[] {
    return [...this.responseMap.values()].map((r) => ({ ...r }));
  }

  /** Sets what is left of the current hour's budget. */
  setHourlyRemaining(n: number): void {
    this.rollWindow();
    this.used = Math.max(0, this.limit - n);
  }

  private get limit(): number {
    return this.opts.hourlyLimit ?? 3600;
  }

  private newReviewId(n: number): string {
    const hex = n.toString(16).padStart(12, '0');
    return `00000028-b08c-0014-${hex.slice(0, 4)}-${hex.slice(4)}0000`;
  }

  private newResponseId(): string {
    const hex = (++this.responseSeq).toString(16).padStart(12, '0');
    return `6a1c0e52-3f0d-4b5e-${hex.slice(0, 4)}-${hex.slice(4)}0000`;
  }

  private rollWindow(): void {
    if (this.now() - this.windowStart >= hourMs) {
      this.windowStart = this.now();
      this.used = 0;
    }
  }

  private rateHeader(): Record<string, string> {
    this.rollWindow();
    return { 'x-rate-limit': `user-hour-lim:${this.limit};user-hour-rem:${Math.max(0, this.limit - this.used)};` };
  }

  /** Token check, then the hourly budget, then the handler; every answer carries `X-Rate-Limit`. */
  private guard(
    handler: (req: EmuRequest) => EmuResponse | Promise<EmuResponse>,
  ): (req: EmuRequest) => Promise<EmuResponse> {
    return async (req) => {
      const refused = await this.checkToken(req);
      if (refused) return refused;
      this.rollWindow();
      if (this.used >= this.limit) {
        return {
          ...appleError(
            429,
            'RATE_LIMIT_EXCEEDED',
            'The request rate limit has been reached.',
            "We've received too many requests for this API. Please wait and try again or slow down your request rate.",
          ),
          headers: this.rateHeader(),
        };
      }
      this.used++;
      const res =
        this.opts.readOnly && req.method !== 'GET'
          ? appleError(
              403,
              'FORBIDDEN_ERROR',
              'This request is forbidden for security reasons',
              'The API key in use does not allow this request',
            )
          : await handler(req);
      return { ...res, headers: { ...res.headers, ...this.rateHeader() } };
    };
  }

  private async checkToken(req: EmuRequest): Promise<EmuResponse | undefined> {
    const token = bearer(req);
    const refuse = (reason: string, extra: Partial<AuthLogEntry> = {}): EmuResponse => {
      this.authLog.push({ ok: false, reason, ...extra });
      return notAuthorized();
    };
    if (!token) return refuse('missing');
    const tokenHash = createHash('sha256').update(token).digest('hex').slice(0, 12);
    let kid: string | undefined;
    try {
      const h = decodeProtectedHeader(token);
      kid = h.kid;
      if (h.alg !== 'ES256') return refuse('alg', { tokenHash });
    } catch {
      return refuse('malformed', { tokenHash });
    }
    if (kid !== this.opts.keyId) return refuse('kid', { tokenHash });
    this.key ??= importSPKI(this.opts.publicKeyPem, 'ES256');
    let payload: Record<string, unknown>;
    try {
      // Signature only: claims are checked by hand below so that each refusal has its own reason.
      const verified = await compactVerify(token, await this.key, { algorithms: ['ES256'] });
      payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
    } catch {
      return refuse('signature', { tokenHash });
    }
    const iat = typeof payload.iat === 'number' ? payload.iat : undefined;
    const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
    const entry = { tokenHash, iat, exp };
    const nowSec = this.now() / 1000;
    if (payload.iss !== this.opts.issuerId) return refuse('iss', entry);
    const aud = payload.aud;
    if (aud !== 'appstoreconnect-v1' && !(Array.isArray(aud) && aud.includes('appstoreconnect-v1')))
      return refuse('aud', entry);
    if (exp === undefined || exp <= nowSec) return refuse('expired', entry);
    if (iat === undefined || exp - iat > 20 * 60) return refuse('lifetime', entry);
    // A clock running ahead makes tokens "from the future"; Apple refuses those too.
    if (iat > nowSec + 60) return refuse('iat', entry);
    if (
      Array.isArray(payload.scope) &&
      !payload.scope.some((s) => typeof s === 'string' && s.split('?')[0] === `${req.method} ${req.path}`)
    )
      return refuse('scope', entry);
    this.authLog.push({ ok: true, ...entry });
    return undefined;
  }

  private listApps(req: EmuRequest): EmuResponse {
    const limit = this.pageLimit(req);
    if (typeof limit !== 'number') return limit;
    const all = [...this.apps.values()].sort((a, b) => a.id.localeCompare(b.id));
    const offset = this.decodeOffset(req.query.get('cursor'));
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? this.link(req, encodeCursor({ o: offset + limit })) : undefined;
    return {
      status: 200,
      json: {
        data: page.map((a) => this.appResource(a)),
        links: { self: this.link(req), ...(next ? { next } : {}) },
        meta: { paging: { total: all.length, limit } },
      },
    };
  }

  private getApp(id: string): EmuResponse {
    const app = this.apps.get(id);
    return app
      ? { status: 200, json: { data: this.appResource(app), links: { self: `${this.baseUrl}/v1/apps/${id}` } } }
      : notFound('apps', id);
  }

  private listReviews(req: EmuRequest): EmuResponse {
    const appId = req.params.appId!;
    if (!this.apps.has(appId)) return notFound('apps', appId);
    const q = req.query;
    const limit = this.pageLimit(req);
    if (typeof limit !== 'number') return limit;
    const sort = (q.get('sort') ?? '-createdDate') as Sort;
    if (!sorts.includes(sort)) return paramError('sort', `'${sort}' is not a valid field name`);
    const include = this.includes(req);
    if (!Array.isArray(include)) return include;
    let items = [...this.reviewMap.values()].filter((r) => r.appId === appId);
    const ratings = q.get('filter[rating]');
    if (ratings !== null) {
      const wanted = ratings.split(',');
      if (wanted.some((r) => !/^[1-5]$/.test(r)))
        return paramError('filter[rating]', `'${ratings}' is not a valid value`);
      items = items.filter((r) => wanted.includes(String(r.rating)));
    }
    const territories = q.get('filter[territory]');
    if (territories !== null) {
      const wanted = territories.split(',');
      if (wanted.some((t) => !/^[A-Z]{3}$/.test(t)))
        return paramError('filter[territory]', `'${territories}' is not a valid value`);
      items = items.filter((r) => wanted.includes(r.territory));
    }
    const published = q.get('exists[publishedResponse]');
    if (published !== null) {
      if (published !== 'true' && published !== 'false')
        return paramError('exists[publishedResponse]', `'${published}' is not a valid value`);
      this.publishDue();
      items = items.filter((r) => (this.responseOf(r.id)?.state === 'PUBLISHED') === (published === 'true'));
    }
    items = this.sorted(items, sort);
    const total = items.length;
    const cursor = q.get('cursor');
    if (cursor !== null) {
      // Keyset paging: the page starts after the last review shown, even if it has since vanished.
      const after = decodeCursor(cursor);
      if (!after || after.r === undefined || after.c === undefined || after.id === undefined)
        return paramError('cursor', `'${cursor}' is not a valid cursor`);
      const mark = { rating: after.r, createdMs: after.c, id: after.id };
      items = items.filter((r) => compare(sort, key(r), mark) > 0);
    }
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    const next =
      items.length > limit && last
        ? this.link(req, encodeCursor({ r: last.rating, c: Date.parse(last.createdDate), id: last.id }))
        : undefined;
    const withResponse = include.includes('response');
    this.publishDue();
    const included = withResponse
      ? page
          .map((r) => this.responseOf(r.id))
          .filter((r): r is EmuResponseRecord => r !== undefined)
          .map((r) => this.responseResource(r))
      : [];
    return {
      status: 200,
      json: {
        data: page.map((r) => this.reviewResource(r, withResponse)),
        ...(withResponse ? { included } : {}),
        links: { self: this.link(req), ...(next ? { next } : {}) },
        meta: { paging: { total, limit } },
      },
    };
  }

  private getReview(req: EmuRequest): EmuResponse {
    const id = req.params.id!;
    const review = this.reviewMap.get(id);
    if (!review) return notFound('customerReviews', id);
    const include = this.includes(req);
    if (!Array.isArray(include)) return include;
    this.publishDue();
    const response = include.includes('response') ? this.responseOf(id) : undefined;
    return {
      status: 200,
      json: {
        data: this.reviewResource(review, include.includes('response')),
        ...(include.includes('response') ? { included: response ? [this.responseResource(response)] : [] } : {}),
        links: { self: `${this.baseUrl}/v1/customerReviews/${id}` },
      },
    };
  }

  private getReviewResponse(reviewId: string): EmuResponse {
    if (!this.reviewMap.has(reviewId)) return notFound('customerReviews', reviewId);
    this.publishDue();
    const r = this.responseOf(reviewId);
    if (!r) return notFound('customerReviewResponses', `for review ${reviewId}`);
    return {
      status: 200,
      json: {
        data: this.responseResource(r),
        links: { self: `${this.baseUrl}/v1/customerReviews/${reviewId}/response` },
      },
    };
  }

  private getResponse(id: string): EmuResponse {
    this.publishDue();
    const r = this.responseMap.get(id);
    return r
      ? {
          status: 200,
          json: { data: this.responseResource(r), links: { self: `${this.baseUrl}/v1/customerReviewResponses/${id}` } },
        }
      : notFound('customerReviewResponses', id);
  }

  private postResponse(req: EmuRequest): EmuResponse {
    const parsed = postBody.safeParse(req.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const pointer = '/' + issue.path.map(String).join('/');
      return appleError(
        409,
        'ENTITY_ERROR.ATTRIBUTE.INVALID',
        'The provided entity includes an attribute with an invalid value',
        `${pointer}: ${issue.message}`,
        { pointer },
      );
    }
    const { attributes, relationships } = parsed.data.data;
    const reviewId = relationships.review.data.id;
    if (!this.reviewMap.has(reviewId)) {
      return appleError(
        409,
        'ENTITY_ERROR.RELATIONSHIP.INVALID',
        'The provided entity includes a relationship with an invalid value',
        `'${reviewId}' is not a valid id for this relationship`,
        { pointer: '/data/relationships/review' },
      );
    }
    const max = this.opts.maxResponseLength ?? 5970;
    if (attributes.responseBody.length > max) {
      return appleError(
        409,
        'ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG',
        'The provided entity includes an attribute with an invalid value',
        `responseBody is longer than ${max} characters`,
        { pointer: '/data/attributes/responseBody' },
      );
    }
    // One response per review: a second POST overwrites the first (same id kept) and waits to be published again.
    const existing = this.responseOf(reviewId);
    const record: EmuResponseRecord = existing ?? {
      id: this.newResponseId(),
      reviewId,
      responseBody: '',
      lastModifiedMs: 0,
      state: 'PENDING_PUBLISH',
    };
    record.responseBody = attributes.responseBody;
    record.lastModifiedMs = this.now();
    record.state = 'PENDING_PUBLISH';
    this.responseMap.set(record.id, record);
    return {
      status: 201,
      json: {
        data: this.responseResource(record),
        links: { self: `${this.baseUrl}/v1/customerReviewResponses/${record.id}` },
      },
    };
  }

  private deleteResponse(id: string): EmuResponse {
    if (!this.responseMap.delete(id)) return notFound('customerReviewResponses', id);
    return { status: 204 };
  }

  private publishDue(): void {
    const delay = this.opts.publishDelayMs ?? 0;
    const now = this.now();
    for (const r of this.responseMap.values()) {
      // Called before a read, never inside the POST: a fresh response always reads PENDING_PUBLISH once.
      if (r.state === 'PENDING_PUBLISH' && now - r.lastModifiedMs >= delay) r.state = 'PUBLISHED';
    }
  }

  private responseOf(reviewId: string): EmuResponseRecord | undefined {
    for (const r of this.responseMap.values()) if (r.reviewId === reviewId) return r;
    return undefined;
  }

  private sorted(items: EmuReview[], sort: Sort): EmuReview[] {
    return items.sort((a, b) => compare(sort, key(a), key(b)));
  }

  private pageLimit(req: EmuRequest): number | EmuResponse {
    const raw = req.query.get('limit');
    if (raw === null) return this.opts.defaultPageSize ?? 50;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 200)
      return paramError('limit', `'${raw}' is not a valid value; the maximum is 200`);
    return n;
  }

  private includes(req: EmuRequest): string[] | EmuResponse {
    const raw = req.query.get('include');
    if (raw === null) return [];
    const list = raw.split(',');
    const bad = list.find((i) => i !== 'response' && i !== 'reviewTerritory');
    return bad ? paramError('include', `'${bad}' is not a valid relationship name`) : list;
  }

  private decodeOffset(cursor: string | null): number {
    const o = cursor ? decodeCursor(cursor)?.o : undefined;
    return typeof o === 'number' && o >= 0 ? o : 0;
  }

  /** Absolute link to the same resource and query; with `cursor`, the cursor replaced. */
  private link(req: EmuRequest, cursor?: string): string {
    const url = new URL(req.path, this.baseUrl);
    for (const [k, v] of req.query) if (k !== 'cursor' || cursor === undefined) url.searchParams.append(k, v);
    if (cursor) url.searchParams.set('cursor', cursor);
    return url.href;
  }

  private appResource(a: EmuApp): unknown {
    return {
      type: 'apps',
      id: a.id,
      attributes: { name: a.name, bundleId: a.bundleId },
      links: { self: `${this.baseUrl}/v1/apps/${a.id}` },
    };
  }

  private reviewResource(r: EmuReview, withResponse: boolean): unknown {
    const response = withResponse ? this.responseOf(r.id) : undefined;
    const self = `${this.baseUrl}/v1/customerReviews/${r.id}`;
    return {
      type: 'customerReviews',
      id: r.id,
      attributes: {
        rating: r.rating,
        title: r.title,
        body: r.body,
        reviewerNickname: r.reviewerNickname,
        createdDate: r.createdDate,
        territory: r.territory,
      },
      relationships: {
        response: {
          ...(withResponse ? { data: response ? { type: 'customerReviewResponses', id: response.id } : null } : {}),
          links: { self: `${self}/relationships/response`, related: `${self}/response` },
        },
      },
      links: { self },
    };
  }

  private responseResource(r: EmuResponseRecord): unknown {
    return {
      type: 'customerReviewResponses',
      id: r.id,
      attributes: { responseBody: r.responseBody, lastModifiedDate: appleDate(r.lastModifiedMs), state: r.state },
      relationships: { review: { data: { type: 'customerReviews', id: r.reviewId } } },
      links: { self: `${this.baseUrl}/v1/customerReviewResponses/${r.id}` },
    };
  }
}

interface SortKey {
  rating: number;
  createdMs: number;
  id: string;
}

function key(r: EmuReview): SortKey {
  return { rating: r.rating, createdMs: Date.parse(r.createdDate), id: r.id };
}

/** Order of `sort`, ties broken by date (newest first) then id, so keyset paging is stable. */
function compare(sort: Sort, a: SortKey, b: SortKey): number {
  const byDate = b.createdMs - a.createdMs;
  const primary =
    sort === 'createdDate'
      ? -byDate
      : sort === '-createdDate'
        ? byDate
        : sort === 'rating'
          ? a.rating - b.rating
          : b.rating - a.rating;
  return primary || byDate || a.id.localeCompare(b.id);
}

interface Cursor {
  o?: number;
  r?: number;
  c?: number;
  id?: string;
}

function encodeCursor(c: Cursor): string {
  return 'AQ.' + Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string): Cursor | undefined {
  if (!s.startsWith('AQ.')) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(s.slice(3), 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Cursor) : undefined;
  } catch {
    return undefined;
  }
}
