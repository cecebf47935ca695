/**
 * The read loop, owned by the engine (as an Airbyte source base owns it): connectors only
 * yield pages; this decides when to stop, what was seen this run and what reaches the
 * ingestor. A store that pages forever (fresh cursors, pages alternating A/B, endless tokens)
 * costs at most the page and time budget, and a connector is only asked for its next page
 * (a request, maybe a quota unit) once the last one said there is more and nothing said stop.
 */
import type { AppRef, ReviewPage, SetAside, StoreConnector } from '../connectors/stores/types.js';
import { contentFingerprint, type Review } from '../domain/review.js';

export interface PagingBudget {
  /** Pages per app per run. */
  maxPages: number;
  /** Wall time per app per run, in milliseconds. */
  maxMs: number;
}

export interface PagingOptions {
  /** Asked before a page is handed on: a page whose every review is known and unchanged ends its sequence. */
  isKnownUnchanged?: ((review: Review) => boolean | Promise<boolean>) | undefined;
  /** Called with a page's new reviews before they are asked about one by one (one state read per page, not per review). */
  beforeKnownCheck?: ((reviews: readonly Review[]) => Promise<void>) | undefined;
  budget?: PagingBudget | undefined;
  now?: (() => number) | undefined;
  signal?: AbortSignal | undefined;
}

/** Why a page sequence ended early; budgets end the whole app, loops only their sequence. */
export type PagingStop = 'repeated-page' | 'repeated-cursor' | 'page-budget' | 'time-budget';

export interface PagingSummary {
  /** The budget in effect: the run's, or the connector's own page limit when lower. */
  budget: PagingBudget;
  pages: number;
  setAside: SetAside[];
  stops: { reason: PagingStop; slice?: string | undefined }[];
}

export const defaultPagingBudget: PagingBudget = { maxPages: 200, maxMs: 120_000 };

function stamp(r: Review): number {
  const t = Date.parse(r.updatedAt ?? r.createdAt);
  return Number.isNaN(t) ? 0 : t;
}

/** Same date: the content decides, so the same version wins whatever the order served. */
function newer(a: Review, b: Review): boolean {
  const ta = stamp(a);
  const tb = stamp(b);
  if (ta !== tb) return ta > tb;
  return contentFingerprint(a) > contentFingerprint(b);
}

/**
 * One review per id, in the page's order: the newest version wins, so a page listing an id twice
 * is not an edit on every run. The only place this is decided (connectors pass pages on as served).
 */
export function newestPerId(reviews: readonly Review[]): Review[] {
  const best = new Map<string, Review>();
  for (const r of reviews) {
    const had = best.get(r.reviewId);
    if (!had || newer(r, had)) best.set(r.reviewId, r);
  }
  if (best.size === reviews.length) return [...reviews];
  return reviews.filter((r) => best.get(r.reviewId) === r);
}

export class Pager {
  readonly summary: PagingSummary;
  private readonly now: () => number;
  private readonly budget: PagingBudget;

  constructor(
    private readonly connector: StoreConnector,
    private readonly app: AppRef,
    private readonly opts: PagingOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    const own = connector.capabilities.maxPagesPerRun;
    const budget = opts.budget ?? defaultPagingBudget;
    this.budget = {
      maxMs: budget.maxMs,
      maxPages: own === undefined ? budget.maxPages : Math.min(own, budget.maxPages),
    };
    this.summary = { budget: this.budget, pages: 0, setAside: [], stops: [] };
  }

  /** Pages as they should be recorded: deduplicated, reviews seen earlier this run left out. */
  async *pages(): AsyncGenerator<ReviewPage> {
    const started = this.now();
    const seen = new Set<string>();
    const slices = this.connector.slices?.(this.app) ?? [undefined];
    for (const slice of slices) {
      const stop = yield* this.readSlice(slice, seen, started);
      if (stop === 'page-budget' || stop === 'time-budget') return;
    }
  }

  private async *readSlice(
    slice: string | undefined,
    seen: Set<string>,
    started: number,
  ): AsyncGenerator<ReviewPage, PagingStop | undefined> {
    const sliceSeen = new Set<string>();
    const cursors = new Set<string>();
    const pages = this.connector.readPages(this.app, { slice, signal: this.opts.signal })[Symbol.asyncIterator]();
    const stop = (reason: PagingStop): PagingStop => {
      this.summary.stops.push({ reason, slice });
      return reason;
    };
    try {
      for (;;) {
        if (this.summary.pages >= this.budget.maxPages) return stop('page-budget');
        if (this.now() - started >= this.budget.maxMs) return stop('time-budget');
        const step = await pages.next();
        if (step.done) return undefined;
        this.summary.pages++;
        const page = step.value;
        this.summary.setAside.push(...page.setAside);
        const reviews = newestPerId(page.reviews);
        // Decided before the page is handed on: recording it makes its reviews "known".
        const repeated = reviews.length > 0 && reviews.every((r) => sliceSeen.has(r.reviewId));
        const fresh = reviews.filter((r) => !seen.has(r.reviewId));
        const known = this.opts.isKnownUnchanged;
        let allKnown = known !== undefined && reviews.length > 0;
        if (allKnown && fresh.length > 1) await this.opts.beforeKnownCheck?.(fresh);
        for (const r of fresh) {
          if (!allKnown || !known) break;
          allKnown = await known(r);
        }
        for (const r of reviews) {
          seen.add(r.reviewId);
          sliceSeen.add(r.reviewId);
        }
        if (!repeated && (fresh.length > 0 || page.setAside.length > 0))
          yield { reviews: fresh, setAside: page.setAside, next: page.next, unordered: page.unordered };
        if (repeated) return stop('repeated-page');
        if ((allKnown && !page.unordered) || page.next === undefined) return undefined;
        if (cursors.has(page.next)) return stop('repeated-cursor');
        cursors.add(page.next);
      }
    } finally {
      await pages.return?.();
    }
  }
}

/** One line per stop, for the app's warnings. */
export function describeStops(summary: PagingSummary): string[] {
  const { budget } = summary;
  const out: string[] = [];
  for (const s of summary.stops) {
    const where = s.slice ? ` (${s.slice})` : '';
    if (s.reason === 'repeated-page')
      out.push(`the store served a page already read in this run${where}: paging stopped there`);
    else if (s.reason === 'repeated-cursor')
      out.push(`the store pointed back to a page already read in this run${where}: paging stopped there`);
    else if (s.reason === 'page-budget')
      out.push(
        `paging stopped at the budget of ${budget.maxPages} pages per run (sync.maxPagesPerApp); older pages were not read`,
      );
    else
      out.push(
        `paging stopped at the budget of ${Math.round(budget.maxMs / 1000)} s per run (sync.maxPullSeconds); older pages were not read`,
      );
  }
  return out;
}
