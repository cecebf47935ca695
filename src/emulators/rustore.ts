/**
 * RuStore Public API emulator: signed-key auth with a 60 s timestamp window, expiring JWE
 * tokens sent as `Public-Token`, keys scoped to apps (403), paged user comments, and moderated
 * developer answers ("feedback"), all wrapped in RuStore's `{code, message, body, timestamp}`.
 *
 * Choices where the public contract is silent:
 * - editing an answer keeps its id and sends it back to MODERATION;
 * - a second create for the same comment is accepted (a new answer), as the worst case: a
 *   client must not rely on the service to prevent duplicates;
 * - the answer list ignores any `commentId` filter (the spec only has `id`), newest first;
 * - comments come in the order `sort` asks (Spring Pageable: `sort=commentDate,desc`, fields
 *   commentDate | updatedAt | commentId | appRating; an unknown field is a 400); without it,
 *   oldest first (by id), as a table read in its natural order would;
 * - the app list is paged only with `pagination=true` (as documented): without it the first 20
 *   apps come back and `pageSize` / `continuationToken` are ignored.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { ServiceEmulator, EmulatorServer, type EmuRequest, type EmuResponse } from './harness.js';

export interface RuStoreEmulatorKey {
  keyId: string;
  publicKeyPem: string;
  /** Packages this key is granted; default all. */
  apps?: string[];
}

export interface RuStoreEmulatorOptions {
  keys: RuStoreEmulatorKey[];
  tokenTtlSec?: number;
  /** Time an answer stays in MODERATION before PUBLISHED or REJECTED. */
  moderationDelayMs?: number;
  now?: () => number;
  /** `Retry-After` of an injected 429 (RuStore documents none; tests use 0). */
  retryAfterSec?: number;
  /** `array` as the OpenAPI schema says, or `page` (Spring page object) as some deployments answer. */
  listStyle?: 'array' | 'page';
  /** Also put the answers inside each comment (`devResponse`), as one public client saw. */
  commentDevResponses?: boolean;
  maxMessageLength?: number;
  /** A deployment that ignores `sort` on comments (answers oldest first regardless). */
  ignoreCommentSort?: boolean;
}

export type FeedbackStatus = 'PUBLISHED' | 'MODERATION' | 'REJECTED' | 'DELETED';

export interface EmuComment {
  packageName: string;
  appId: number;
  commentId: number;
  userName: string;
  appRating: number;
  commentStatus: string;
  commentText: string;
  commentDate: string;
  commentDateIso: string;
  updatedAt: string;
  updatedAtIso: string;
  edited: boolean;
  appVersionName: string;
  likeCounter: number;
  dislikeCounter: number;
}

export interface EmuFeedback {
  id: number;
  packageName: string;
  commentId: number;
  text: string;
  status: FeedbackStatus;
  /** Last create or edit (ms). */
  date: number;
  /** Which API key wrote it. */
  keyId: string;
}

export type CommentInput = Partial<
  Omit<EmuComment, 'packageName' | 'commentId' | 'commentDate' | 'commentDateIso' | 'updatedAt' | 'updatedAtIso'>
> & {
  /** Creation time (ms); default now. */
  at?: number;
  /** A given id (a review known from a console export); default the next one. */
  commentId?: number;
};

interface KeyEntry {
  keyId: string;
  publicKey: KeyObject;
  apps: string[] | undefined;
}

/** Moscow time (UTC+3, no DST) with an offset: `2024-05-01T10:00:00.000+03:00`. */
export function mskIso(ms: number): string {
  return `${new Date(ms + 3 * 3600_000).toISOString().slice(0, 23)}+03:00`;
}

/** Moscow time without offset, as the non-Iso fields: `2024-05-01 10:00:00.000`. */
export function mskPlain(ms: number): string {
  return new Date(ms + 3 * 3600_000).toISOString().slice(0, 23).replace('T', ' ');
}

