/**
 * A fake Google Play Developer API (Reply to Reviews) with its OAuth token endpoint:
 *   POST /token                                                    JWT-bearer grant (RS256, verified with jose)
 *   GET  /androidpublisher/v3/applications/:pkg/reviews             last 7 days, newest-modified first, token paging
 *   GET  /androidpublisher/v3/applications/:pkg/reviews/:id         one review
 *   POST /androidpublisher/v3/applications/:pkg/reviews/:id:reply   create or replace the reply
 * It checks tokens, scopes, Play Console permission and the per-app quotas the way the real
 * service does, and answers errors in Google's JSON shape.
 */
import { createHash, randomBytes } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader, importSPKI, type CryptoKey } from 'jose';
import { ServiceEmulator, bearer, EmulatorServer, type EmuRequest, type EmuResponse } from './harness.js';

export interface GooglePlayEmulatorOptions {
  serviceAccounts: { clientEmail: string; publicKeyPem: string }[];
  tokenTtlSec?: number;
  /** Per-app quota of GET requests (list + get) per rolling hour. */
  getPerHour?: number;
  /** Per-app quota of replies per rolling day. */
  postPerDay?: number;
  /** Most reviews actually returned per page, whatever `maxResults` asks (forces short pages). */
  pageSize?: number;
  now?: () => number;
  /**
   * Status of a spent per-app quota. Google does not document it; the one documented quota
   * answer of this API (project quota) is 403 `usageLimits/rateLimitExceeded`, so 403 it is
   * by default; 429 RESOURCE_EXHAUSTED (what per-minute Cloud quotas give) can be chosen.
   */
  quotaStatus?: 403 | 429;
}

export interface ReviewInput {
  /** A given id (a review known from a console export); default a new one. */
  reviewId?: string;
  authorName?: string;
  /** Title and body joined with a TAB, as Google stores it. Empty: a rating without text. */
  text: string;
  starRating?: number;
  reviewerLanguage?: string;
  device?: string;
  productName?: string;
  androidOsVersion?: number;
  appVersionCode?: number;
  appVersionName?: string;
  thumbsUpCount?: number;
  thumbsDownCount?: number;
  /** Epoch ms; default now. */
  lastModified?: number;
  reply?: { text: string; lastModified?: number };
}

export interface StoredReview extends Omit<ReviewInput, 'lastModified' | 'reply'> {
  reviewId: string;
  packageName: string;
  starRating: number;
  lastModified: number;
  reply?: { text: string; lastModified: number } | undefined;
}

const day = 86_400_000;
const apiPrefix = '/androidpublisher/v3/applications';
const scope = 'https://www.googleapis.com/auth/androidpublisher';
const jwtBearer = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export function googleError(
  code: number,
  status: string,
  message: string | null,
  reason?: string,
  domain = 'global',
  headers?: Record<string, string>,
): EmuResponse {
  const errors = reason ? [{ message: message ?? '', domain, reason }] : undefined;
  return { status: code, json: { error: { code, message, ...(errors ? { errors } : {}), status } }, headers };
}

function oauthError(error: string, description: string): EmuResponse {
  return { status: 400, json: { error, error_description: description } };
}

function timestamp(ms: number): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

export class GooglePlayEmulator extends ServiceEmulator {
  override readonly server: EmulatorServer;
  private readonly opts: GooglePlayEmulatorOptions;
  private readonly now: () => number;
  private readonly accounts = new Map<string, string[]>();
  private readonly keys = new Map<string, Promise<CryptoKey>>();
  private readonly tokens = new Map<string, { clientEmail: string; expiresAt: number; scopes: string[] }>();
  private readonly store = new Map<string, StoredReview[]>();
  private readonly permission = new Map<string, boolean>();
  private readonly usage = new Map<string, number[]>();
  private idCounter = 0;

