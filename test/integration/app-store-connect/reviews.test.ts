import { describe, expect, it } from 'vitest';
import type { AppRef } from '../../../src/connectors/stores/types.js';
import { contentFingerprint, type Review } from '../../../src/domain/review.js';
import { appId, collect, queryOf, startAppStore } from './setup.js';
import { reviewPages } from '../../helpers/pages.js';

const app: AppRef = { store: 'app-store', appId };

/** What the engine would remember: review id → content fingerprint. */
function memory(reviews: Review[]): { known: Map<string, string>; isKnownUnchanged: (r: Review) => boolean } {
  const known = new Map(reviews.map((r) => [r.reviewId, contentFingerprint(r)]));
  return { known, isKnownUnchanged: (r) => known.get(r.reviewId) === contentFingerprint(r) };
}

describe('App Store Connect reviews', () => {
  it('lists apps and pings', async () => {
    const { emu, connector } = await startAppStore();
    emu.addApp({ id: '1000000001', name: 'Second', bundleId: 'com.example.second' });
    await connector.ping();
    expect(await connector.listApps()).toEqual([
      { appId: '1000000001', name: 'Second', bundleId: 'com.example.second' },
      { appId, name: 'Demo App', bundleId: 'com.example.demo' },
    ]);
    expect(queryOf(emu.server.serviceRequests()[0]!.query).get('limit')).toBe('1');
  });

  it('pages over 450 reviews with links.next, 200 at a time, newest first, mapped to Review', async () => {
    const { emu, connector } = await startAppStore();
    for (let i = 0; i < 450; i++) emu.addReview(appId, { territory: i % 2 ? 'USA' : 'GBR', rating: (i % 5) + 1 });
    const pages = await collect(reviewPages(connector, app));
    expect(pages.map((p) => p.length)).toEqual([200, 200, 50]);
    const all = pages.flat();
    expect(all.map((r) => r.reviewId)).toEqual(emu.reviews(appId).map((r) => r.id));
    expect(new Set(all.map((r) => r.reviewId)).size).toBe(450);

    const newest = emu.reviews(appId)[0]!;
    expect(all[0]).toEqual({
      store: 'app-store',
      appId,
      reviewId: newest.id,
      rating: newest.rating,
      title: newest.title,
      text: newest.body,
      author: newest.reviewerNickname,
      createdAt: new Date(newest.createdDate).toISOString(),
      territory: newest.territory,
      developerAnswer: undefined,
      origin: 'api',
    });
    expect(newest.createdDate).toMatch(/-08:00$/);
    expect(all[0]!.createdAt).toMatch(/Z$/);

    const reqs = emu.server.serviceRequests();
    expect(reqs).toHaveLength(3);
    const first = queryOf(reqs[0]!.query);
    expect(Object.fromEntries(first)).toEqual({ sort: '-createdDate', include: 'response', limit: '200' });
    // Later pages are the emulator's links.next, followed as given: same parameters plus its cursor.
    for (const r of reqs.slice(1)) {
      const q = queryOf(r.query);
      expect(q.get('cursor')).toMatch(/^AQ\./);
      expect(q.get('limit')).toBe('200');
    }
  });

  it('a sync with nothing new costs exactly one request; one new review costs two; a full scan reads all', async () => {
    const { emu, connector } = await startAppStore();
    for (let i = 0; i < 450; i++) emu.addReview(appId);
    const { known, isKnownUnchanged } = memory((await collect(reviewPages(connector, app))).flat());
    emu.server.requests.length = 0;

    const quiet = await collect(reviewPages(connector, app, { isKnownUnchanged }));
    expect(quiet).toHaveLength(1);
    expect(emu.server.serviceRequests()).toHaveLength(1);

    emu.server.requests.length = 0;
    const fresh = emu.addReview(appId, { rating: 1, body: 'Crashes on start' });
    const pages = await collect(reviewPages(connector, app, { isKnownUnchanged }));
    expect(pages[0]![0]!.reviewId).toBe(fresh);
    expect(
      pages
        .flat()
        .filter((r) => !known.has(r.reviewId))
        .map((r) => r.reviewId),
    ).toEqual([fresh]);
    // Page 1 held something new, page 2 was all known: stop there.
    expect(emu.server.serviceRequests()).toHaveLength(2);

    emu.server.requests.length = 0;
    await collect(reviewPages(connector, app, { isKnownUnchanged, full: true }));
    expect(emu.server.serviceRequests()).toHaveLength(3);
  });

  it('decides to stop before handing a page over, so an engine recording pages as it goes still reads them all', async () => {
    const { emu, connector } = await startAppStore();
    for (let i = 0; i < 450; i++) emu.addReview(appId);
    const known = new Map<string, string>();
    const isKnownUnchanged = (r: Review): boolean => known.get(r.reviewId) === contentFingerprint(r);
    let count = 0;
    for await (const page of reviewPages(connector, app, { isKnownUnchanged })) {
      for (const r of page) known.set(r.reviewId, contentFingerprint(r));
      count += page.length;
    }
    expect(count).toBe(450);
  });

  it('pushes territory and rating filters down to the API', async () => {
    const { emu, connector } = await startAppStore();
    const territories = ['USA', 'GBR', 'DEU'];
    for (let i = 0; i < 30; i++) emu.addReview(appId, { territory: territories[i % 3], rating: (i % 5) + 1 });
    const reviews = (
      await collect(reviewPages(connector, { ...app, countries: ['usa', 'GBR'], ratings: [2, 1] }))
    ).flat();
    expect(reviews.length).toBeGreaterThan(0);
    expect(reviews.every((r) => ['USA', 'GBR'].includes(r.territory!) && r.rating <= 2)).toBe(true);
    expect(reviews).toHaveLength(emu.reviews(appId).filter((r) => r.territory !== 'DEU' && r.rating <= 2).length);
    const q = queryOf(emu.server.serviceRequests()[0]!.query);
    expect(q.get('filter[territory]')).toBe('USA,GBR');
    expect(q.get('filter[rating]')).toBe('1,2');

    // All five ratings is no filter at all.
    await collect(reviewPages(connector, { ...app, ratings: [1, 2, 3, 4, 5] }));
    const q2 = queryOf(emu.server.serviceRequests()[1]!.query);
    expect(q2.has('filter[rating]')).toBe(false);
    expect(q2.has('filter[territory]')).toBe(false);
  });

  it('reads developer responses from `included`', async () => {
    const { emu, connector } = await startAppStore();
    const id = emu.addReview(appId, { rating: 2 });
    emu.addReview(appId);
    const sent = await connector.publishReply(app, id, 'Thanks, fixed in 2.1');
    const reviews = (await collect(reviewPages(connector, app))).flat();
    const answered = reviews.find((r) => r.reviewId === id)!;
    expect(answered.developerAnswer).toEqual({
      text: 'Thanks, fixed in 2.1',
      state: 'PUBLISHED',
      id: sent.answerId,
      updatedAt: expect.stringMatching(/Z$/) as unknown,
    });
    expect(reviews.filter((r) => r.developerAnswer)).toHaveLength(1);
  });

  it('an edit in place (same id) comes back with the new content', async () => {
    const { emu, connector } = await startAppStore();
    const ids = Array.from({ length: 5 }, () => emu.addReview(appId, { rating: 5 }));
    const { isKnownUnchanged } = memory((await collect(reviewPages(connector, app))).flat());
    emu.editReview(ids[1]!, { rating: 1, title: 'Worse now', body: 'The update broke sync' });
    emu.server.requests.length = 0;

    const pages = await collect(reviewPages(connector, app, { isKnownUnchanged }));
    const edited = pages.flat().find((r) => r.reviewId === ids[1])!;
    expect(edited).toMatchObject({ rating: 1, title: 'Worse now', text: 'The update broke sync' });
    expect(isKnownUnchanged(edited)).toBe(false);
    expect(
      pages
        .flat()
        .filter((r) => !isKnownUnchanged(r))
        .map((r) => r.reviewId),
    ).toEqual([ids[1]]);
    expect(emu.server.serviceRequests()).toHaveLength(1);
  });

  it('an edit re-created under a new id comes first; the old id is gone on a full fetch; the response follows', async () => {
    const { emu, connector, clock } = await startAppStore();
    for (let i = 0; i < 250; i++) emu.addReview(appId);
    const oldId = emu.reviews(appId)[240]!.id; // on the second page
    await connector.publishReply(app, oldId, 'Thanks!');
    const { isKnownUnchanged } = memory((await collect(reviewPages(connector, app))).flat());

    clock.now += 60_000;
    const newId = emu.editReview(oldId, { rating: 2, body: 'Changed my mind' }, { newId: true });
    expect(newId).not.toBe(oldId);

    const incremental = (await collect(reviewPages(connector, app, { isKnownUnchanged }))).flat();
    expect(incremental[0]).toMatchObject({
      reviewId: newId,
      rating: 2,
      text: 'Changed my mind',
      createdAt: new Date(clock.now - (clock.now % 1000)).toISOString(),
    });
    expect(incremental[0]!.developerAnswer?.text).toBe('Thanks!');

    const full = (await collect(reviewPages(connector, app, { full: true }))).flat();
    expect(full.map((r) => r.reviewId)).not.toContain(oldId);
    expect(full.map((r) => r.reviewId)).toContain(newId);
    expect(full).toHaveLength(250);
  });

  it('paging stays consistent when the last review of a page vanishes between pages', async () => {
    const { emu, connector } = await startAppStore();
    for (let i = 0; i < 450; i++) emu.addReview(appId);
    const before = emu.reviews(appId).map((r) => r.id);
    const seen: string[] = [];
    let pageNo = 0;
    for await (const page of reviewPages(connector, app)) {
      seen.push(...page.map((r) => r.reviewId));
      // The customer edits the review the cursor points at: it is deleted and re-created at the top.
      if (pageNo++ === 0) emu.editReview(page.at(-1)!.reviewId, { body: 'edited' }, { newId: true });
    }
    expect(seen).toEqual(before);
  });
});
