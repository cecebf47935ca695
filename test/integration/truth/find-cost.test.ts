/**
 * What finding before creating costs in Omnidesk reads: a state that knows nothing about an app
 * reads the channel in full or looks up each due review, whichever is fewer requests; a known
 * state reads the cases created since its last read; a run with nothing to create reads nothing.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChaosWorld, testDir } from '../../chaos/chaos-world.js';
import { caseListReads, clearRequests, syncWith } from './helpers.js';

describe('find before create: reads', () => {
  it('full read, per-review look-ups or a window, whichever costs fewer; nothing when nothing is due', async () => {
    const dir = testDir();
    // Omnidesk's clock: the cases made first are stamped 10 minutes ago, as by an earlier cron run.
    let offsetMs = -10 * 60_000;
    const chaos = await ChaosWorld.start({
      dir,
      seed: 250,
      omnidesk: { requestsPerMinute: 1_000_000, now: () => Date.now() + offsetMs },
    });
    const { world } = chaos;
    try {
      // 252 cases in the channel (3 pages of 100).
      chaos.seed(84);
      for (const a of world.config.apps ?? []) a.filters = { ...a.filters, backlog: 100 };
      const first = await syncWith(world, world.dbPath);
      expect(first.apps.reduce((n, a) => n + a.created, 0)).toBe(252);
      // The first state ever: page 1 says the channel is empty; that one read serves every app.
      expect(first.caseLookups).toBe(1);

      // A fresh state with one review due (backlog 1 on one app): page 1, then one look-up.
      const few = join(dir, 'few.db');
      world.config.apps = (world.config.apps ?? []).map((a) => ({
        ...a,
        filters: { ...a.filters, backlog: a.id === 'android' ? 1 : 0 },
      }));
      clearRequests(world);
      const one = await syncWith(world, few);
      expect(one.apps.reduce((n, a) => n + a.created, 0)).toBe(0);
      expect(one.apps.reduce((n, a) => n + a.reconciled, 0)).toBe(1);
      expect(one.caseLookups).toBe(2);

      // A fresh state with many due: the three pages, not 100 look-ups.
      const many = join(dir, 'many.db');
      world.config.apps = (world.config.apps ?? []).map((a) => ({
        ...a,
        filters: { ...a.filters, backlog: a.id === 'android' ? 100 : 0 },
      }));
      clearRequests(world);
      const hundred = await syncWith(world, many);
      expect(hundred.apps.reduce((n, a) => n + a.reconciled, 0)).toBe(84);
      expect(hundred.caseLookups).toBe(3);
      expect(caseListReads(world)).toBe(3);

      // The known state: a read of the cases created since its last read (its own included, so
      // right after a large first sync that is a few pages once); a cron period later, one page.
      chaos.churn(0, { newReviews: true });
      const next = await syncWith(world, world.dbPath);
      expect(next.apps.reduce((n, a) => n + a.created, 0)).toBe(3);
      expect(next.caseLookups).toBeGreaterThanOrEqual(1);
      expect(next.caseLookups).toBeLessThanOrEqual(3);
      offsetMs = 0;
      chaos.churn(0, { newReviews: true });
      clearRequests(world);
      const later = await syncWith(world, world.dbPath);
      expect(later.apps.reduce((n, a) => n + a.created, 0)).toBe(3);
      expect(later.caseLookups).toBe(1);
      clearRequests(world);
      const idle = await syncWith(world, world.dbPath);
      expect(idle.caseLookups).toBe(0);
      expect(caseListReads(world)).toBe(0);
      chaos.expectConverged();
    } finally {
      await world.stop();
    }
  }, 90_000);
});