  constructor(opts: GooglePlayEmulatorOptions) {
    super();
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    for (const sa of opts.serviceAccounts) this.addServiceAccount(sa.clientEmail, sa.publicKeyPem);
    this.server = new EmulatorServer({
      name: 'google-play',
      rateLimitedResponse: () =>
        googleError(
          429,
          'RESOURCE_EXHAUSTED',
          'Resource has been exhausted (e.g. check quota).',
          'rateLimitExceeded',
          'usageLimits',
        ),
      // Google has answered replies with `{"error":{"code":500,"message":null}}`.
      serverErrorResponse: (status) =>
        status === 502
          ? {
              status,
              text: '<html><title>Error 502 (Server Error)!!1</title><p><b>502.</b> That’s an error.</p></html>',
              headers: { 'content-type': 'text/html' },
            }
          : status === 503
            ? googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'backendError')
            : googleError(status, 'INTERNAL', null),
    });
    this.server.route('POST', '/token', (req) => this.token(req));
    this.server.route('GET', `${apiPrefix}/:pkg/reviews`, (req) => this.api(req, 'get', () => this.list(req)));
    this.server.route('GET', `${apiPrefix}/:pkg/reviews/:rest`, (req) => this.api(req, 'get', () => this.getOne(req)));
    this.server.route('POST', `${apiPrefix}/:pkg/reviews/:rest`, (req) => this.api(req, 'post', () => this.reply(req)));
  }

  get tokenUri(): string {
    return `${this.server.baseUrl}/token`;
  }

  addServiceAccount(clientEmail: string, publicKeyPem: string): void {
    this.accounts.set(clientEmail, [...(this.accounts.get(clientEmail) ?? []), publicKeyPem]);
  }

  /** The account is deleted (or its keys revoked): its tokens stop working, new grants fail. */
  removeServiceAccount(clientEmail: string): void {
    this.accounts.delete(clientEmail);
    for (const [t, info] of this.tokens) if (info.clientEmail === clientEmail) this.tokens.delete(t);
  }

  /** Forget every access token issued (as after a server-side revocation). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  addApp(pkg: string): void {
    if (!this.store.has(pkg)) this.store.set(pkg, []);
  }

  addReview(pkg: string, input: ReviewInput): string {
    this.addApp(pkg);
    const n = ++this.idCounter;
    const { lastModified, reply, reviewId: given, ...rest } = input;
    const reviewId = given ?? `gp:AOqpTO${createHash('sha256').update(`${pkg}#${n}`).digest('base64url').slice(0, 40)}`;
    const now = this.now();
    this.store.get(pkg)!.push({
      ...rest,
      reviewId,
      packageName: pkg,
      starRating: input.starRating ?? 5,
      lastModified: lastModified ?? now,
      reply: reply ? { text: reply.text, lastModified: reply.lastModified ?? now } : undefined,
    });
    return reviewId;
  }

  /** The author edits the review: same id, `lastModified` bumps (it re-enters the window). */
  editReview(reviewId: string, changes: Partial<Omit<ReviewInput, 'lastModified' | 'reply'>>): void {
    const r = this.find(reviewId);
    Object.assign(r, changes, { lastModified: Math.max(this.now(), r.lastModified + 1) });
  }

  /** Sets the review's last modification `days` days before now. */
  ageReview(reviewId: string, days: number): void {
    this.find(reviewId).lastModified = this.now() - days * day;
  }

  reviews(pkg: string): StoredReview[] {
    return (this.store.get(pkg) ?? []).map((r) => ({ ...r }));
  }

  replies(pkg: string): { reviewId: string; text: string; lastModified: number }[] {
    return (this.store.get(pkg) ?? []).flatMap((r) => (r.reply ? [{ reviewId: r.reviewId, ...r.reply }] : []));
  }

  /** false: the service account is not invited to this app in Play Console. */
  setPermission(pkg: string, allowed: boolean): void {
    this.addApp(pkg);
    this.permission.set(pkg, allowed);
  }

  private find(reviewId: string): StoredReview {
    for (const list of this.store.values()) {
      const r = list.find((x) => x.reviewId === reviewId);
      if (r) return r;
    }
    throw new Error(`no review ${reviewId}`);
  }

  private publicKey(pem: string): Promise<CryptoKey> {
    let key = this.keys.get(pem);
    if (!key) {
      key = importSPKI(pem, 'RS256');
      this.keys.set(pem, key);
    }
    return key;
  }

  // --- OAuth token endpoint -------------------------------------------------------------

  private async token(req: EmuRequest): Promise<EmuResponse> {
    const form = req.form;
    if (!form) return oauthError('invalid_request', 'Request must be application/x-www-form-urlencoded.');
    const grantType = form.get('grant_type');
    if (grantType !== jwtBearer) return oauthError('unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
    const assertion = form.get('assertion');
    if (!assertion) return oauthError('invalid_request', 'Missing required parameter: assertion');

    let claims: ReturnType<typeof decodeJwt>;
    try {
      if (decodeProtectedHeader(assertion).alg !== 'RS256')
        return oauthError('invalid_grant', 'Invalid JWT: the algorithm must be RS256.');
      claims = decodeJwt(assertion);
    } catch {
      return oauthError('invalid_grant', 'Invalid JWT: cannot be parsed.');
    }
    const pems = typeof claims.iss === 'string' ? this.accounts.get(claims.iss) : undefined;
    if (!pems) return oauthError('invalid_grant', 'Invalid grant: account not found');
    let verified = false;
    for (const pem of pems) {
      try {
        await compactVerify(assertion, await this.publicKey(pem), { algorithms: ['RS256'] });
        verified = true;
        break;
      } catch {
        // try the account's next key
      }
    }
    if (!verified) return oauthError('invalid_grant', 'Invalid JWT Signature.');
    if (claims.aud !== this.tokenUri)
      return oauthError('invalid_grant', `Invalid JWT: Failed audience check. The expected value was ${this.tokenUri}`);
    const nowSec = Math.floor(this.now() / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > 3600 || exp <= nowSec || iat > nowSec + 300) {
      return oauthError(
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    if (scopes.length === 0) return oauthError('invalid_scope', 'Empty or missing scope not allowed.');

    // Google grants any valid scope here; the API itself refuses a token without its scope.
    const ttl = this.opts.tokenTtlSec ?? 3600;
    const accessToken = `ya29.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(accessToken, { clientEmail: claims.iss as string, expiresAt: this.now() + ttl * 1000, scopes });
    return { status: 200, json: { access_token: accessToken, expires_in: ttl, token_type: 'Bearer' } };
  }

  // --- API ------------------------------------------------------------------------------

  private api(req: EmuRequest, kind: 'get' | 'post', handler: () => EmuResponse): EmuResponse {
    const token = bearer(req) ?? req.query.get('access_token') ?? undefined;
    const info = token ? this.tokens.get(token) : undefined;
    if (!info || info.expiresAt <= this.now()) {
      return googleError(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        'authError',
        'global',
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      );
    }
    if (!info.scopes.includes(scope)) {
      return googleError(
        403,
        'PERMISSION_DENIED',
        'Request had insufficient authentication scopes.',
        'insufficientPermissions',
      );
    }
    const pkg = req.params.pkg ?? '';
    if (!this.store.has(pkg)) {
      return googleError(
        404,
        'NOT_FOUND',
        'No application was found for the given package name.',
        'applicationNotFound',
        'androidpublisher',
      );
    }
    if (this.permission.get(pkg) === false) {
      return googleError(
        403,
        'PERMISSION_DENIED',
        'The current user has insufficient permissions to perform the requested operation.',
        'permissionDenied',
        'androidpublisher',
      );
    }
    const spent = this.spend(pkg, kind);
    if (spent) return spent;
    return handler();
  }

  private spend(pkg: string, kind: 'get' | 'post'): EmuResponse | undefined {
    const key = `${kind}:${pkg}`;
    const windowMs = kind === 'get' ? 3_600_000 : day;
    const limit = kind === 'get' ? (this.opts.getPerHour ?? 200) : (this.opts.postPerDay ?? 2000);
    const now = this.now();
    const used = (this.usage.get(key) ?? []).filter((t) => t > now - windowMs);
    if (used.length >= limit) {
      this.usage.set(key, used);
      const what = kind === 'get' ? 'GET requests per hour' : 'reply requests per day';
      const status = this.opts.quotaStatus ?? 403;
      return googleError(
        status,
        status === 429 ? 'RESOURCE_EXHAUSTED' : 'PERMISSION_DENIED',
        `Quota exceeded for ${pkg}: ${limit} ${what} per app.`,
        'rateLimitExceeded',
        'usageLimits',
      );
    }
    used.push(now);
    this.usage.set(key, used);
    return undefined;
  }

  private list(req: EmuRequest): EmuResponse {
    const pkg = req.params.pkg!;
    const now = this.now();
    // Only reviews with text, created or edited in the last 7 days, newest-modified first.
    const visible = (this.store.get(pkg) ?? [])
      .filter((r) => r.text.trim().length > 0 && r.lastModified > now - 7 * day)
      .sort((a, b) => b.lastModified - a.lastModified);
    const maxResults = Math.min(100, Math.max(1, Number(req.query.get('maxResults') ?? 10) || 10));
    const perPage = Math.min(maxResults, this.opts.pageSize ?? maxResults);
    let start = Number(req.query.get('startIndex') ?? 0) || 0;
    const token = req.query.get('token');
    if (token) {
      const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!m) return googleError(400, 'INVALID_ARGUMENT', 'Invalid pagination token.', 'invalid');
      start = Number(m[1]);
    }
    const slice = visible.slice(start, start + perPage);
    const next =
      start + perPage < visible.length ? Buffer.from(`o:${start + perPage}`).toString('base64url') : undefined;
    const translationLanguage = req.query.get('translationLanguage') ?? undefined;
    return {
      status: 200,
      json: {
        ...(slice.length > 0 ? { reviews: slice.map((r) => this.render(r, translationLanguage)) } : {}),
        ...(next ? { tokenPagination: { nextPageToken: next } } : {}),
        pageInfo: { totalResults: visible.length, resultPerPage: perPage, startIndex: start },
      },
    };
  }

  private reviewIdFrom(rest: string, suffix: string): string | undefined {
    return rest.endsWith(suffix) ? rest.slice(0, rest.length - suffix.length) : undefined;
  }

  private lookup(pkg: string, reviewId: string): StoredReview | undefined {
    return this.store.get(pkg)?.find((r) => r.reviewId === reviewId);
  }

  private getOne(req: EmuRequest): EmuResponse {
    const r = this.lookup(req.params.pkg!, req.params.rest!);
    if (!r) return googleError(404, 'NOT_FOUND', 'Review not found.', 'notFound');
    return { status: 200, json: this.render(r, req.query.get('translationLanguage') ?? undefined) };
  }

  private reply(req: EmuRequest): EmuResponse {
    const reviewId = this.reviewIdFrom(req.params.rest!, ':reply');
    if (!reviewId) return googleError(404, 'NOT_FOUND', `Method not found.`, 'notFound');
    const r = this.lookup(req.params.pkg!, reviewId);
    if (!r) return googleError(404, 'NOT_FOUND', 'Review not found.', 'notFound');
    const body = req.json as { replyText?: unknown } | undefined;
    if (typeof body?.replyText !== 'string' || body.replyText.trim() === '') {
      return googleError(400, 'INVALID_ARGUMENT', 'Reply text must not be empty.', 'invalid');
    }
    if (body.replyText.length > 350) {
      return googleError(
        400,
        'INVALID_ARGUMENT',
        `Reply text is too long: ${body.replyText.length} characters; the maximum is 350.`,
        'invalid',
      );
    }
    // Creates or replaces the one reply; HTML tags are stripped as Google does.
    r.reply = { text: body.replyText.replace(/<[^>]*>/g, ''), lastModified: this.now() };
    return { status: 200, json: { result: { replyText: r.reply.text, lastEdited: timestamp(r.reply.lastModified) } } };
  }

  private render(r: StoredReview, translationLanguage: string | undefined): unknown {
    const lang = (s: string | undefined): string => (s ?? '').slice(0, 2).toLowerCase();
    const translate = translationLanguage !== undefined && lang(translationLanguage) !== lang(r.reviewerLanguage);
    const userComment: Record<string, unknown> = {
      text: translate ? `[${translationLanguage}] ${r.text}` : r.text,
      lastModified: timestamp(r.lastModified),
      starRating: r.starRating,
    };
    const optional = [
      'reviewerLanguage',
      'device',
      'androidOsVersion',
      'appVersionCode',
      'appVersionName',
      'thumbsUpCount',
      'thumbsDownCount',
    ] as const;
    for (const k of optional) if (r[k] !== undefined) userComment[k] = r[k];
    if (r.productName) userComment.deviceMetadata = { productName: r.productName, deviceClass: 'phone' };
    // "If the review was not translated this is left blank" (discovery document, UserComment).
    if (translationLanguage !== undefined) userComment.originalText = translate ? r.text : '';
    const comments: unknown[] = [{ userComment }];
    if (r.reply)
      comments.push({ developerComment: { text: r.reply.text, lastModified: timestamp(r.reply.lastModified) } });
    return { reviewId: r.reviewId, ...(r.authorName ? { authorName: r.authorName } : {}), comments };
  }
}
