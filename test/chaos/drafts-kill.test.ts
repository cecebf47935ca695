/**
 * A draft note is posted once per case even when `sync` is SIGKILLed midway: here the kill
 * lands while Omnidesk holds the note request (it is then carried out after the process died,
 * so the case has the note and the state does not know). The next run finds the note's marker
 * line in the case and posts nothing; a run killed before any note was sent posts it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worldApps, type World } from '../../src/emulators/world.js';
import { openDb } from '../../src/state/db.js';
import { ensureBuilt, killAllStarted, runCli, startCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';
import { testWorld } from '../helpers/world.js';
import { until } from '../helpers/wait.js';

function draftNotes(world: World, caseId: number): number {
  return world.omnidesk.messages(caseId).filter((m) => m.note && m.content.includes('[ref draft/')).length;
}

describe('draft notes across SIGKILL', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 120_000);
  afterAll(() => killAllStarted());

  it('killed while Omnidesk takes the note: the next run posts no second one', async () => {
    const dir = tempDir();
    const world = await testWorld({ dir });
    try {
      world.config.drafts = { enabled: true, templates: [{ text: 'Hi {{author}}, thanks!' }] };
      world.saveConfig();
      world.googlePlay.addReview(worldApps.android.appId, { authorName: 'Ann', text: 'Nice', starRating: 5 });
      world.googlePlay.addReview(worldApps.android.appId, { authorName: 'Bob', text: 'Fine', starRating: 4 });
      const args = ['sync', '--json', '-c', world.configPath, '--db', world.dbPath];

      // Run 1: killed while the first note request is held (before any other note).
      world.omnidesk.server.hold('/api/cases/2000/note.json');
      const run = startCli(args, { cwd: dir });
      expect(await until(() => world.omnidesk.server.heldCount() > 0, 20_000), run.stderr()).toBe(true);
      run.child.kill('SIGKILL');
      expect((await run.exited).signal).toBe('SIGKILL');
      world.omnidesk.server.release();
      expect(await until(() => draftNotes(world, 2000) === 1, 5_000)).toBe(true);
      const cases = world.omnidesk.cases();
      expect(cases).toHaveLength(2);
      const other = cases.find((c) => c.caseId !== 2000)!;
      expect(draftNotes(world, other.caseId)).toBe(0);

      const db = openDb(world.dbPath);
      const rows = db.sqlite
        .prepare(`SELECT case_id, note_attempts, note_done FROM case_followups ORDER BY case_id`)
        .all();
      db.closeSync();
      expect(rows).toContainEqual({ case_id: 2000, note_attempts: 1, note_done: 0 });

      // Run 2 (clean): the held note is found by its marker; the other case gets its note.
      const clean = await runCli(args, { cwd: dir });
      expect(clean.code, clean.stderr).toBe(0);
      expect(draftNotes(world, 2000)).toBe(1);
      expect(draftNotes(world, other.caseId)).toBe(1);
      const again = await runCli(args, { cwd: dir });
      expect(again.code, again.stderr).toBe(0);
      for (const c of world.omnidesk.cases()) expect(draftNotes(world, c.caseId)).toBe(1);
    } finally {
      await world.stop();
    }
  }, 120_000);
});
