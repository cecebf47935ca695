/**
 * Stores that page forever, rewritten into the emulators' answers: every run stays bounded,
 * finishes, delivers the real reviews and leaves the lock free, so the next run exits 0.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmuResponse } from '../../../src/emulators/harness.js';
import type { World } from '../../../src/emulators/world.js';
import { ExitCode } from '../../../src/errors.js';
import { tempDir } from '../../helpers/temp.js';
import { apiRequests, syncOnce, testWorld } from '../../helpers/world.js';

let world: World;

function onlyApp(id: string): void {
  for (const app of world.config.apps ?? []) app.enabled = app.id === id;
}

function jsonOf(res: EmuResponse): Record<string, unknown> {
  return structuredClone(res.json) as Record<string, unknown>;
}

describe('endless paging is bounded by the engine', () => {
  beforeEach(async () => {
    world = await testWorld({ dir: tempDir(), playPageSize: 2 });
  });
  afterEach(async () => {
    await world.stop();
  });

  it('App Store: a links.next with a fresh cursor every time stops at the first page read twice', async () => {
    onlyApp('ios');
    world.appStore.addReview('1000000001', { rating: 2, body: 'Crashes on start', reviewerNickname: 'ann' });
    world.appStore.addReview('1000000001', { rating: 5, body: 'Great', reviewerNickname: 'bob' });
    let first: Record<string, unknown> | undefined;
    let n = 0;
    world.appStore.server.rewriteResponses((req, res) => {
      if (!req.path.endsWith('/customerReviews')) return res;
      // Whatever the cursor, the same reviews with a cursor never seen before.
      first ??= jsonOf(res);
      const next = `${world.appStore.baseUrl}${req.path}?cursor=fresh-${++n}&limit=200`;
      return { status: 200, json: { ...first, links: { next } } };
    });

    const report = await syncOnce(world);
    expect(report.outcome).toBe('ok');
    expect(apiRequests(world).appStore).toBe(2);
    expect(world.omnidesk.cases()).toHaveLength(2);
    expect(report.apps[0]!.warnings.join('\n')).toContain('a page already read in this run');

    world.appStore.server.requests.length = 0;
    const again = await syncOnce(world);
    expect(again.outcome).toBe('ok');
    expect(apiRequests(world).appStore).toBe(1);
  });

  it('App Store: reviews that never end stop at the page budget, reported as a warning', async () => {
    onlyApp('ios');
    world.config.sync = { ...world.config.sync, maxPagesPerApp: 5 };
    world.appStore.addReview('1000000001', { rating: 2, body: 'Crashes on start', reviewerNickname: 'ann' });
    let n = 0;
    world.appStore.server.rewriteResponses((req, res) => {
      if (!req.path.endsWith('/customerReviews')) return res;
      // A fresh review and a fresh cursor on every page: nothing repeats, only the budget ends it.
      n++;
      const review = {
        type: 'customerReviews',
        id: `endless-${n}`,
        attributes: {
          rating: 4,
          body: `page ${n}`,
          reviewerNickname: `u${n}`,
          territory: 'USA',
          createdDate: new Date(Date.UTC(2026, 0, 1) - n * 60_000).toISOString(),
        },
      };
      const data = n === 1 ? [...((jsonOf(res).data as unknown[]) ?? []), review] : [review];
      return { status: 200, json: { data, links: { next: `${world.appStore.baseUrl}${req.path}?cursor=c${n}` } } };
    });

    const report = await syncOnce(world);
    expect(report.outcome).toBe('ok');
    expect(apiRequests(world).appStore).toBe(5);
    expect(report.apps[0]!.fetched).toBe(6);
    expect(report.apps[0]!.warnings.join('\n')).toContain('budget of 5 pages per run (sync.maxPagesPerApp)');
    expect(
      world.omnidesk
        .cases()
        .map((c) => world.omnidesk.messages(c.caseId)[0]!.content)
        .join('\n'),
    ).toContain('Crashes on start');

    // The run released its lock: the next one runs (not 75), bounded again.
    world.appStore.server.requests.length = 0;
    const again = await syncOnce(world);
    expect(again.outcome === 'ok' ? ExitCode.ok : ExitCode.partialFailure).toBe(ExitCode.ok);
    expect(apiRequests(world).appStore).toBeLessThanOrEqual(5);
  });

  it('RuStore: pages alternating A, B, A… stop at the first repeat', async () => {
    onlyApp('rustore');
    for (let i = 0; i < 200; i++)
      world.rustore.addComment('ru.acme.reviews', { appRating: 1 + (i % 5), commentText: `Отзыв номер ${i}` });
    const pages = new Map<number, EmuResponse>();
    world.rustore.server.rewriteResponses((req, res) => {
      if (!req.path.endsWith('/comment')) return res;
      const page = Number(req.query.get('page') ?? 0);
      if (page < 2) pages.set(page, res);
      return page < 2 ? res : pages.get(page % 2)!;
    });

    const report = await syncOnce(world);
    expect(report.outcome).toBe('ok');
    expect(apiRequests(world).rustore).toBe(3);
    expect(report.apps[0]!.fetched).toBe(200);
    expect(world.omnidesk.cases()).toHaveLength(100); // the world's backlog for RuStore
    expect(report.apps[0]!.warnings.join('\n')).toContain('a page already read in this run');

    world.rustore.server.requests.length = 0;
    expect((await syncOnce(world)).outcome).toBe('ok');
    expect(apiRequests(world).rustore).toBe(1);
  });

  it('Google Play: endless fresh tokens stop at the first page read twice; the quota is not spent on the loop', async () => {
    onlyApp('android');
    for (const text of ['one', 'two', 'three'])
      world.googlePlay.addReview('com.acme.reviews', { authorName: 'A', text, starRating: 3, reviewerLanguage: 'en' });
    let good: Record<string, unknown> | undefined;
    let n = 0;
    world.googlePlay.server.rewriteResponses((req, res) => {
      if (!req.path.endsWith('/reviews')) return res;
      // The emulator refuses our made-up tokens: answer with the first page again.
      const body = res.status === 200 ? jsonOf(res) : good!;
      good ??= body;
      return { status: 200, json: { ...body, tokenPagination: { nextPageToken: `fresh-${++n}` } } };
    });

    const report = await syncOnce(world);
    expect(report.outcome).toBe('ok');
    // Page 2 is asked with a token the store made up, so the store answers page 1 again.
    expect(apiRequests(world).googlePlay).toBe(2);
    expect(world.omnidesk.cases()).toHaveLength(2);

    world.googlePlay.server.requests.length = 0;
    expect((await syncOnce(world)).outcome).toBe('ok');
    expect(apiRequests(world).googlePlay).toBe(1);
  });

  it('Google Play: new reviews on every page stop at its own page limit, a quarter of the hourly quota', async () => {
    onlyApp('android');
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'A',
      text: 'real one',
      starRating: 3,
      reviewerLanguage: 'en',
    });
    let n = 0;
    world.googlePlay.server.rewriteResponses((req, res) => {
      if (!req.path.endsWith('/reviews')) return res;
      n++;
      const made = {
        reviewId: `gp:endless-${n}`,
        authorName: 'Bot',
        comments: [
          {
            userComment: {
              text: `page ${n}`,
              starRating: 4,
              lastModified: { seconds: String(Math.floor(Date.now() / 1000) - n) },
            },
          },
        ],
      };
      const reviews = n === 1 && res.status === 200 ? [...((jsonOf(res).reviews as unknown[]) ?? []), made] : [made];
      return { status: 200, json: { reviews, tokenPagination: { nextPageToken: `t${n}` } } };
    });

    const report = await syncOnce(world);
    expect(report.outcome).toBe('ok');
    expect(apiRequests(world).googlePlay).toBe(50);
    expect(report.apps[0]!.warnings.join('\n')).toContain('budget of 50 pages per run');
  });

  it('a review id listed twice in one page: the newest version wins, and the next sync sends no edit', async () => {
    onlyApp('android');
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Ann',
      text: 'Crashes',
      starRating: 2,
      reviewerLanguage: 'en',
    });
    world.googlePlay.server.rewriteResponses((req, res) => {
      if (!req.path.endsWith('/reviews') || res.status !== 200) return res;
      const body = jsonOf(res);
      const [review] = body.reviews as {
        comments: { userComment: { text: string; lastModified: { seconds: string } } }[];
      }[];
      const older = structuredClone(review!);
      older.comments[0]!.userComment.text = 'Crashes (older version)';
      older.comments[0]!.userComment.lastModified.seconds = String(
        Number(older.comments[0]!.userComment.lastModified.seconds) - 3600,
      );
      return { status: 200, json: { ...body, reviews: [older, review] } };
    });

    const report = await syncOnce(world);
    expect(report.apps[0]).toMatchObject({ fetched: 1, new: 1, created: 1 });
    const [c] = world.omnidesk.cases();
    expect(world.omnidesk.messages(c!.caseId)[0]!.content).not.toContain('older version');

    const again = await syncOnce(world);
    expect(again.apps[0]).toMatchObject({ edited: 0, updated: 0 });
    expect(world.omnidesk.messages(c!.caseId)).toHaveLength(1);
  });
});
