/**
 * The rustore.ru website backend's public reviews call on loopback:
 *   GET /comment/comment?packageName=…&sortBy=NEW_FIRST|USEFUL_FIRST|POSITIVE_FIRST|NEGATIVE_FIRST&pageNumber=0&pageSize=20
 * → {"code":"OK","message":null,"body":{"content":[…],…},"timestamp":…}. No auth. Bad
 * parameters get the envelope with an error code and HTTP 400; an unknown app an empty page.
 */
import { ServiceEmulator, EmulatorServer, type EmuRequest, type EmuResponse } from './harness.js';

export interface PublicComment {
  commentId: number;
  packageName: string;
  firstName: string;
  appRating: number;
  commentText: string;
  /** Epoch ms of the comment (sorting) and of its last edit. */
  createdMs: number;
  updatedMs: number;
  likeCounter: number;
  dislikeCounter: number;
  appVersionName: string;
  edited: boolean;
  devResponse?: string | undefined;
  devResponseMs?: number | undefined;
}

const sorts = ['NEW_FIRST', 'USEFUL_FIRST', 'POSITIVE_FIRST', 'NEGATIVE_FIRST'] as const;
const maxPageSize = 100;

/** RuStore writes Moscow time with its offset. */
function moscowIso(ms: number): string {
  return `${new Date(ms + 3 * 3600_000).toISOString().replace('Z', '')}+03:00`;
}

function envelope(status: number, code: string, message: string | null, body: unknown): EmuResponse {
  return { status, json: { code, message, body, timestamp: moscowIso(Date.now()) } };
}

export class RuStorePublicEmulator extends ServiceEmulator {
  override readonly server = new EmulatorServer({
    name: 'rustore-public',
    serverErrorResponse: (status) => envelope(status, 'INTERNAL_SERVER_ERROR', 'Внутренняя ошибка сервера', null),
  });
  /** `ruStoreVerCode` header of each request, to check what clients send. */
  readonly verCodes: (string | undefined)[] = [];
  private readonly store: PublicComment[] = [];
  private nextId = 748_223;
  private clock = Date.parse('2026-09-01T00:00:00Z');

  constructor() {
    super();
    this.server.route('GET', '/comment/comment', (req) => this.comments(req));
  }

  addReview(packageName: string, partial: Partial<Omit<PublicComment, 'packageName'>> = {}): PublicComment {
    this.clock += 60_000;
    const created = partial.createdMs ?? this.clock;
    const c: PublicComment = {
      commentId: partial.commentId ?? this.nextId++,
      packageName,
      firstName: partial.firstName ?? 'Пользователь',
      appRating: partial.appRating ?? 5,
      commentText: partial.commentText ?? 'Текст',
      createdMs: created,
      updatedMs: partial.updatedMs ?? created,
      likeCounter: partial.likeCounter ?? 0,
      dislikeCounter: partial.dislikeCounter ?? 0,
      appVersionName: partial.appVersionName ?? '1.0.0',
      edited: partial.edited ?? false,
      devResponse: partial.devResponse,
      devResponseMs: partial.devResponseMs ?? (partial.devResponse ? created + 30_000 : undefined),
    };
    this.store.push(c);
    return c;
  }

  /** The user edits the comment: flagged `edited`, new update date (creation date kept). */
  editReview(
    packageName: string,
    commentId: number,
    patch: Partial<Pick<PublicComment, 'appRating' | 'commentText'>>,
  ): PublicComment {
    const c = this.store.find((x) => x.packageName === packageName && x.commentId === commentId);
    if (!c) throw new Error(`no comment ${commentId} for ${packageName}`);
    this.clock += 60_000;
    Object.assign(c, patch, { edited: true, updatedMs: this.clock });
    return c;
  }

  reviews(): PublicComment[] {
    return [...this.store];
  }

  private comments(req: EmuRequest): EmuResponse {
    const h = req.headers.rustorevercode;
    this.verCodes.push(Array.isArray(h) ? h[0] : h);
    const packageName = req.query.get('packageName');
    const sortBy = req.query.get('sortBy') ?? 'NEW_FIRST';
    const pageNumber = Number(req.query.get('pageNumber') ?? '0');
    const pageSize = Number(req.query.get('pageSize') ?? '20');
    if (!packageName)
      return envelope(400, 'BAD_REQUEST', 'Required request parameter packageName is not present', null);
    if (!(sorts as readonly string[]).includes(sortBy))
      return envelope(400, 'BAD_REQUEST', `Unknown sortBy: ${sortBy}`, null);
    if (
      !Number.isInteger(pageNumber) ||
      pageNumber < 0 ||
      !Number.isInteger(pageSize) ||
      pageSize < 1 ||
      pageSize > maxPageSize
    ) {
      return envelope(400, 'BAD_REQUEST', 'Invalid paging parameters', null);
    }
    const all = this.store.filter((c) => c.packageName === packageName).sort(order(sortBy));
    const content = all.slice(pageNumber * pageSize, (pageNumber + 1) * pageSize).map((c) => ({
      commentId: c.commentId,
      packageName: c.packageName,
      firstName: c.firstName,
      appRating: c.appRating,
      commentText: c.commentText,
      commentDate: moscowIso(c.createdMs),
      updatedAt: moscowIso(c.updatedMs),
      likeCounter: c.likeCounter,
      dislikeCounter: c.dislikeCounter,
      appVersionName: c.appVersionName,
      edited: c.edited,
      devResponse: c.devResponse ?? null,
      devResponseDate: c.devResponseMs === undefined ? null : moscowIso(c.devResponseMs),
    }));
    return envelope(200, 'OK', null, {
      content,
      pageNumber,
      pageSize,
      totalElements: all.length,
      totalPages: Math.ceil(all.length / pageSize),
    });
  }
}

function order(sortBy: string): (a: PublicComment, b: PublicComment) => number {
  if (sortBy === 'USEFUL_FIRST') return (a, b) => b.likeCounter - a.likeCounter || b.createdMs - a.createdMs;
  if (sortBy === 'POSITIVE_FIRST') return (a, b) => b.appRating - a.appRating || b.createdMs - a.createdMs;
  if (sortBy === 'NEGATIVE_FIRST') return (a, b) => a.appRating - b.appRating || b.createdMs - a.createdMs;
  return (a, b) => b.createdMs - a.createdMs;
}
