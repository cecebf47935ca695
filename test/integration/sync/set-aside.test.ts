/**
 * A malformed store record never blocks its app: the sync sets it aside with its reason, the
 * rest of the page becomes cases, the run is ok (exit 0), `status` shows the record, and once the
 * store serves it readable it flows like any other review.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderStatus } from '../../../src/commands/status/render.js';
import { collectStatus } from '../../../src/commands/status/collect.js';
import { loadConfig } from '../../../src/config/load.js';
import { renderReport } from '../../../src/engine/report.js';
import { backends } from '../../helpers/backends.js';
import { tempDir } from '../../helpers/temp.js';
import { syncOnce, testWorld, useState, withWorldState, type World } from '../../helpers/world.js';

let world: World;

describe.each(backends)('state on %s', (_backend, open) => {
  beforeEach(async () => {
    world = useState(await testWorld({ dir: tempDir() }), await open());
  });
  afterEach(async () => {
    await world.stop();
  });

  const playList = '/androidpublisher/v3/applications/com.acme.reviews/reviews';

  async function status(): ReturnType<typeof collectStatus> {
    const location = { configPath: world.configPath, dbPath: world.dbPath };
    return withWorldState(world, (db) => collectStatus(loadConfig(location, {}), location, db));
  }

  describe('a malformed review in a sync', () => {
    it('is set aside, shown once, not retried as a failure; the rest flows and the run is ok', async () => {
      const good = world.googlePlay.addReview('com.acme.reviews', {
        authorName: 'Ann',
        text: 'Crashes',
        starRating: 2,
      });
      const bad = world.googlePlay.addReview('com.acme.reviews', {
        authorName: 'Bob',
        text: 'No stars',
        starRating: 4,
      });
      let broken = true;
      world.googlePlay.server.rewriteJson((path, json) => {
        if (path !== playList || !broken) return json;
        for (const r of (
          json as { reviews?: { reviewId: string; comments: { userComment: Record<string, unknown> }[] }[] }
        ).reviews ?? []) {
          if (r.reviewId === bad) delete r.comments[0]!.userComment.starRating;
        }
        return json;
      });

      const first = await syncOnce(world);
      expect(first.outcome).toBe('ok');
      const android = first.apps.find((a) => a.app === 'android')!;
      expect(android).toMatchObject({ outcome: 'ok', created: 1, setAside: 1, errors: [] });
      expect(android.setAsideReasons).toEqual([
        `record ${bad}: field "comments[0].userComment.starRating" Invalid input: expected number, received undefined`,
      ]);
      expect(world.omnidesk.cases().map((c) => c.userCustomId)).toEqual([`google-play:com.acme.reviews:${good}`]);
      const summary = renderReport(first)
        .split('\n')
        .filter((l) => l.includes('set aside'));
      expect(summary).toEqual([`  android: 1 record(s) set aside (not readable): ${android.setAsideReasons[0]}`]);

      const shown = (await status()).apps.find((a) => a.id === 'android')!;
      expect(shown.setAside).toEqual({ count: 1, reasons: android.setAsideReasons });
      expect(renderStatus(await status())).toContain(
        `1 store record(s) were set aside as malformed and are not retried`,
      );

      // Still malformed on the next run: still ok, nothing sent twice, still one record in status.
      const second = await syncOnce(world);
      expect(second.outcome).toBe('ok');
      expect(second.apps.find((a) => a.app === 'android')).toMatchObject({ outcome: 'ok', created: 0, errors: [] });
      expect((await status()).apps.find((a) => a.id === 'android')!.setAside.count).toBe(1);

      // The store serves it readable again: it becomes a case and leaves the set-aside list.
      broken = false;
      const third = await syncOnce(world, { full: true });
      expect(third.apps.find((a) => a.app === 'android')).toMatchObject({ outcome: 'ok', created: 1, setAside: 0 });
      expect(world.omnidesk.cases()).toHaveLength(2);
      expect((await status()).apps.find((a) => a.id === 'android')!.setAside).toEqual({ count: 0, reasons: [] });
    });

    it('a review listed twice in one page: the newest version wins, so no edit is seen on the next sync', async () => {
      const id = world.googlePlay.addReview('com.acme.reviews', {
        authorName: 'Ann',
        text: 'Now fixed',
        starRating: 5,
      });
      world.googlePlay.server.rewriteJson((path, json) => {
        if (path !== playList) return json;
        const page = json as {
          reviews?: {
            reviewId: string;
            comments: { userComment: { text: string; starRating: number; lastModified: { seconds: string } } }[];
          }[];
        };
        const r = page.reviews?.find((x) => x.reviewId === id);
        if (!r) return json;
        const stale = structuredClone(r);
        stale.comments[0]!.userComment.text = 'Crashes';
        stale.comments[0]!.userComment.starRating = 1;
        stale.comments[0]!.userComment.lastModified.seconds = String(
          Number(stale.comments[0]!.userComment.lastModified.seconds) - 3600,
        );
        page.reviews!.push(stale);
        return json;
      });
      const first = await syncOnce(world);
      expect(first.apps.find((a) => a.app === 'android')).toMatchObject({ fetched: 1, new: 1, created: 1 });
      const second = await syncOnce(world);
      expect(second.apps.find((a) => a.app === 'android')).toMatchObject({ edited: 0, updated: 0 });
      const [only] = world.omnidesk.cases();
      expect(world.omnidesk.messages(only!.caseId)[0]!.content).toContain('Now fixed');
    });

    it('is forgotten once a read of every page no longer finds it (deleted in the store)', async () => {
      world.googlePlay.addReview('com.acme.reviews', { authorName: 'Ann', text: 'Fine', starRating: 5 });
      const bad = world.googlePlay.addReview('com.acme.reviews', {
        authorName: 'Bob',
        text: 'No stars',
        starRating: 4,
      });
      let served = true;
      world.googlePlay.server.rewriteJson((path, json) => {
        if (path !== playList) return json;
        const page = json as { reviews?: { reviewId: string; comments: { userComment: Record<string, unknown> }[] }[] };
        page.reviews = (page.reviews ?? []).filter((r) => served || r.reviewId !== bad);
        for (const r of page.reviews) if (r.reviewId === bad) delete r.comments[0]!.userComment.starRating;
        return json;
      });
      await syncOnce(world);
      expect((await status()).apps.find((a) => a.id === 'android')!.setAside.count).toBe(1);
      served = false;
      await syncOnce(world);
      // A pull that stopped early proves nothing about the pages it did not read.
      expect((await status()).apps.find((a) => a.id === 'android')!.setAside.count).toBe(1);
      await syncOnce(world, { full: true });
      expect((await status()).apps.find((a) => a.id === 'android')!.setAside.count).toBe(0);
    });
  });
});
