/**
 * Pull one app's reviews and record them: every version seen is stored, each review is
 * classified (new; edited with rating up, down, or text only) and filtered, and what passes
 * is queued in the delivery outbox in the same transaction. Nothing is sent from here.
 */
import type { AppConfig } from '../config/schema.js';
import type { AppRef, Capabilities, StoreConnector } from '../connectors/stores/types.js';
import { reviewKey, sameContent, type Review } from '../domain/review.js';
import { classifyChange, evaluate, type Change } from '../rules/filter.js';
import type { StateDb } from '../state/handle.js';
import { DeliveryOutbox } from '../state/deliveries.js';
import { ReviewStore, succeed, type ReviewRow } from '../state/reviews.js';
import { SetAsideRecords } from '../state/set-aside.js';
import { newestPerId, Pager, type PagingBudget, type PagingSummary } from './paging.js';
import type { AppReport } from './report.js';

export interface IngestOptions {
  firstSync: boolean;
  full: boolean;
  /** Called with the running count, for progress on a terminal. */
  onProgress?: ((fetched: number) => void) | undefined;
  budget?: PagingBudget | undefined;
  now?: (() => number) | undefined;
}

/** Reviews recorded per commit. */
const batchSize = 200;

/** Newest first: the backlog takes the newest unanswered reviews. */
function newestFirst(reviews: Review[]): Review[] {
  return reviews.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

export interface ImportBacklog {
  /** Backlog places still free for the app. */
  left: number;
  /** Epoch ms of the app's first sync: reviews created since then are not backlog (sync missed them). */
  since?: number | undefined;
}

export class Ingestor {
  private readonly reviews: ReviewStore;
  /** The state's rows for the page being checked (paging never asks again about a review it has seen this run). */
  private pageRows: Map<string, ReviewRow | undefined> | undefined;
  private readonly outbox: DeliveryOutbox;
  private readonly setAside: SetAsideRecords;
  /** Records set aside by earlier runs, forgotten once the store serves them readable (loaded on first use). */
  private setAsideIds: Set<string> | undefined;
  /** Public-feed reviews not yet matched to API ids, loaded once per run. */
  private publicReviews: { key: string; review: Review }[] | undefined;

  constructor(
    private readonly db: StateDb,
    private readonly app: AppConfig,
    private readonly report: AppReport,
  ) {
    this.reviews = new ReviewStore(db);
    this.outbox = new DeliveryOutbox(db);
    this.setAside = new SetAsideRecords(db);
  }

  private appKey(): string {
    return `${this.app.store}:${this.app.appId}`;
  }

  /** Known with the same content (and the same edit date, where the store stamps edits). */
  private async knownUnchanged(r: Review, caps: Capabilities): Promise<boolean> {
    const key = reviewKey(r);
    const row = this.pageRows?.has(key) ? this.pageRows.get(key) : await this.reviews.resolve(key);
    if (!row || !sameContent(row.fingerprint, r)) return false;
    return (
      caps.editDetection !== 'edit-date' ||
      r.updatedAt === undefined ||
      row.updatedAt === null ||
      row.updatedAt === r.updatedAt
    );
  }

  /** Reads and records the app's pages; returns how the paging went (pages, set-aside records, stops). */
  async run(connector: StoreConnector, opts: IngestOptions): Promise<PagingSummary> {
    const ref: AppRef = {
      store: this.app.store,
      appId: this.app.appId,
      countries: this.app.filters.countries,
      ratings: this.app.filters.ratings,
      languages: this.app.filters.languages,
      translationLanguage: this.app.translationLanguage,
    };
    const caps = connector.capabilities;
    const pager = new Pager(connector, ref, {
      isKnownUnchanged: opts.full ? undefined : (r) => this.knownUnchanged(r, caps),
      beforeKnownCheck: async (reviews) => {
        this.pageRows = await this.reviews.resolveMany(reviews.map(reviewKey));
      },
      budget: opts.budget,
      now: opts.now,
    });
    const pages = pager.pages();
    if (opts.firstSync) {
      // The backlog takes the newest unanswered reviews: collect everything, then decide in order.
      const all: Review[] = [];
      for await (const page of pages) {
        all.push(...page.reviews);
        this.report.fetched += page.reviews.length;
        opts.onProgress?.(this.report.fetched);
      }
      newestFirst(all);
      let backlogLeft = this.app.filters.backlog - (await this.reviews.countChosen(this.appKey()));
      for (let i = 0; i < all.length; i += batchSize) {
        await this.inOneCommit(async () => {
          for (const review of all.slice(i, i + batchSize))
            backlogLeft -= (await this.record(review, connector, backlogLeft)) ? 1 : 0;
        });
      }
      return pager.summary;
    }
    for await (const page of pages) {
      this.report.fetched += page.reviews.length;
      opts.onProgress?.(this.report.fetched);
      for (let i = 0; i < page.reviews.length; i += batchSize) {
        await this.inOneCommit(async () => {
          for (const review of page.reviews.slice(i, i + batchSize)) await this.record(review, connector, undefined);
        });
      }
    }
    return pager.summary;
  }

  /**
   * Reviews read from a console export (`import`): the newest version of each, newest first,
   * through the same filters, backlog and outbox as a pull. A review the state knows is left as
   * it is: the file may be older than what the store served since.
   */
  async recordImported(reviews: readonly Review[], backlog: ImportBacklog): Promise<void> {
    const all = newestFirst(newestPerId(reviews));
    this.report.fetched += reviews.length;
    let left = backlog.left;
    for (let i = 0; i < all.length; i += batchSize) {
      await this.inOneCommit(async () => {
        for (const review of all.slice(i, i + batchSize)) {
          if (await this.reviews.resolve(reviewKey(review))) {
            this.report.unchanged++;
            continue;
          }
          const isBacklog = backlog.since === undefined || Date.parse(review.createdAt) < backlog.since;
          left -= (await this.record(review, undefined, isBacklog ? left : undefined)) ? 1 : 0;
        }
      });
    }
  }

  /**
   * Reviews are recorded atomically one by one (savepoints) but committed a batch at a time:
   * a commit waits for the disk (synchronous=FULL), and one per review made a large pull slow.
   * A kill mid-batch loses only that batch's records, which the next pull finds again.
   */
  private inOneCommit(fn: () => Promise<void>): Promise<void> {
    return this.db.transaction(fn);
  }

  /** Records one review atomically; true when it took a backlog place. Without a connector no predecessor is looked for. */
  private async record(
    review: Review,
    connector: StoreConnector | undefined,
    backlogLeft: number | undefined,
  ): Promise<boolean> {
    this.setAsideIds ??= await this.setAside.ids(this.appKey());
    const setAsideIds = this.setAsideIds;
    // A savepoint inside the batch's transaction (or a transaction of its own).
    return this.db.transaction(async () => {
      const key = reviewKey(review);
      if (setAsideIds.delete(review.reviewId))
        await this.setAside.forget(`${review.store}:${review.appId}`, review.reviewId);
      let row = await this.reviews.get(key);
      if (row?.aliasOf) row = await this.reviews.resolve(key);
      if (!row && connector) {
        const predecessor = await this.findPredecessor(review, connector);
        if (predecessor) {
          await succeed(this.db, predecessor.reviewKey, review);
          row = (await this.reviews.get(key))!;
        }
      }
      if (!row) return this.recordNew(review, backlogLeft);
      await this.recordKnown(row, review);
      return false;
    });
  }

  private async recordNew(review: Review, backlogLeft: number | undefined): Promise<boolean> {
    this.report.new++;
    const verdict = evaluate(review, 'new', this.app.filters);
    if (!verdict.keep) {
      await this.reviews.insert(review, 'dropped', verdict.detail);
      this.report.dropped[verdict.reason] = (this.report.dropped[verdict.reason] ?? 0) + 1;
      return false;
    }
    if (backlogLeft !== undefined && (backlogLeft <= 0 || review.developerAnswer)) {
      await this.reviews.insert(
        review,
        'backlog-skipped',
        review.developerAnswer ? 'answered before the first sync' : 'older than the backlog',
      );
      this.report.backlogSkipped++;
      if (review.developerAnswer) this.report.backlogAnswered = (this.report.backlogAnswered ?? 0) + 1;
      return false;
    }
    await this.reviews.insert(review, 'deliver', null);
    await this.outbox.enqueue(reviewKey(review), 1, 'create');
    return backlogLeft !== undefined;
  }

  private async recordKnown(row: ReviewRow, review: Review): Promise<void> {
    if (sameContent(row.fingerprint, review)) {
      await this.reviews.touch(row.reviewKey, review);
      this.report.unchanged++;
      return;
    }
    const previous = (await this.reviews.latest(row.reviewKey))?.review;
    const version = await this.reviews.addVersion(row.reviewKey, review);
    const change: Change = classifyChange(previous, review);
    this.report.edited++;
    const verdict = evaluate(review, change, this.app.filters);
    if (!verdict.keep) {
      this.report.dropped[verdict.reason] = (this.report.dropped[verdict.reason] ?? 0) + 1;
      return;
    }
    const hasCaseOrCreate =
      row.caseId !== null || (await this.outbox.forReview(row.reviewKey)).some((d) => d.kind === 'create');
    if (!hasCaseOrCreate) await this.reviews.setDecision(row.reviewKey, 'deliver', null);
    await this.outbox.enqueue(row.reviewKey, version, hasCaseOrCreate ? 'edit' : 'create');
  }

  /**
   * The known review this unknown one replaces, if any:
   * - An API review that a public-source review (other ids) already brought in.
   * - A store that re-creates an edited review under a new id: one customer has one review per
   *   app and territory, so the same author in the same territory is the same review.
   */
  private async findPredecessor(review: Review, connector: StoreConnector): Promise<ReviewRow | undefined> {
    const key = reviewKey(review);
    if (review.origin === 'api' && connector.matchesPublicReview) {
      if (!this.publicReviews) {
        const loaded: { key: string; review: Review }[] = [];
        for (const k of await this.reviews.publicKeys(this.appKey())) {
          const latest = (await this.reviews.latest(k))?.review;
          if (latest !== undefined) loaded.push({ key: k, review: latest });
        }
        this.publicReviews = loaded;
      }
      const i = this.publicReviews.findIndex((p) => connector.matchesPublicReview!(p.review, review));
      if (i >= 0) {
        const [match] = this.publicReviews.splice(i, 1);
        return this.reviews.get(match!.key);
      }
    }
    if (!connector.capabilities.recreatesEditedReviews || !review.author) return undefined;
    const found = await this.reviews.byAuthor(this.appKey(), key, review.origin, review.author, review.territory);
    return found ? this.reviews.get(found) : undefined;
  }
}
