/** App Store Connect: one malformed review (or response) is set aside; the rest of its page flows. */
import { describe, expect, it } from 'vitest';
import { reviewPages } from '../../helpers/pages.js';
import type { SetAside } from '../../../src/connectors/stores/types.js';
import { appId, collect, startAppStore } from './setup.js';

const app = { store: 'app-store' as const, appId };
const reviewsPath = `/v1/apps/${appId}/customerReviews`;

describe('App Store Connect records, one at a time', () => {
  it('sets aside a review rated 0 and delivers the others of its page', async () => {
    const t = await startAppStore();
    const ids = [
      t.emu.addReview(appId, { rating: 4 }),
      t.emu.addReview(appId, { rating: 0 }),
      t.emu.addReview(appId, { rating: 1 }),
    ];
    const setAside: SetAside[] = [];
    const reviews = (await collect(reviewPages(t.connector, app, { onSetAside: (s) => setAside.push(...s) }))).flat();
    expect(reviews.map((r) => r.reviewId).sort()).toEqual([ids[0], ids[2]].sort());
    expect(setAside).toEqual([
      { id: ids[1], reason: `record ${ids[1]}: field "attributes.rating" Too small: expected number to be >=1` },
    ]);
  });

  it('sets aside a review whose response is malformed, rather than take it for unanswered', async () => {
    const t = await startAppStore();
    const answered = t.emu.addReview(appId);
    const other = t.emu.addReview(appId);
    await t.connector.publishReply(app, answered, 'Thanks!');
    t.emu.server.rewriteJson((path, json) => {
      if (path !== reviewsPath) return json;
      for (const item of (json as { included?: { attributes: Record<string, unknown> }[] }).included ?? [])
        item.attributes.responseBody = 42;
      return json;
    });
    const setAside: SetAside[] = [];
    const reviews = (await collect(reviewPages(t.connector, app, { onSetAside: (s) => setAside.push(...s) }))).flat();
    expect(reviews.map((r) => r.reviewId)).toEqual([other]);
    expect(setAside.map((s) => s.reason)).toEqual([
      expect.stringMatching(new RegExp(`^record ${answered}: its response \\S+ is malformed`)),
      expect.stringMatching(/^response record \S+: field "attributes.responseBody" /),
    ]);
  });

  it('takes a review without createdDate or text (optional in the spec), dated by the fetch', async () => {
    const t = await startAppStore();
    const id = t.emu.addReview(appId, { rating: 2 });
    t.emu.server.rewriteJson((path, json) => {
      if (path !== reviewsPath) return json;
      for (const r of (json as { data: { attributes: Record<string, unknown> }[] }).data)
        r.attributes = { rating: r.attributes.rating };
      return json;
    });
    const setAside: SetAside[] = [];
    const [review] = (await collect(reviewPages(t.connector, app, { onSetAside: (s) => setAside.push(...s) }))).flat();
    expect(setAside).toEqual([]);
    expect(review).toMatchObject({
      reviewId: id,
      rating: 2,
      text: '',
      title: undefined,
      createdAt: new Date(t.clock.now).toISOString(),
    });
  });

  it('a page whose reviews are all malformed does not end the pull: the next page is read', async () => {
    const t = await startAppStore();
    // Newest first, 200 a page: the 200 newest (page 1) are all broken.
    for (let i = 0; i < 250; i++) t.emu.addReview(appId, { rating: i < 50 ? 3 : 0 });
    const setAside: SetAside[] = [];
    const pages = await collect(
      reviewPages(t.connector, app, { isKnownUnchanged: () => true, onSetAside: (s) => setAside.push(...s) }),
    );
    expect(setAside).toHaveLength(200);
    expect(pages.flat()).toHaveLength(50);
  });

  it('the app list skips an app that does not fit and keeps the others', async () => {
    const t = await startAppStore();
    t.emu.addApp({ id: '1000000001', name: 'Second', bundleId: 'com.example.second' });
    t.emu.server.rewriteJson((path, json) => {
      if (path !== '/v1/apps') return json;
      for (const a of (json as { data: Record<string, unknown>[] }).data)
        if (a.id === '1000000001') a.type = 'bundleIds';
      return json;
    });
    expect((await t.connector.listApps()).map((a) => a.appId)).toEqual([appId]);
  });
});
