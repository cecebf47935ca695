/**
 * The contract every store connector implements, for the console APIs (with credentials)
 * and for the public sources (without). The sync engine and the reply publisher only see this.
 */
import type { z } from 'zod';
import type { ConfigLocation } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import type { AnswerState, Review } from '../../domain/review.js';
import { RemoteError } from '../../errors.js';
import type { ConnectorDeps, UsageLedger } from '../deps.js';
import type { StoreId } from './ids.js';
import type { StoreWizard } from './wizard-types.js';

export interface AppRef {
  store: StoreId;
  /** The store's app id (a number or a package name). */
  appId: string;
  /** Territories (alpha-3) to push down to the API / to read public feeds for. */
  countries?: readonly string[] | undefined;
  /** Ratings to push down where the API can (`filter[rating]`). Empty or absent: all. */
  ratings?: readonly number[] | undefined;
  /** Reviewer languages (a public source may ask per language). */
  languages?: readonly string[] | undefined;
  translationLanguage?: string | undefined;
}

export interface SetAside {
  id?: string | undefined;
  reason: string;
}

export interface ReviewPage {
  reviews: Review[];
  /** Records of this page that failed their schema; the rest of the page flows. */
  setAside: SetAside[];
  /** Opaque token of the page that follows (links.next URL, nextPageToken, page number); undefined on the last page. */
  next?: string | undefined;
  /**
   * The store did not serve this page newest first (a deployment that ignores the requested
   * order): a page of known reviews then says nothing about the pages after it, so the engine
   * reads on instead of stopping there.
   */
  unordered?: boolean | undefined;
}

export interface ReadOptions {
  /** One of `slices(app)` (a storefront, a language) when the connector has them. */
  slice?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface StoreApp {
  appId: string;
  name: string;
  bundleId?: string | undefined;
}

export interface PublishedReply {
  /** State right after publishing (published, pending publication, on moderation). */
  state: AnswerState;
  /** Store's id of the answer when it has one. */
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
  /**
   * How an edit shows: `edit-date` when the store stamps edits (`updatedAt`), `content` when
   * only comparing rating, title and text finds it.
   */
  editDetection: 'edit-date' | 'content';
  /** The store may re-create an edited review under a new id (same author and territory). */
  recreatesEditedReviews: boolean;
  /** Read everything this often: edits of old reviews are only found by a full scan. */
  fullScanEveryMs?: number | undefined;
  /** The API serves only reviews of the last N days: a longer gap between pulls loses reviews. */
  reviewWindowDays?: number | undefined;
  /** Pages per app per run at most, when the store's quota is tighter than the run's budget. */
  maxPagesPerRun?: number | undefined;
}

/** Static part of a public source's capabilities: read only. */
export const publicCapabilities = {
  reply: false,
  maxReplyLength: 0,
  replyNeedsReadBack: false,
} as const satisfies Partial<Capabilities>;

export interface StoreConnector {
  readonly store: StoreId;
  /** `api` for the console APIs, `public` for the public sources. */
  readonly origin: 'api' | 'public';
  readonly capabilities: Capabilities;

  /** Check the credentials (or the source) against the live service; throws RemoteError. */
  ping(): Promise<void>;

  /** Apps the credentials can see, for the wizard's pick list. */
  listApps?(): Promise<StoreApp[]>;

  /** Independent page sequences of one app (storefronts, languages); absent: one sequence. */
  slices?(app: AppRef): string[];

  /**
   * Newest first, page by page. The connector only reads: the engine decides when to stop
   * (it simply stops iterating), so the next page is requested only when the engine asks.
   */
  readPages(app: AppRef, opts?: ReadOptions): AsyncIterable<ReviewPage>;

  /**
   * True when a review read from the store's public source is this API review (the public
   * source uses other ids); absent when the ids are the same.
   */
  matchesPublicReview?(publicReview: Review, apiReview: Review): boolean;

  /**
   * Create or replace the developer answer. Throws RemoteError kind `too-long` before any
   * request when the text exceeds the limit; never shortens the text.
   */
  publishReply?(app: AppRef, reviewId: string, text: string, previousAnswerId?: string): Promise<PublishedReply>;

  /** Read back the answer's state (delayed publishing, moderation). */
  replyStatus?(app: AppRef, reviewId: string, answerId?: string): Promise<ReplyStatus | undefined>;

  /** Remaining quota as last seen, for `status` (e.g. { get: 180, post: 1990 }). */
  quotaSnapshot?(): Promise<Record<string, number | undefined>>;
}

/** How a connector class is built from the config (credentials resolved by the class). */
export interface ApiConnectorClass {
  readonly id: string;
  readonly store: StoreId;
  /** Same as the instance capability, for `status`, which builds no connector. */
  readonly reviewWindowDays?: number | undefined;
  /** Undefined when the config has no credentials for the store; throws ConfigError when they are broken. */
  fromConfig(config: Config, location: ConfigLocation, deps: ConnectorDeps): StoreConnector | undefined;
  /** Checks the credentials in the config without building anything: set, missing, or throws. */
  hasCredentials(config: Config, location: ConfigLocation): boolean;
}

export interface PublicConnectorClass {
  readonly id: string;
  readonly store: StoreId;
  fromConfig(config: Config, deps: ConnectorDeps): StoreConnector;
}

/** A review export of the store's console (CSV), read by `import` (export-files.ts). */
export interface ReviewExportFormat<S extends z.ZodType = z.ZodType> {
  /** As the console names the file, e.g. "Play Console monthly reviews report". */
  readonly name: string;
  readonly store: StoreId;
  /** The columns the format cannot do without, as the console writes them; a header without one is refused. */
  readonly columns: readonly string[];
  /** Columns read when the file has them (older layouts lack some). */
  readonly optionalColumns: readonly string[];
  /** One row, keyed by the columns above (cells trimmed, empty cells absent). */
  readonly row: S;
  /**
   * The review of a checked row; undefined when the row is no review to deliver (a rating
   * without text). Throws RecordError when the row lacks what a review needs.
   */
  toReview(row: z.output<S>, appId: string): Review | undefined;
}

/** What is known about a store without any connector: names, links, filters, quotas. */
export interface StoreDescriptor {
  readonly id: StoreId;
  /** As customers and agents know it (case subject, labels, notes). */
  readonly name: string;
  /** The console the credentials belong to (`config check`). */
  readonly consoleName: string;
  /** The system the store's devices run, named with a review's OS version. */
  readonly deviceOs?: string | undefined;
  /** Which app filters apply to this store's reviews. */
  readonly filters: { readonly countries: boolean; readonly languages: boolean };
  readonly api: ApiConnectorClass;
  readonly public: PublicConnectorClass;
  /** What `init` asks and `demo` prints for the store. */
  readonly wizard: StoreWizard;
  /** Where the developer answers the review in the store's console. */
  consoleLink(review: Pick<Review, 'appId' | 'reviewId'>): string;
  /** The console's review export, when `import` reads one for this store. */
  readonly exportFormat?: ReviewExportFormat | undefined;
  /** The store's request quota for an app, from our own usage records (`status`). */
  quota?(config: Config, usage: UsageLedger, appId: string, now: number): Promise<QuotaStatus>;
}

export interface QuotaStatus {
  getLeftThisHour: number;
  getPerHour: number;
  postLeftToday: number;
  postPerDay: number;
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
