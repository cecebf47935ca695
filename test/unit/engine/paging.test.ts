import { describe, expect, it } from 'vitest';
import type { AppRef, Capabilities, ReviewPage, StoreConnector } from '../../../src/connectors/stores/types.js';
import type { Review } from '../../../src/domain/review.js';
import { describeStops, newestPerId, Pager } from '../../../src/engine/paging.js';
import { emptyAppReport, renderReport } from '../../../src/engine/report.js';
import { makeReview } from '../../helpers/fakes.js';

const app: AppRef = { store: 'google-play', appId: 'com.acme' };

/** A connector serving `page(n)` forever, counting what it was asked for. */
function endless(
  page: (n: number) => ReviewPage,
  caps: Partial<Capabilities> = {},
  onPage?: () => void,
): StoreConnector & { asked: number } {
  const c = {
    store: 'google-play' as const,
    origin: 'api' as const,
    capabilities: {
      reply: false,
      maxReplyLength: 0,
      replyNeedsReadBack: false,
      editDetection: 'edit-date',
      recreatesEditedReviews: false,
      ...caps,
    } satisfies Capabilities,
    asked: 0,
    ping: async () => {},
    async *readPages(): AsyncIterable<ReviewPage> {
      for (;;) {
        const p = page(c.asked++);
        onPage?.();
        yield p;
      }
    },
  };
  return c;
}

async function drain(pager: Pager): Promise<Review[]> {
  const out: Review[] = [];
  for await (const p of pager.pages()) out.push(...p.reviews);
  return out;
}

const review = (id: string, extra: Partial<Review> = {}): Review =>
  makeReview({ store: 'google-play', appId: 'com.acme', reviewId: id, ...extra });

describe('Pager', () => {
  it('stops at the page budget and says so', async () => {
    const store = endless((n) => ({ reviews: [review(`r${n}`)], setAside: [], next: `t${n}` }));
    const pager = new Pager(store, app, { budget: { maxPages: 7, maxMs: 60_000 } });
    expect(await drain(pager)).toHaveLength(7);
    expect(store.asked).toBe(7);
    expect(describeStops(pager.summary)).toEqual([expect.stringContaining('budget of 7 pages per run')]);
  });

  it('stops at the time budget, measured on the given clock', async () => {
    let now = 0;
    const store = endless(
      (n) => ({ reviews: [review(`r${n}`)], setAside: [], next: `t${n}` }),
      {},
      () => (now += 10_000),
    );
    const pager = new Pager(store, app, { budget: { maxPages: 1000, maxMs: 35_000 }, now: () => now });
    await drain(pager);
    expect(store.asked).toBe(4);
    expect(pager.summary.stops).toEqual([{ reason: 'time-budget', slice: undefined }]);
  });

  it("takes the connector's own lower page limit", async () => {
    const store = endless((n) => ({ reviews: [review(`r${n}`)], setAside: [], next: `t${n}` }), { maxPagesPerRun: 3 });
    const pager = new Pager(store, app, { budget: { maxPages: 200, maxMs: 60_000 } });
    await drain(pager);
    expect(store.asked).toBe(3);
  });

  it('stops at a cursor already followed without asking for it again', async () => {
    const store = endless((n) => ({ reviews: [review(`r${n}`)], setAside: [], next: n % 2 === 0 ? 'A' : 'B' }));
    const pager = new Pager(store, app);
    expect((await drain(pager)).map((r) => r.reviewId)).toEqual(['r0', 'r1', 'r2']);
    expect(store.asked).toBe(3);
    expect(pager.summary.stops).toEqual([{ reason: 'repeated-cursor', slice: undefined }]);
  });

  it('stops at a page whose every review is known, decided before the page is recorded', async () => {
    const known = new Set<string>(['r1']);
    const store = endless((n) => ({ reviews: [review(`r${n}`)], setAside: [], next: `t${n}` }));
    const pager = new Pager(store, app, { isKnownUnchanged: (r) => known.has(r.reviewId) });
    const seen: string[] = [];
    for await (const p of pager.pages()) {
      seen.push(...p.reviews.map((r) => r.reviewId));
      // Recording makes a review known: the next page must not be judged by it.
      for (const r of p.reviews) known.add(r.reviewId);
    }
    expect(seen).toEqual(['r0', 'r1']);
    expect(store.asked).toBe(2);
  });

  it('keeps the newest version of an id listed twice in a page', () => {
    const older = review('x', { text: 'old', updatedAt: '2026-01-01T00:00:00Z' });
    const newer = review('x', { text: 'new', updatedAt: '2026-01-02T00:00:00Z' });
    expect(newestPerId([newer, older]).map((r) => r.text)).toEqual(['new']);
    expect(newestPerId([older, newer]).map((r) => r.text)).toEqual(['new']);
  });

  it('keeps the page order, and the same version of a same-date twin whatever the order', () => {
    const old = review('1', { text: 'old', updatedAt: '2026-01-01T00:00:00Z' });
    const edited = review('1', { text: 'edited', updatedAt: '2026-01-02T00:00:00Z' });
    const other = review('2', { text: 'other', updatedAt: '2026-01-01T00:00:00Z' });
    expect(newestPerId([old, other, edited]).map((r) => r.text)).toEqual(['other', 'edited']);
    expect(newestPerId([edited, other, old]).map((r) => r.text)).toEqual(['edited', 'other']);
    const twinA = review('3', { text: 'a', updatedAt: '2026-01-01T00:00:00Z' });
    const twinB = review('3', { text: 'b', updatedAt: '2026-01-01T00:00:00Z' });
    expect(newestPerId([twinA, twinB])).toEqual(newestPerId([twinB, twinA]));
  });

  it('hands on set-aside records and counts them, without failing the page', async () => {
    let n = 0;
    const store = endless(() =>
      n++ === 0
        ? { reviews: [review('ok')], setAside: [{ id: 'bad', reason: 'rating 0 is not 1-5' }], next: undefined }
        : { reviews: [], setAside: [] },
    );
    const pager = new Pager(store, app);
    expect((await drain(pager)).map((r) => r.reviewId)).toEqual(['ok']);
    expect(pager.summary.setAside).toEqual([{ id: 'bad', reason: 'rating 0 is not 1-5' }]);
  });
});

describe('set-aside records in the run summary', () => {
  it('are counted per app and their reasons shown once', () => {
    const a = emptyAppReport('android', 'google-play', 'api', false);
    a.setAside = 3;
    a.setAsideReasons = ['rating 0 is not 1-5', 'no starRating'];
    const text = renderReport({ startedAt: '', finishedAt: '', dryRun: false, apps: [a], outcome: 'ok' });
    expect(text).toContain('android: 3 record(s) set aside (not readable): rating 0 is not 1-5; no starRating');
    expect(text.match(/set aside/g)).toHaveLength(1);
    expect(text).toContain('result: ok');
  });
});
