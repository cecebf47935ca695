import type { AppRef, SetAside, StoreConnector } from '../../src/connectors/stores/types.js';
import type { Review } from '../../src/domain/review.js';
import { Pager, type PagingBudget } from '../../src/engine/paging.js';

export interface PagingTestOptions {
  isKnownUnchanged?: ((r: Review) => boolean) | undefined;
  full?: boolean | undefined;
  budget?: PagingBudget | undefined;
  /** Told of each page's records that failed their schema. */
  onSetAside?: ((records: SetAside[]) => void) | undefined;
}

/** A connector's reviews page by page, read through the engine's paging loop (the way sync reads them). */
export async function* reviewPages(
  connector: StoreConnector,
  app: AppRef,
  opts: PagingTestOptions = {},
): AsyncIterable<Review[]> {
  const pager = new Pager(connector, app, {
    isKnownUnchanged: opts.full ? undefined : opts.isKnownUnchanged,
    budget: opts.budget,
  });
  for await (const page of pager.pages()) {
    if (page.setAside.length > 0) opts.onSetAside?.(page.setAside);
    if (page.reviews.length > 0) yield page.reviews;
  }
}
