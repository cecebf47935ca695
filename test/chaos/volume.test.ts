/**
 * More new reviews between two syncs than one page holds, in every store (App Store pages of
 * 200, Google Play and RuStore of 100): every one is delivered, and the next sync stops at the
 * first page again. (RuStore once stopped after its first page: it asked whether the page was
 * known after the engine had recorded it.)
 */
import { describe, expect, it } from 'vitest';
import { worldApps } from '../../src/emulators/world.js';
import { apiRequests } from '../helpers/world.js';
import { appNames, ChaosWorld, syncInProcess, testDir } from './chaos-world.js';

describe('a burst of reviews larger than a page', () => {
  it('is delivered in full, in every store', async () => {
    const chaos = await ChaosWorld.start({ dir: testDir(), seed: 21, omnidesk: { requestsPerMinute: 1_000_000 } });
    const { world } = chaos;
    try {
      world.config.apps = appNames.map((app) => ({ ...worldApps[app], filters: { backlog: 0 } }));
      // The first sync only marks what exists as seen; the burst comes after it.
      await syncInProcess(world);
      for (const app of appNames) for (let i = 0; i < 210; i++) chaos.addReview(app);
      const { report } = await syncInProcess(world);
      expect(report.apps.map((a) => [a.app, a.created])).toEqual(appNames.map((app) => [app, 210]));
      chaos.expectConverged();

      for (const e of [world.appStore, world.googlePlay, world.rustore, world.omnidesk]) e.server.requests.length = 0;
      await syncInProcess(world);
      expect(apiRequests(world)).toEqual({ appStore: 1, googlePlay: 1, rustore: 1, omnideskWrites: 0 });
    } finally {
      await world.stop();
    }
  });
});