const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export class RuStoreEmulator extends ServiceEmulator {
  override readonly server: EmulatorServer;
  private readonly opts: RuStoreEmulatorOptions;
  private readonly keys = new Map<string, KeyEntry>();
  private readonly tokens = new Map<string, { keyId: string; expiresAt: number }>();
  private readonly commentsByPkg = new Map<string, EmuComment[]>();
  private readonly appNames = new Map<string, string>();
  private readonly appIds = new Map<string, number>();
  private readonly answers: EmuFeedback[] = [];
  private readonly rejectable: string[] = [];
  private createFailure: { status: number; afterSaving: boolean } | undefined;
  private nextCommentId = 748_000;
  private nextFeedbackId = 90_000;
  private readonly now: () => number;

  constructor(opts: RuStoreEmulatorOptions) {
    super();
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    for (const k of opts.keys)
      this.keys.set(k.keyId, { keyId: k.keyId, publicKey: createPublicKey(k.publicKeyPem), apps: k.apps });
    this.server = new EmulatorServer({
      name: 'rustore',
      rateLimitedResponse: () => ({
        status: 429,
        json: this.envelope(null, 'TOO_MANY_REQUESTS', 'Too many requests'),
        headers: { 'retry-after': String(opts.retryAfterSec ?? 1) },
      }),
      serverErrorResponse: (status) => ({ status, json: this.envelope(null, 'ERROR', 'Internal server error') }),
    });
    this.routes();
  }

  addApp(pkg: string, name: string): void {
    this.appNames.set(pkg, name);
  }

  addComment(pkg: string, partial: CommentInput = {}): number {
    const at = partial.at ?? this.now();
    const { at: _at, commentId: given, ...fields } = partial;
    const commentId = given ?? this.nextCommentId++;
    const comment: EmuComment = {
      packageName: pkg,
      appId: this.appIdOf(pkg),
      commentId,
      userName: 'Пользователь',
      appRating: 5,
      commentStatus: 'PUBLISHED',
      commentText: `Отзыв ${commentId}`,
      likeCounter: 0,
      dislikeCounter: 0,
      appVersionName: '1.0.0',
      edited: false,
      ...fields,
      commentDate: mskPlain(at),
      commentDateIso: mskIso(at),
      updatedAt: mskPlain(at),
      updatedAtIso: mskIso(at),
    };
    const list = this.commentsByPkg.get(pkg) ?? [];
    list.push(comment);
    this.commentsByPkg.set(pkg, list);
    return commentId;
  }

  /** The user edits the review: `edited` set, `updatedAt(Iso)` moved forward. */
  editComment(
    commentId: number,
    changes: Partial<Pick<EmuComment, 'commentText' | 'appRating' | 'appVersionName'>>,
  ): void {
    const c = this.findComment(commentId);
    if (!c) throw new Error(`no comment ${commentId}`);
    Object.assign(c, changes);
    const previous = Date.parse(c.updatedAtIso);
    const at = Math.max(this.now(), previous + 1);
    c.edited = true;
    c.updatedAt = mskPlain(at);
    c.updatedAtIso = mskIso(at);
  }

  /** Newest first, as the API lists them. */
  comments(pkg: string): EmuComment[] {
    return this.sortedComments(pkg).map((c) => ({ ...c }));
  }

  /** Every answer, moderation settled as of now. */
  feedback(): EmuFeedback[] {
    return this.answers.map((f) => ({ ...this.settle(f) }));
  }

  /** Answers containing this text are REJECTED by moderation. */
  markRejectable(substring: string): void {
    this.rejectable.push(substring);
  }

  /** An answer written elsewhere (RuStore Console); returns its id. */
  addFeedback(
    pkg: string,
    commentId: number,
    text: string,
    status: FeedbackStatus = 'PUBLISHED',
    at = this.now(),
  ): number {
    const f: EmuFeedback = {
      id: this.nextFeedbackId++,
      packageName: pkg,
      commentId,
      text,
      status,
      date: at,
      keyId: 'console',
    };
    this.answers.push(f);
    return f.id;
  }

  /** The developer deletes the answer in RuStore Console. */
  deleteFeedback(id: number): void {
    const f = this.answers.find((x) => x.id === id);
    if (!f) throw new Error(`no feedback ${id}`);
    f.status = 'DELETED';
  }

  /**
   * The next answer create fails with `status`; with `afterSaving` the answer is stored first,
   * as when the service acts and then fails or the connection drops on the way back.
   */
  failNextCreate(opts: { status?: number; afterSaving?: boolean } = {}): void {
    this.createFailure = { status: opts.status ?? 502, afterSaving: opts.afterSaving ?? false };
  }

  /** Every issued token stops working (as after its ttl). */
  expireTokens(): void {
    this.tokens.clear();
  }

  private appIdOf(pkg: string): number {
    let id = this.appIds.get(pkg);
    if (id === undefined) {
      id = 2_063_588_567 + this.appIds.size;
      this.appIds.set(pkg, id);
    }
    return id;
  }

  private findComment(id: number): EmuComment | undefined {
    for (const list of this.commentsByPkg.values()) {
      const c = list.find((x) => x.commentId === id);
      if (c) return c;
    }
    return undefined;
  }

  private sortedComments(pkg: string): EmuComment[] {
    return [...(this.commentsByPkg.get(pkg) ?? [])].sort(
      (a, b) => Date.parse(b.commentDateIso) - Date.parse(a.commentDateIso) || b.commentId - a.commentId,
    );
  }

  /** Spring's `sort=property[,asc|desc]`; no sort: oldest first by id. */
  private orderedComments(pkg: string, sort: string | null): EmuComment[] | EmuResponse {
    const list = [...(this.commentsByPkg.get(pkg) ?? [])].sort((a, b) => a.commentId - b.commentId);
    if (!sort) return list;
    const [field = '', dir = 'asc'] = sort.split(',').map((x) => x.trim());
    const keys: Record<string, (c: EmuComment) => number> = {
      commentDate: (c) => Date.parse(c.commentDateIso),
      updatedAt: (c) => Date.parse(c.updatedAtIso),
      commentId: (c) => c.commentId,
      appRating: (c) => c.appRating,
    };
    const key = keys[field];
    if (!key || !['asc', 'desc'].includes(dir.toLowerCase()))
      return this.error(400, 'ERROR', `No property '${field}' found for type 'UserComment'`);
    const sign = dir.toLowerCase() === 'desc' ? -1 : 1;
    return list.sort((a, b) => sign * (key(a) - key(b)) || sign * (a.commentId - b.commentId));
  }

  private settle(f: EmuFeedback): EmuFeedback {
    if (f.status === 'MODERATION' && this.now() >= f.date + (this.opts.moderationDelayMs ?? 0)) {
      f.status = this.rejectable.some((s) => f.text.includes(s)) ? 'REJECTED' : 'PUBLISHED';
    }
    return f;
  }

  private envelope(body: unknown, code = 'OK', message: string | null = null): unknown {
    return { code, message, body, timestamp: mskIso(this.now()).replace('+03:00', '0000+03:00') };
  }

  private error(status: number, code: string, message: string): EmuResponse {
    return { status, json: this.envelope(null, code, message) };
  }

  private ok(body: unknown): EmuResponse {
    return { status: 200, json: this.envelope(body) };
  }

  private feedbackDto(f: EmuFeedback): unknown {
    this.settle(f);
    return { id: String(f.id), commentId: String(f.commentId), text: f.text, status: f.status, date: mskPlain(f.date) };
  }

  private list(items: unknown[], page: number, size: number, total: number): unknown {
    if (this.opts.listStyle !== 'page') return items;
    const totalPages = Math.ceil(total / size);
    return {
      content: items,
      pageNumber: page,
      pageSize: size,
      totalElements: total,
      totalPages,
      last: page + 1 >= totalPages,
    };
  }

  private auth(req: EmuRequest): EmuResponse {
    const b = (req.json ?? {}) as Record<string, unknown>;
    const keyId = typeof b.keyId === 'number' || typeof b.keyId === 'string' ? String(b.keyId) : undefined;
    const timestamp = typeof b.timestamp === 'string' ? b.timestamp : undefined;
    const signature = typeof b.signature === 'string' ? b.signature : undefined;
    if (!keyId || !timestamp || !signature)
      return this.error(400, 'ERROR', 'keyId, timestamp and signature are required');
    const key = this.keys.get(keyId);
    if (!key) return this.error(401, 'ERROR', 'Key not found');
    if (!timestampPattern.test(timestamp)) return this.error(400, 'ERROR', 'Invalid timestamp format');
    const at = Date.parse(timestamp.replace(/(\.\d{3})\d+/, '$1'));
    if (Number.isNaN(at) || Math.abs(this.now() - at) > 60_000)
      return this.error(400, 'ERROR', 'Range timestamp not valid');
    const valid = verify(
      'sha512',
      Buffer.from(keyId + timestamp, 'utf8'),
      key.publicKey,
      Buffer.from(signature, 'base64'),
    );
    if (!valid) return this.error(401, 'ERROR', 'Signature not valid');
    const ttl = this.opts.tokenTtlSec ?? 900;
    const jwe = `eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..${randomBytes(24).toString('base64url')}`;
    this.tokens.set(jwe, { keyId, expiresAt: this.now() + ttl * 1000 });
    return this.ok({ jwe, ttl });
  }

  /** The key behind the request's token, or the error to answer. */
  private caller(req: EmuRequest, pkg?: string): KeyEntry | EmuResponse {
    const raw = req.headers['public-token'];
    const jwe = Array.isArray(raw) ? raw[0] : raw;
    const token = jwe ? this.tokens.get(jwe) : undefined;
    if (!token || this.now() >= token.expiresAt) {
      if (jwe) this.tokens.delete(jwe);
      return this.error(401, 'ERROR', 'Token is invalid or expired');
    }
    const key = this.keys.get(token.keyId)!;
    if (pkg && key.apps && !key.apps.includes(pkg))
      return this.error(403, 'ERROR', 'This user does not have rights for this application or method');
    return key;
  }

  private paging(req: EmuRequest): { page: number; size: number } | EmuResponse {
    const page = Number(req.query.get('page') ?? 0);
    const size = Number(req.query.get('size') ?? 20);
    if (!Number.isInteger(page) || page < 0) return this.error(400, 'ERROR', 'page must be a non-negative integer');
    if (!Number.isInteger(size) || size < 1 || size > 100)
      return this.error(400, 'ERROR', 'size must be between 1 and 100');
    return { page, size };
  }

  private ids(req: EmuRequest): number[] {
    return req.query
      .getAll('id')
      .flatMap((v) => v.split(','))
      .filter(Boolean)
      .map(Number);
  }

  private message(req: EmuRequest): string | EmuResponse {
    const m = (req.json as { message?: unknown } | undefined)?.message;
    if (typeof m !== 'string' || m.trim() === '') return this.error(400, 'ERROR', 'message must not be empty');
    const max = this.opts.maxMessageLength ?? 500;
    if (m.length > max) return this.error(400, 'ERROR', `message must be at most ${max} characters`);
    return m;
  }

  private findAnswer(pkg: string, raw: string | undefined): EmuFeedback | undefined {
    const id = Number(raw);
    return this.answers.find((f) => f.id === id && f.packageName === pkg);
  }

  private routes(): void {
    const s = this.server;
    s.route('POST', '/public/auth/', (req) => this.auth(req));
    s.route('POST', '/public/auth', (req) => this.auth(req));

    s.route('GET', '/public/v1/application', (req) => {
      const key = this.caller(req);
      if ('status' in key) return key;
      const pkgs = [...new Set([...this.appNames.keys(), ...this.commentsByPkg.keys(), ...(key.apps ?? [])])].filter(
        (p) => !key.apps || key.apps.includes(p),
      );
      const paginated = req.query.get('pagination') === 'true';
      const pageSize = paginated ? Math.min(Number(req.query.get('pageSize') ?? 20) || 20, 1000) : 20;
      const start = paginated ? Number(req.query.get('continuationToken') ?? 0) || 0 : 0;
      const slice = pkgs.slice(start, start + pageSize);
      const content = slice.map((p) => ({
        appId: this.appIdOf(p),
        packageName: p,
        appName: this.appNames.get(p) ?? p,
        appStatus: 'ACTIVE',
      }));
      const more = paginated && start + pageSize < pkgs.length;
      return this.ok({ content, pageSize, continuationToken: more ? String(start + pageSize) : null });
    });

    s.route('GET', '/public/v1/application/:pkg/comment', (req) => {
      const pkg = req.params.pkg!;
      const key = this.caller(req, pkg);
      if ('status' in key) return key;
      const paging = this.paging(req);
      if ('status' in paging) return paging;
      const ids = this.ids(req);
      const ordered = this.orderedComments(pkg, this.opts.ignoreCommentSort ? null : req.query.get('sort'));
      if (!Array.isArray(ordered)) return ordered;
      const all = ordered.filter((c) => ids.length === 0 || ids.includes(c.commentId));
      const items = all.slice(paging.page * paging.size, (paging.page + 1) * paging.size).map((c) => {
        if (!this.opts.commentDevResponses) return { ...c };
        const devResponse = this.answers.filter((f) => f.commentId === c.commentId).map((f) => this.feedbackDto(f));
        return { ...c, devResponse };
      });
      return this.ok(this.list(items, paging.page, paging.size, all.length));
    });

    s.route('GET', '/public/v1/application/:pkg/feedback', (req) => {
      const pkg = req.params.pkg!;
      const key = this.caller(req, pkg);
      if ('status' in key) return key;
      const paging = this.paging(req);
      if ('status' in paging) return paging;
      const ids = this.ids(req);
      const all = this.answers
        .filter((f) => f.packageName === pkg && (ids.length === 0 || ids.includes(f.id)))
        .sort((a, b) => b.date - a.date || b.id - a.id);
      const items = all
        .slice(paging.page * paging.size, (paging.page + 1) * paging.size)
        .map((f) => this.feedbackDto(f));
      return this.ok(this.list(items, paging.page, paging.size, all.length));
    });

    s.route('POST', '/public/v1/application/:pkg/feedback', (req) => {
      const pkg = req.params.pkg!;
      const key = this.caller(req, pkg);
      if ('status' in key) return key;
      const commentId = Number(req.query.get('commentId'));
      if (!Number.isInteger(commentId) || commentId <= 0) return this.error(400, 'ERROR', 'commentId is required');
      const comment = this.commentsByPkg.get(pkg)?.find((c) => c.commentId === commentId);
      if (!comment) return this.error(404, 'ERROR', 'Comment not found');
      const message = this.message(req);
      if (typeof message !== 'string') return message;
      const failure = this.createFailure;
      this.createFailure = undefined;
      if (failure && !failure.afterSaving) return this.error(failure.status, 'ERROR', 'Internal server error');
      const f: EmuFeedback = {
        id: this.nextFeedbackId++,
        packageName: pkg,
        commentId,
        text: message,
        status: 'MODERATION',
        date: this.now(),
        keyId: key.keyId,
      };
      this.answers.push(f);
      return failure ? this.error(failure.status, 'ERROR', 'Bad gateway') : this.ok({ id: f.id });
    });

    s.route('GET', '/public/v1/application/:pkg/feedback/:id', (req) => {
      const pkg = req.params.pkg!;
      const key = this.caller(req, pkg);
      if ('status' in key) return key;
      const f = this.findAnswer(pkg, req.params.id);
      return f ? this.ok(this.feedbackDto(f)) : this.error(404, 'ERROR', 'Feedback not found');
    });

    s.route('POST', '/public/v1/application/:pkg/feedback/:id', (req) => {
      const pkg = req.params.pkg!;
      const key = this.caller(req, pkg);
      if ('status' in key) return key;
      const f = this.findAnswer(pkg, req.params.id);
      if (!f || f.status === 'DELETED') return this.error(404, 'ERROR', 'Feedback not found');
      const message = this.message(req);
      if (typeof message !== 'string') return message;
      Object.assign(f, {
        text: message,
        status: 'MODERATION',
        date: Math.max(this.now(), f.date + 1),
        keyId: key.keyId,
      });
      return this.ok({ id: f.id });
    });

    s.route('DELETE', '/public/v1/application/:pkg/feedback/:id', (req) => {
      const pkg = req.params.pkg!;
      const key = this.caller(req, pkg);
      if ('status' in key) return key;
      const f = this.findAnswer(pkg, req.params.id);
      if (!f || f.status === 'DELETED') return this.error(404, 'ERROR', 'Feedback not found');
      f.status = 'DELETED';
      return this.ok(null);
    });
  }
}
