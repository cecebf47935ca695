/**
 * Omnidesk is the truth: the state file lost, or a second process on a fresh one, never
 * makes a second case, answer or note. Judged from the emulators alone (ChaosWorld).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { worldApps } from '../../../src/emulators/world.js';
import { ChaosWorld, flushRepliesLater, testDir } from '../../chaos/chaos-world.js';
import { caseListReads, clearRequests, omnideskWrites, rebuildWith, syncWith } from './helpers.js';

const fast = { requestsPerMinute: 1_000_000 };

function removeState(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
}

/** Every note's marker line once per case (the chaos check compares whole texts). */
function expectNotesOnce(chaos: ChaosWorld): void {
  const omni = chaos.world.omnidesk;
  for (const c of omni.cases()) {
    const refs = omni
      .messages(c.caseId)
      .filter((m) => m.note)
      .map((m) => /\[ref [^\]]+\]/.exec(m.content)?.[0]);
    expect(
      refs.every((r) => r !== undefined),
      `note without marker in case ${c.caseId}`,
    ).toBe(true);
    expect(new Set(refs).size, `note posted twice in case ${c.caseId}`).toBe(refs.length);
  }
}

describe('the state is a cache of Omnidesk and the stores', () => {
  it('state file deleted between syncs: no second case, edits reach the original case, no answer or note twice', async () => {
    const dir = testDir();
    const chaos = await ChaosWorld.start({ dir, seed: 1313, omnidesk: fast });
    const { world } = chaos;
    try {
      chaos.seed(8);
      expect((await syncWith(world, world.dbPath)).outcome).toBe('ok');
      chaos.churn(3, { newReviews: false });
      expect((await syncWith(world, world.dbPath)).outcome).toBe('ok');
      for (let i = 0; i < 5; i++) await chaos.reply();
      expect((await syncWith(world, world.dbPath, { pollReplies: true })).outcome).toBe('ok');
      await flushRepliesLater(world, 0);
      const casesBefore = world.omnidesk.cases().length;
      const notesBefore = world.omnidesk
        .cases()
        .reduce((n, c) => n + world.omnidesk.messages(c.caseId).filter((m) => m.note).length, 0);

      removeState(world.dbPath);
      // While the state is gone: customers edit, and a new review per app arrives.
      chaos.churn(4, { newReviews: true });
      // Polling finds every agent reply again (as a replayed webhook would bring one).
      const after = await syncWith(world, world.dbPath, { pollReplies: true });
      expect(after.outcome, after.logs.join('')).toBe('ok');
      expect(after.apps.reduce((n, a) => n + a.created, 0)).toBe(3);
      expect(world.omnidesk.cases()).toHaveLength(casesBefore + 3);
      expect(after.replies?.published).toBe(5);
      // The store answers were recognised: nothing posted to any store again.
      chaos.expectConverged();
      expectNotesOnce(chaos);
      const notesAfter = world.omnidesk
        .cases()
        .reduce((n, c) => n + world.omnidesk.messages(c.caseId).filter((m) => m.note).length, 0);
      expect(notesAfter).toBe(notesBefore);

      // Later edits go to the original cases, with unique edit markers.
      chaos.churn(4, { newReviews: false });
      expect((await syncWith(world, world.dbPath)).outcome).toBe('ok');
      expect(world.omnidesk.cases()).toHaveLength(casesBefore + 3);
      chaos.expectConverged();

      // An idle sync: no Omnidesk write, no case list read.
      clearRequests(world);
      await syncWith(world, world.dbPath);
      expect(omnideskWrites(world)).toBe(0);
      expect(caseListReads(world)).toBeLessThanOrEqual(1);
    } finally {
      await world.stop();
    }
  }, 60_000);

  it('a second process on a fresh state file: each one catches the cases the other made', async () => {
    const dir = testDir();
    const chaos = await ChaosWorld.start({ dir, seed: 4242, omnidesk: fast });
    const { world } = chaos;
    const other = join(dir, 'other.db');
    try {
      chaos.seed(6);
      await syncWith(world, world.dbPath);
      await chaos.reply();
      await syncWith(world, world.dbPath, { pollReplies: true });
      const first = await syncWith(world, other, { pollReplies: true });
      expect(first.apps.every((a) => a.created === 0)).toBe(true);
      // New reviews and edits, synced by alternating processes.
      for (let round = 0; round < 3; round++) {
        chaos.churn(3, { newReviews: true });
        if (round === 1) await chaos.reply();
        const a = await syncWith(world, round % 2 === 0 ? other : world.dbPath, { pollReplies: true });
        const b = await syncWith(world, round % 2 === 0 ? world.dbPath : other, { pollReplies: true });
        expect(a.outcome, a.logs.join('')).toBe('ok');
        expect(b.outcome, b.logs.join('')).toBe('ok');
        // The later one found the earlier one's new cases with one read of the recent ones.
        expect(b.apps.reduce((n, x) => n + x.created, 0)).toBe(0);
      }
      await flushRepliesLater(world, 0);
      chaos.expectConverged();
      expectNotesOnce(chaos);
    } finally {
      await world.stop();
    }
  }, 60_000);

  it('state rebuild: the review → case map from Omnidesk, then syncs go on as before', async () => {
    const dir = testDir();
    const chaos = await ChaosWorld.start({ dir, seed: 99, omnidesk: fast });
    const { world } = chaos;
    try {
      chaos.seed(5);
      await syncWith(world, world.dbPath);
      removeState(world.dbPath);
      const rebuilt = await rebuildWith(world, world.dbPath);
      expect(rebuilt.casesIndexed).toBe(15);
      expect(rebuilt.sync.apps.reduce((n, a) => n + a.created, 0)).toBe(0);
      expect(rebuilt.sync.apps.reduce((n, a) => n + a.reconciled, 0)).toBe(15);
      chaos.churn(3, { newReviews: true });
      await syncWith(world, world.dbPath);
      chaos.expectConverged();
    } finally {
      await world.stop();
    }
  }, 60_000);

  it('a case deleted in Omnidesk, then its review edited: a new case with the whole history, once', async () => {
    const dir = testDir();
    const chaos = await ChaosWorld.start({ dir, seed: 5150, omnidesk: fast });
    const { world } = chaos;
    try {
      const l = chaos.addReview('android');
      chaos.addReview('rustore');
      await syncWith(world, world.dbPath);
      const oldCase = chaos.caseOf(l)!;
      world.omnidesk.deleteCase(oldCase);
      chaos.edit(l);
      const report = await syncWith(world, world.dbPath);
      expect(report.outcome, report.logs.join('')).toBe('ok');
      const live = world.omnidesk
        .liveCases()
        .filter((c) => c.userCustomId === `google-play:${worldApps.android.appId}:${l.id}`);
      expect(live).toHaveLength(1);
      const first = world.omnidesk.messages(live[0]!.caseId)[0]!.content;
      expect(first).toContain(`case #${oldCase}`);
      expect(first).toContain('no longer exists');
      expect(first).toContain('History:');
      expect(first).toContain(`{android-${l.n}/r1}`);
      expect(first).toContain(`{android-${l.n}/r0}`);
      expect(report.apps.find((a) => a.app === 'android')?.warnings.join(' ')).toContain(`case #${oldCase}`);
      // Recorded: the next syncs neither retry nor make another case; later edits go to the new case.
      const writes = omnideskWrites(world);
      await syncWith(world, world.dbPath);
      expect(omnideskWrites(world)).toBe(writes);
      chaos.edit(l);
      await syncWith(world, world.dbPath);
      expect(world.omnidesk.liveCases()).toHaveLength(2);
      expect(world.omnidesk.messages(live[0]!.caseId).at(-1)!.content).toContain(`{android-${l.n}/r2}`);
    } finally {
      await world.stop();
    }
  }, 60_000);
});

