/**
 * Find before create: no case is made for a review whose case already exists in the channel
 * (another process made it, or the state was lost). The channel's cases are indexed by review
 * key in the state (ChannelCases); each run makes sure the index covers what is due:
 * - an app this state knows nothing about: one full read of the channel, page by page, or a
 *   lookup per due review when that costs fewer requests (page 1 tells the total);
 * - later runs: one read of the cases created since this state last read the channel
 *   (newest first, so cases created while paging push others down, never out of view).
 * A run that creates nothing reads nothing. Shared by every app of a run: one read serves all.
 */
import type { Helpdesk } from '../connectors/helpdesk/types.js';
import type { Logger } from '../log.js';
import { ChannelCases, type ChannelCase } from '../state/channel-cases.js';
import type { StateDb } from '../state/handle.js';

/**
 * A window starts this much before the last read: our clock against Omnidesk's (NTP keeps them
 * within seconds) and cases still being created while we read. The window also holds this
 * state's own cases made since the last read: after a large first sync, the next read pages
 * through them once.
 */
const windowMarginMs = 2 * 60_000;
/** Omnidesk serves pages 1..500. */
const maxPage = 500;

export interface CaseFinderDeps {
  db: StateDb;
  helpdesk: Helpdesk;
  channel: string;
  logger: Logger;
  now?: (() => number) | undefined;
  /** Pages read so far and the pages in all (when known), for progress on a terminal. */
  onProgress?: ((read: number, total: number | undefined) => void) | undefined;
}

export class CaseFinder {
  readonly index: ChannelCases;
  /** Omnidesk reads this finder made (the cost of finding before creating). */
  reads = 0;
  private readonly now: () => number;
  private chain: Promise<void> = Promise.resolve();
  private fullRead = false;
  private windowRead = false;
  private firstPage: { cases: ChannelCase[]; total: number | undefined; pageSize: number; at: string } | undefined;

  constructor(private readonly deps: CaseFinderDeps) {
    this.index = new ChannelCases(deps.db, deps.channel);
    this.now = deps.now ?? Date.now;
  }

  /** Makes the index cover `dueKeys` (reviews about to get a case); one at a time per run. */
  prepare(appKey: string, dueKeys: readonly string[]): Promise<void> {
    if (dueKeys.length === 0) return Promise.resolve();
    const run = this.chain.then(() => this.prepareNow(appKey, dueKeys));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The channel's case for one of these keys (a review and its earlier ids), if the index has one. */
  async lookup(keys: readonly string[]): Promise<ChannelCase | undefined> {
    for (const k of keys) {
      const found = await this.index.find(k);
      if (found) return found;
    }
    return undefined;
  }

  /** Reads the whole channel again (state rebuild). */
  async readAll(): Promise<void> {
    await this.index.reset();
    await this.readFull();
  }

  private async prepareNow(appKey: string, dueKeys: readonly string[]): Promise<void> {
    const h = this.deps.helpdesk;
    if (this.fullRead) return this.index.markReconciled(appKey);
    const known = (await this.index.reconciled(appKey)) || (await this.index.knowsCasesOf(appKey));
    if (!h.listChannelCasesPage || !h.listsReviewKeys) {
      // Case lists do not show the review key: only a lookup per review can tell, and only
      // a state that knows nothing of the app pays for it.
      if (!known) await this.lookupEach(dueKeys);
      return this.index.markReconciled(appKey);
    }
    const since = (await this.index.readAt()) ?? (known ? await this.index.lastCreateAt() : undefined);
    if (known && since !== undefined) {
      if (!this.windowRead) await this.readWindow(since);
      return;
    }
    const first = await this.page1();
    const pages = first.total === undefined ? maxPage : Math.ceil(first.total / first.pageSize);
    const missing: string[] = [];
    for (const k of dueKeys) if (!(await this.index.find(k))) missing.push(k);
    if (pages <= 1 || missing.length > pages - 1) {
      await this.readFull();
    } else {
      await this.lookupEach(missing);
    }
    await this.index.markReconciled(appKey);
  }

  private async page1(): Promise<{ total: number | undefined; pageSize: number }> {
    if (!this.firstPage) {
      const at = new Date(this.now()).toISOString();
      const { cases, totalCount, pageSize } = await this.deps.helpdesk.listChannelCasesPage!(1);
      this.reads++;
      const indexed = this.toIndex(cases);
      await this.index.remember(indexed);
      this.firstPage = { cases: indexed, total: totalCount, pageSize, at };
      this.deps.onProgress?.(1, totalCount === undefined ? undefined : Math.ceil(totalCount / pageSize));
    }
    return this.firstPage;
  }

  private async readFull(): Promise<void> {
    const started = new Date(this.now()).toISOString();
    const first = await this.page1();
    const at = this.firstPage?.at ?? started;
    const pages = first.total === undefined ? maxPage : Math.min(maxPage, Math.ceil(first.total / first.pageSize));
    for (let page = 2; page <= pages; page++) {
      const { cases, fetched } = await this.deps.helpdesk.listChannelCasesPage!(page);
      this.reads++;
      await this.index.remember(this.toIndex(cases));
      this.deps.onProgress?.(page, pages);
      if (fetched < first.pageSize) break;
    }
    if (first.total !== undefined && first.total > maxPage * first.pageSize) {
      this.deps.logger.warn(
        'Omnidesk channel has more cases than one listing shows; older ones are looked up one by one',
        { total: first.total },
      );
    }
    await this.index.markRead(at);
    this.fullRead = true;
  }

  private async readWindow(sinceIso: string): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const createdSinceMs = Date.parse(sinceIso) - windowMarginMs;
    for (let page = 1; page <= maxPage; page++) {
      const { cases, fetched, totalCount, pageSize } = await this.deps.helpdesk.listChannelCasesPage!(page, {
        createdSinceMs,
      });
      this.reads++;
      await this.index.remember(this.toIndex(cases));
      if (fetched < pageSize || (totalCount !== undefined && page * pageSize >= totalCount)) break;
    }
    await this.index.markRead(at);
    this.windowRead = true;
  }

  private async lookupEach(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const found = await this.deps.helpdesk.findCaseByCustomId(key);
      this.reads++;
      if (found) await this.index.remember([{ reviewKey: key, caseId: found.caseId, userId: found.userId }]);
    }
  }

  private toIndex(
    cases: readonly { caseId: number; userId?: number | undefined; reviewKey?: string | undefined }[],
  ): ChannelCase[] {
    const out: ChannelCase[] = [];
    for (const c of cases)
      if (c.reviewKey) out.push({ reviewKey: c.reviewKey.trim(), caseId: c.caseId, userId: c.userId ?? null });
    return out;
  }
}
