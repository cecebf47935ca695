/**
 * Pull one app's reviews and record them: every version seen is stored, each review is
 * classified (new; edited with rating up, down, or text only) and filtered, and what passes
 * is queued in the delivery outbox in the same transaction. Nothing is sent from here.
 */
import type { AppConfig } from '../config/schema.js';
import type { StoreConnector } from '../connectors/stores/types.js';
import { contentFingerprint, reviewKey, type Review } from '../domain/review.js';
import { classifyChange, evaluate, type Change } from '../rules/filter.js';
import type { Db } from '../state/db.js';
import { nowIso } from '../state/db.js';
import { DeliveryOutbox } from '../state/deliveries.js';
import { ReviewStore, succeed, type ReviewRow } from '../state/reviews.js';
import type { AppReport } from './report.js';

export interface IngestOptions {
  firstSync: boolean;
  full: boolean;
  /** Called with the running count, for progress on a terminal. */
  onProgress?: ((fetched: number) => void) | undefined;
  /** Finds the API review that a public-feed review was (App Store ids differ). */
  matchPublicToApi?: ((publicReview: Review, apiCandidates: Review[]) => Review | undefined) | undefined;
}

/** Reviews recorded per commit. */
const batchSize = 200;

export class Ingestor {
  private readonly reviews: ReviewStore;
  private readonly outbox: DeliveryOutbox;
  /** Keys recorded as new or changed by this run. */
  private readonly recordedThisRun = new Set<string>();
  /** Public-feed reviews not yet matched to API ids, loaded once per run. */
  private publicReviews: { key: string; review: Review }[] | undefined;

  constructor(
    private readonly db: Db,
    private readonly app: AppConfig,
    private readonly report: AppReport,
  ) {
    this.reviews = new ReviewStore(db);
    this.outbox = new DeliveryOutbox(db);
  }

  private appKey(): string {
    return `${this.app.store}:${this.app.appId}`;
  }

  isKnownUnchanged = (r: Review): boolean => {
    // A review this run recorded as new or changed is not "known" to the paging decision, even
    // when the connector asks after the page was recorded: otherwise a page of new reviews
    // would end the pull and the pages behind it would never be read.
    if (this.recordedThisRun.has(reviewKey(r))) return false;
    const row = this.reviews.resolve(reviewKey(r));
    if (!row || row.fingerprint !== contentFingerprint(r)) return false;
    return r.updatedAt === undefined || row.updatedAt === null || row.updatedAt === r.updatedAt;
  };

  async run(connector: StoreConnector, opts: IngestOptions): Promise<void> {
    const ref = {
      store: this.app.store,
      appId: this.app.appId,
      countries: this.app.filters.countries,
      ratings: this.app.filters.ratings,
      languages: this.app.filters.languages,
      translationLanguage: this.app.translationLanguage,
    };
    const pages = connector.fetchReviews(ref, { isKnownUnchanged: opts.full ? undefined : this.isKnownUnchanged, full: opts.full });
    if (opts.firstSync) {
      // The backlog takes the newest unanswered reviews: collect everything, then decide in order.
      const all: Review[] = [];
      for await (const page of pages) {
        all.push(...page);
        this.report.fetched += page.length;
        opts.onProgress?.(this.report.fetched);
      }
      all.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
      let backlogLeft = this.app.filters.backlog - this.alreadyChosenForBacklog();
      for (let i = 0; i < all.length; i += batchSize) {
        this.inOneCommit(() => {
          for (const review of all.slice(i, i + batchSize)) backlogLeft -= this.record(review, { backlogLeft, opts }) ? 1 : 0;
        });
      }
      return;
    }
    for await (const page of pages) {
      this.report.fetched += page.length;
      opts.onProgress?.(this.report.fetched);
      for (let i = 0; i < page.length; i += batchSize) {
        this.inOneCommit(() => {
          for (const review of page.slice(i, i + batchSize)) this.record(review, { backlogLeft: undefined, opts });
        });
      }
    }
  }

  /**
   * Reviews are recorded atomically one by one (savepoints) but committed a batch at a time:
   * a commit waits for the disk (synchronous=FULL), and one per review made a large pull slow.
   * A kill mid-batch loses only that batch's records, which the next pull finds again.
   */
  private inOneCommit(fn: () => void): void {
    this.db.transaction(fn).immediate();
  }

