/**
 * The narrow windows the SIGKILL and fault runs found, replayed deterministically: a request
 * the service acted on while its answer was lost (cut mid-JSON, then every lookup failing),
 * followed by what customers do meanwhile. Nothing may be lost or sent twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { worldApps } from '../../src/emulators/world.js';
import { ChaosWorld, flushRepliesLater, syncInProcess, testDir, type AppName } from './chaos-world.js';

let chaos: ChaosWorld | undefined;
afterEach(async () => {
  await chaos?.world.stop();
  chaos = undefined;
});

async function worldWith(app: AppName): Promise<ChaosWorld> {
  chaos = await ChaosWorld.start({ dir: testDir(), seed: 1 });
  chaos.world.config.apps = [{ ...worldApps[app], filters: { backlog: 100 } }];
  return chaos;
}

/** The case is created, its answer cut mid-JSON, and every lookup after it fails: outcome unknown. */
function loseNextCaseCreation(c: ChaosWorld): void {
  // The channel's cases are read first (find before create): that read passes ('slow' by 0 ms).
  c.world.omnidesk.server.setFaults({
    next: ['slow', 'malformed'],
    slowMs: 0,
    rate: 1,
    kinds: ['503'],
    pathPrefix: '/api/cases',
  });
}

describe('a request acted on whose answer was lost', () => {
  it('a case made by a lost attempt, then the review edited: the edit still reaches the case', async () => {
    const c = await worldWith('android');
    const review = c.addReview('android');
    loseNextCaseCreation(c);
    expect((await syncInProcess(c.world)).report.outcome).not.toBe('ok');
    expect(c.world.omnidesk.cases()).toHaveLength(1);

    c.edit(review);
    c.world.omnidesk.server.clearFaults();
    const { report } = await syncInProcess(c.world);
    expect(report.apps[0]).toMatchObject({ reconciled: 1, updated: 1, created: 0 });
    c.expectConverged();
  });

  it('a case made by a lost attempt, then the review re-created under a new id: still one case', async () => {
    const c = await worldWith('ios');
    const review = c.addReview('ios');
    loseNextCaseCreation(c);
    await syncInProcess(c.world);
    expect(c.world.omnidesk.cases()).toHaveLength(1);

    c.edit(review, { newId: true });
    c.world.omnidesk.server.clearFaults();
    const { report } = await syncInProcess(c.world);
    expect(report.apps[0]).toMatchObject({ reconciled: 1, created: 0 });
    c.expectConverged();
  });

  it('a review edited while Omnidesk was down: its case shows the latest text, no edit message besides', async () => {
    const c = await worldWith('rustore');
    const review = c.addReview('rustore');
    c.world.omnidesk.server.setFaults({ rate: 1, kinds: ['503'], pathPrefix: '/api/cases' });
    await syncInProcess(c.world);
    expect(c.world.omnidesk.cases()).toHaveLength(0);

    c.edit(review);
    c.world.omnidesk.server.clearFaults();
    const { report } = await syncInProcess(c.world);
    expect(report.apps[0]).toMatchObject({ created: 1, updated: 0 });
    c.expectConverged();
    const [only] = c.world.omnidesk.cases();
    expect(c.world.omnidesk.messages(only!.caseId)).toHaveLength(1);
  });

  it('a store answer that cannot be read is tried again, and the answer is published once', async () => {
    const c = await ChaosWorld.start({ dir: testDir(), seed: 1 });
    chaos = c;
    const ru = c.addReview('rustore');
    const gp = c.addReview('android');
    await syncInProcess(c.world);
    await c.reply(ru);
    await c.reply(gp);
    // RuStore: the lookup before creating; Google Play: the reply POST itself (acted on, answer cut).
    c.world.rustore.server.setFaults({
      next: ['malformed'],
      pathPrefix: `/public/v1/application/${worldApps.rustore.appId}/feedback`,
    });
    c.world.googlePlay.server.setFaults({
      next: ['malformed'],
      pathPrefix: `/androidpublisher/v3/applications/${worldApps.android.appId}/reviews/`,
    });
    const first = await syncInProcess(c.world, { pollReplies: true });
    expect(first.report.replies).toMatchObject({ failed: 0, retrying: 2 });

    const later = await flushRepliesLater(c.world, 2 * 3600_000);
    expect(later.flushed).toMatchObject({ failed: 0, retrying: 0 });
    expect(later.flushed.published + later.flushed.awaiting).toBe(2);
    c.expectConverged();
    // Google Play saw the POST twice (the first acted on, its answer unreadable); RuStore created once.
    expect(c.answerPosts(gp).map((q) => q.fault)).toEqual(['malformed', undefined]);
    expect(c.answerPosts(ru)).toHaveLength(1);
  });
});
