/**
 * Routing rules against the emulators: the case's group, priority, staff and labels as
 * Omnidesk holds them (read back from the emulator), on create and on an edit that matches.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { worldApps, worldStaff, type World } from '../../../src/emulators/world.js';
import { tempDir } from '../../helpers/temp.js';
import { syncOnce, testWorld } from '../../helpers/world.js';

let world: World;
const pkg = worldApps.android.appId;
const agent = { email: 'agent@example.test', apiKey: 'omni-test-key-0002', staffId: 7 };

function caseOf(author: string) {
  const c = world.omnidesk.cases().find((x) => world.omnidesk.messages(x.caseId)[0]!.content.includes(author));
  if (!c) throw new Error(`no case of ${author}`);
  return c;
}

function labelsOf(caseId: number): string[] {
  const c = world.omnidesk.cases().find((x) => x.caseId === caseId)!;
  return world.omnidesk
    .labels()
    .filter((l) => c.labels.includes(l.labelId))
    .map((l) => l.title);
}

describe('routing rules in sync', () => {
  beforeEach(async () => {
    world = await testWorld({ dir: tempDir(), omnidesk: { staff: [worldStaff, agent] } });
  });
  afterEach(async () => {
    await world.stop();
  });

  it('no rules: the case body carries no group, priority or staff (today’s cases exactly)', async () => {
    world.googlePlay.addReview(pkg, { authorName: 'Ann', text: 'App crashes', starRating: 1 });
    expect((await syncOnce(world)).outcome).toBe('ok');
    const create = world.omnidesk.server.requests.find((r) => r.method === 'POST' && r.path === '/api/cases.json')!;
    const body = (JSON.parse(create.body) as { case: Record<string, unknown> }).case;
    expect(body).not.toHaveProperty('group_id');
    expect(body).not.toHaveProperty('priority');
    expect(body).not.toHaveProperty('staff_id');
    expect(caseOf('Ann')).toMatchObject({ groupId: 0, priority: 'normal', staffId: 0 });
  });

  it('routes on create (first match wins) and again on an edit that matches', async () => {
    world.config.routing = [
      {
        name: 'crash',
        when: { ratings: [1, 2], match: ['crashes', '/вылета/'] },
        then: { groupId: 2, priority: 'high', staffId: 7, labels: ['urgent'] },
      },
      { name: 'one-star', when: { ratings: [1] }, then: { priority: 'low' } },
      {
        name: 'got-worse',
        when: { kind: 'edit', ratingChange: { direction: 'down', atLeast: 2 } },
        then: { groupId: 2, priority: 'critical', labels: ['got-worse'] },
      },
    ];
    world.googlePlay.addReview(pkg, { authorName: 'Ann', text: 'Crashes\tThe app crashes on start', starRating: 1 });
    world.googlePlay.addReview(pkg, { authorName: 'Bob', text: 'Great app', starRating: 5 });
    world.appStore.addReview(worldApps.ios.appId, {
      rating: 1,
      title: 'Плохо',
      body: 'Постоянно вылетает',
      reviewerNickname: 'ivan',
      territory: 'RUS',
    });
    expect((await syncOnce(world)).outcome).toBe('ok');

    for (const author of ['Ann', 'ivan']) {
      const c = caseOf(author);
      expect(c).toMatchObject({ groupId: 2, priority: 'high', staffId: 7 });
      expect(labelsOf(c.caseId)).toContain('urgent');
    }
    const bob = caseOf('Bob');
    expect(bob).toMatchObject({ groupId: 0, priority: 'normal', staffId: 0 });
    expect(labelsOf(bob.caseId)).not.toContain('urgent');

    // 5★ → 2★ is down by 3: the edit routes the case again.
    const bobReview = world.googlePlay.reviews(pkg).find((r) => r.authorName === 'Bob')!;
    world.googlePlay.editReview(bobReview.reviewId, { text: 'Got worse after the update', starRating: 2 });
    expect((await syncOnce(world)).outcome).toBe('ok');
    expect(caseOf('Bob')).toMatchObject({ groupId: 2, priority: 'critical', staffId: 0 });
    expect(labelsOf(bob.caseId)).toContain('got-worse');

    // An edit that matches no rule leaves the routing as it was.
    const annReview = world.googlePlay.reviews(pkg).find((r) => r.authorName === 'Ann')!;
    world.googlePlay.editReview(annReview.reviewId, { text: 'Fixed, thanks', starRating: 4 });
    expect((await syncOnce(world)).outcome).toBe('ok');
    expect(caseOf('Ann')).toMatchObject({ groupId: 2, priority: 'high', staffId: 7 });
  });

  it('a group or staff id Omnidesk does not know: that case fails with the real error, the rest flow', async () => {
    world.config.routing = [
      { name: 'ghost-group', when: { ratings: [1] }, then: { groupId: 99 } },
      { name: 'ghost-staff', when: { ratings: [2] }, then: { staffId: 404 } },
    ];
    world.googlePlay.addReview(pkg, { authorName: 'Ann', text: 'Bad', starRating: 1 });
    world.googlePlay.addReview(pkg, { authorName: 'Cid', text: 'Meh', starRating: 2 });
    world.googlePlay.addReview(pkg, { authorName: 'Bob', text: 'Great', starRating: 5 });
    const report = await syncOnce(world);
    const android = report.apps.find((a) => a.app === 'android')!;
    expect(android.created).toBe(1);
    expect(android.failed).toBe(2);
    expect(android.errors.join('\n')).toMatch(/no group with that id \(group_not_found\): fix the groupId/);
    expect(android.errors.join('\n')).toMatch(/no staff member with that id \(staff_not_found\)/);
    expect(world.omnidesk.cases().map((c) => c.subject)).toEqual([expect.stringContaining('Great')]);
  });
});