  /** A first sync killed midway has already chosen part of the backlog. */
  private alreadyChosenForBacklog(): number {
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM reviews WHERE app_key = ? AND decision = 'deliver' AND alias_of IS NULL`).get(this.appKey()) as { n: number };
    return row.n;
  }

  /** Records one review atomically; true when it took a backlog place. */
  private record(review: Review, ctx: { backlogLeft: number | undefined; opts: IngestOptions }): boolean {
    let tookBacklog = false;
    this.db
      .transaction(() => {
        const key = reviewKey(review);
        let row = this.reviews.get(key);
        if (!row || row.fingerprint !== contentFingerprint(review)) this.recordedThisRun.add(key);
        if (row?.aliasOf) row = this.reviews.resolve(key);
        if (!row) {
          const predecessor = this.findPredecessor(review, ctx.opts);
          if (predecessor) {
            succeed(this.db, predecessor.reviewKey, review);
            row = this.reviews.get(key)!;
          }
        }
        if (!row) {
          tookBacklog = this.recordNew(review, ctx.backlogLeft);
          return;
        }
        this.recordKnown(row, review);
      })
      .immediate();
    return tookBacklog;
  }

  private recordNew(review: Review, backlogLeft: number | undefined): boolean {
    this.report.new++;
    const verdict = evaluate(review, 'new', this.app.filters);
    if (!verdict.keep) {
      this.reviews.insert(review, 'dropped', verdict.detail);
      this.report.dropped[verdict.reason] = (this.report.dropped[verdict.reason] ?? 0) + 1;
      return false;
    }
    if (backlogLeft !== undefined && (backlogLeft <= 0 || review.developerAnswer)) {
      this.reviews.insert(review, 'backlog-skipped', review.developerAnswer ? 'answered before the first sync' : 'older than the backlog');
      this.report.backlogSkipped++;
      return false;
    }
    this.reviews.insert(review, 'deliver', null);
    this.outbox.enqueue(reviewKey(review), 1, 'create');
    return backlogLeft !== undefined;
  }

  private recordKnown(row: ReviewRow, review: Review): void {
    if (row.fingerprint === contentFingerprint(review)) {
      this.reviews.touch(row.reviewKey, review);
      this.report.unchanged++;
      return;
    }
    const previous = this.reviews.latest(row.reviewKey)?.review;
    const version = this.reviews.addVersion(row.reviewKey, review);
    const change: Change = classifyChange(previous, review);
    this.report.edited++;
    const verdict = evaluate(review, change, this.app.filters);
    if (!verdict.keep) {
      this.report.dropped[verdict.reason] = (this.report.dropped[verdict.reason] ?? 0) + 1;
      return;
    }
    const hasCaseOrCreate = row.caseId !== null || this.outbox.forReview(row.reviewKey).some((d) => d.kind === 'create');
    if (!hasCaseOrCreate) this.reviews.setDecision(row.reviewKey, 'deliver', null);
    this.outbox.enqueue(row.reviewKey, version, hasCaseOrCreate ? 'edit' : 'create');
  }

  /**
   * The known review this unknown one replaces, if any:
   * - App Store can re-create an edited review under a new id; one customer has one review per
   *   app and territory, so the same nickname in the same territory is the same review.
   * - An API review that a public-feed review (other ids) already brought in.
   */
  private findPredecessor(review: Review, opts: IngestOptions): ReviewRow | undefined {
    if (review.store !== 'app-store') return undefined;
    const key = reviewKey(review);
    if (review.origin === 'api' && opts.matchPublicToApi) {
      this.publicReviews ??= (this.db.prepare(`SELECT review_key FROM reviews WHERE app_key = ? AND origin = 'public' AND alias_of IS NULL`).pluck().all(this.appKey()) as string[])
        .map((k) => ({ key: k, review: this.reviews.latest(k)?.review }))
        .filter((p): p is { key: string; review: Review } => p.review !== undefined);
      const i = this.publicReviews.findIndex((p) => opts.matchPublicToApi!(p.review, [review]) !== undefined);
      if (i >= 0) {
        const [match] = this.publicReviews.splice(i, 1);
        return this.reviews.get(match!.key);
      }
    }
    // Apple nicknames are unique, and a customer has one review per app and storefront.
    if (!review.author) return undefined;
    const found = this.db
      .prepare(
        `SELECT r.review_key FROM reviews r JOIN review_versions v ON v.review_key = r.review_key AND v.version = r.latest_version
         WHERE r.app_key = ? AND r.alias_of IS NULL AND r.review_key != ? AND r.origin = ? AND v.author = ? AND COALESCE(v.territory, '') = ? LIMIT 1`,
      )
      .pluck()
      .get(this.appKey(), key, review.origin, review.author, review.territory ?? '') as string | undefined;
    return found ? this.reviews.get(found) : undefined;
  }
}

export { nowIso };
