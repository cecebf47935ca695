/**
 * The contract every store connector implements, for the console APIs (with credentials)
 * and for the public sources (without). The sync engine and the reply publisher only see this.
 */
import type { AnswerState, Review, StoreId } from '../../domain/review.js';
import { RemoteError } from '../../errors.js';

export interface AppRef {
  store: StoreId;
  /** App Store: numeric app id; Google Play / RuStore: package name. */
  appId: string;
  /** App Store territories (alpha-3) to push down as `filter[territory]` / to read public feeds for. */
  countries?: readonly string[] | undefined;
  /** Ratings to push down where the API can (`filter[rating]`). Empty or absent: all. */
  ratings?: readonly number[] | undefined;
  /** Google Play reviewer languages (public source asks per language). */
  languages?: readonly string[] | undefined;
  translationLanguage?: string | undefined;
}

export interface FetchOptions {
  /**
   * Asked for each review of a page; when every review of a page is known and unchanged the
   * connector stops paging, so a sync with nothing new costs one request per app.
   */
  isKnownUnchanged?: ((review: Review) => boolean) | undefined;
  /** Read everything the source offers, ignoring `isKnownUnchanged` (periodic full scan). */
  full?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

export interface StoreApp {
  appId: string;
  name: string;
  bundleId?: string | undefined;
}

export interface PublishedReply {
  /** State right after publishing: Google Play PUBLISHED, App Store PENDING_PUBLISH, RuStore MODERATION. */
  state: AnswerState;
  /** Store's id of the answer when it has one (App Store response id, RuStore feedback id). */
  answerId?: string | undefined;
}

export interface ReplyStatus {
  state: AnswerState;
  text?: string | undefined;
  answerId?: string | undefined;
  /** Why a moderated answer was rejected, when the store tells. */
  reason?: string | undefined;
}

export interface Capabilities {
  /** Can publish developer answers (false for public sources). */
  reply: boolean;
  /** Longest answer the store accepts, in characters (UTF-16 code units as JS counts). */
  maxReplyLength: number;
  /** Answers go through moderation / a publishing delay and need reading back. */
  replyNeedsReadBack: boolean;
}

/** What a public source can do: read only. */
export const publicCapabilities: Capabilities = { reply: false, maxReplyLength: 0, replyNeedsReadBack: false };

export interface StoreConnector {
  readonly store: StoreId;
  /** `api` for the console APIs, `public` for the public sources. */
  readonly origin: 'api' | 'public';
  readonly capabilities: Capabilities;

  /** Check the credentials (or the source) against the live service; throws RemoteError. */
  ping(): Promise<void>;

  /** Apps the credentials can see, for the wizard's pick list. */
  listApps?(): Promise<StoreApp[]>;

  /** Newest first, page by page; the engine may stop iterating early. */
  fetchReviews(app: AppRef, opts?: FetchOptions): AsyncIterable<Review[]>;

  /**
   * Create or replace the developer answer. Throws RemoteError kind `too-long` before any
   * request when the text exceeds the limit; never shortens the text.
   */
  publishReply?(app: AppRef, reviewId: string, text: string, previousAnswerId?: string): Promise<PublishedReply>;

  /** Read back the answer's state (App Store publishing, RuStore moderation). */
  replyStatus?(app: AppRef, reviewId: string, answerId?: string): Promise<ReplyStatus | undefined>;

  /** Remaining quota as last seen, for `status` (e.g. { get: 180, post: 1990 }). */
  quotaSnapshot?(): Record<string, number | undefined>;
}

/** Refuses an answer longer than the store takes, before anything is sent. */
export function checkReplyLength(store: string, text: string, max: number): void {
  if (text.length > max) {
    throw new TooLongReplyError(store, text.length, max);
  }
}

export class TooLongReplyError extends RemoteError {
  constructor(
    store: string,
    readonly length: number,
    readonly max: number,
  ) {
    super({
      kind: 'too-long',
      service: store,
      message: `${store} takes answers of at most ${max} characters; this one has ${length}. Shorten it and send it again: it was not cut and not sent.`,
    });
    this.name = 'TooLongReplyError';
  }
}