describe('replies after the state is lost', () => {
  it('an older reply seen again never replaces the later answer the store shows', async () => {
    const dir = testDir();
    const chaos = await ChaosWorld.start({ dir, seed: 77, omnidesk: fast });
    const { world } = chaos;
    try {
      const l = chaos.addReview('android');
      await syncWith(world, world.dbPath);
      const caseId = chaos.caseOf(l)!;
      await world.omnidesk.addStaffReply(caseId, 'First answer');
      await syncWith(world, world.dbPath, { pollReplies: true });
      await world.omnidesk.addStaffReply(caseId, 'Better answer');
      await syncWith(world, world.dbPath, { pollReplies: true });
      const answers = (): string[] =>
        world.googlePlay
          .replies(worldApps.android.appId)
          .filter((r) => r.reviewId === l.id)
          .map((r) => r.text);
      expect(answers()).toEqual(['Better answer']);
      const notes = world.omnidesk.messages(caseId).filter((m) => m.note).length;
      expect(chaos.answerPosts(l)).toHaveLength(2);

      removeState(world.dbPath);
      const after = await syncWith(world, world.dbPath, { pollReplies: true });
      expect(after.outcome, after.logs.join('')).toBe('ok');
      expect(answers()).toEqual(['Better answer']);
      // Neither answer was sent again: the later one is in the store, the older one is superseded.
      expect(chaos.answerPosts(l)).toHaveLength(2);
      expect(world.omnidesk.messages(caseId).filter((m) => m.note)).toHaveLength(notes);
      expect(world.omnidesk.liveCases()).toHaveLength(1);
    } finally {
      await world.stop();
    }
  }, 60_000);
});
