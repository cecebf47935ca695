/**
 * Before an edit is posted, the case is read: an edit another process posted is not posted
 * again, but an edit back to an earlier text or rating still is.
 */
import { describe, expect, it } from 'vitest';
import { worldApps } from '../../../src/emulators/world.js';
import { ChaosWorld, testDir } from '../../chaos/chaos-world.js';
import { syncWith } from './helpers.js';

describe('the check before an edit', () => {
  it('an edit back to the first text and rating is posted', async () => {
    const dir = testDir();
    const chaos = await ChaosWorld.start({ dir, seed: 3, omnidesk: { requestsPerMinute: 1_000_000 } });
    const { world } = chaos;
    try {
      const id = world.googlePlay.addReview(worldApps.android.appId, {
        authorName: 'Ann',
        text: 'Title\tFirst text',
        starRating: 2,
        reviewerLanguage: 'en',
      });
      await syncWith(world, world.dbPath);
      world.googlePlay.editReview(id, { text: 'Title\tSecond text', starRating: 4 });
      await syncWith(world, world.dbPath);
      world.googlePlay.editReview(id, { text: 'Title\tFirst text', starRating: 2 });
      const report = await syncWith(world, world.dbPath);
      expect(report.apps.find((a) => a.app === 'android')?.updated).toBe(1);
      const [c] = world.omnidesk.liveCases();
      const customer = world.omnidesk.messages(c!.caseId).filter((m) => !m.note && m.staffId === 0);
      expect(customer).toHaveLength(3);
      expect(customer[2]!.content).toContain('★★★★☆ → ★★☆☆☆');
      expect(customer[2]!.content).toMatch(/Now:\nFirst text/);
      // Nothing new: the next sync posts nothing.
      await syncWith(world, world.dbPath, { full: true });
      expect(world.omnidesk.messages(c!.caseId).filter((m) => !m.note && m.staffId === 0)).toHaveLength(3);
    } finally {
      await world.stop();
    }
  }, 60_000);
});
