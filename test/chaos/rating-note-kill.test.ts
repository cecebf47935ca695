/**
 * The rating-change note after an answer is posted once even when `sync` is SIGKILLed while
 * Omnidesk holds the note request (carried out after the process died: the case has the note,
 * the state does not know). The next run finds the note's marker line, posts nothing, and still
 * sets the label; a third run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worldApps, type World } from '../../src/emulators/world.js';
import { openDb } from '../../src/state/db.js';
import { ensureBuilt, killAllStarted, runCli, startCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';
import { syncOnce, testWorld } from '../helpers/world.js';

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}

function ratingNotes(world: World, caseId: number): number {
  return world.omnidesk.messages(caseId).filter((m) => m.note && m.content.includes('[ref rating/')).length;
}

function labels(world: World, caseId: number): string[] {
  const titles = new Map(world.omnidesk.labels().map((l) => [l.labelId, l.title]));
  const c = world.omnidesk.cases().find((x) => x.caseId === caseId)!;
  return c.labels.map((id) => titles.get(id)!).filter((t) => t.endsWith('-after-reply'));
}

describe('rating-change note across SIGKILL', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 120_000);
  afterAll(() => killAllStarted());

  it('killed while Omnidesk takes the note: the next run posts no second one and sets the label', async () => {
    const dir = tempDir();
    const world = await testWorld({ dir });
    try {
      const pkg = worldApps.android.appId;
      const id = world.googlePlay.addReview(pkg, { authorName: 'Ann', text: 'Crashes', starRating: 1 });
      await syncOnce(world);
      const caseId = world.omnidesk.cases()[0]!.caseId;
      await world.omnidesk.addStaffReply(caseId, 'Hi Ann, 3.2.1 fixes it.');
      expect((await syncOnce(world, { pollReplies: true })).replies?.published).toBe(1);
      world.googlePlay.editReview(id, { text: 'Fixed!', starRating: 4 });
      const args = ['sync', '--json', '-c', world.configPath, '--db', world.dbPath];

      // Run 1: killed while the note request is held (the edit's own message went through).
      world.omnidesk.server.hold(`/api/cases/${caseId}/note.json`);
      const run = startCli(args, { cwd: dir });
      expect(await until(() => world.omnidesk.server.heldCount() > 0, 20_000), run.stderr()).toBe(true);
      run.child.kill('SIGKILL');
      expect((await run.exited).signal).toBe('SIGKILL');
      world.omnidesk.server.release();
      expect(await until(() => ratingNotes(world, caseId) === 1, 5_000)).toBe(true);
      expect(labels(world, caseId)).toEqual([]);
      const db = openDb(world.dbPath);
      const rows = db.sqlite.prepare('SELECT version, note_attempts, note_done FROM answer_edits').all();
      db.closeSync();
      expect(rows).toEqual([{ version: 2, note_attempts: 1, note_done: 0 }]);

      // Run 2: the note is found by its marker, not posted again; the label is set.
      const clean = await runCli(args, { cwd: dir });
      expect(clean.code, clean.stderr).toBe(0);
      expect(ratingNotes(world, caseId)).toBe(1);
      expect(labels(world, caseId)).toEqual(['rating-up-after-reply']);
      // Run 3: nothing more.
      const again = await runCli(args, { cwd: dir });
      expect(again.code, again.stderr).toBe(0);
      expect(ratingNotes(world, caseId)).toBe(1);
    } finally {
      await world.stop();
    }
  }, 120_000);

  it('killed before the note was sent: the next run posts it, once', async () => {
    const dir = tempDir();
    const world = await testWorld({ dir });
    try {
      const pkg = worldApps.android.appId;
      const id = world.googlePlay.addReview(pkg, { authorName: 'Bob', text: 'Good', starRating: 5 });
      await syncOnce(world);
      const caseId = world.omnidesk.cases()[0]!.caseId;
      await world.omnidesk.addStaffReply(caseId, 'Thanks, Bob!');
      await syncOnce(world, { pollReplies: true });
      world.googlePlay.editReview(id, { text: 'Worse now', starRating: 2 });
      const args = ['sync', '--json', '-c', world.configPath, '--db', world.dbPath];
      // The edit's customer message is held: the kill lands before the rating step.
      world.omnidesk.server.hold(`/api/cases/${caseId}/messages.json`);
      const run = startCli(args, { cwd: dir });
      expect(await until(() => world.omnidesk.server.heldCount() > 0, 20_000), run.stderr()).toBe(true);
      run.child.kill('SIGKILL');
      await run.exited;
      world.omnidesk.server.release();
      for (let i = 0; i < 2; i++) {
        const r = await runCli(args, { cwd: dir });
        expect(r.code, r.stderr).toBe(0);
      }
      expect(ratingNotes(world, caseId)).toBe(1);
      expect(labels(world, caseId)).toEqual(['rating-down-after-reply']);
    } finally {
      await world.stop();
    }
  }, 120_000);
});
