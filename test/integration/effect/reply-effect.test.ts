/**
 * The effect of a reply on a fixed clock: an answer is published at a known time, the reviewer
 * edits the review days later, and `sync` writes one note ("rating 2 → 5, 9 days after the
 * answer") and one label into the case, once, however often it runs.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { worldApps, type World } from '../../../src/emulators/world.js';
import { backends } from '../../helpers/backends.js';
import { tempDir } from '../../helpers/temp.js';
import { syncOnce, testWorld, useState, withWorldState } from '../../helpers/world.js';

const pkg = worldApps.android.appId;
const hour = 3_600_000;
const day = 24 * hour;
const t0 = Date.parse('2026-03-02T09:00:00.000Z');

let world: World;

function caseOf(author: string) {
  const c = world.omnidesk.cases().find((x) => world.omnidesk.messages(x.caseId)[0]!.content.includes(author));
  if (!c) throw new Error(`no case of ${author}`);
  return c;
}

function ratingNotes(author: string): string[] {
  return world.omnidesk
    .messages(caseOf(author).caseId)
    .filter((m) => m.note && m.content.includes('[ref rating/'))
    .map((m) => m.content);
}

function labelsOf(author: string): string[] {
  const titles = new Map(world.omnidesk.labels().map((l) => [l.labelId, l.title]));
  return caseOf(author)
    .labels.map((id) => titles.get(id)!)
    .filter((t) => t.includes('after-reply'))
    .sort();
}

function at(ms: number): void {
  vi.setSystemTime(ms);
}

/** A review answered at t0 + 1 h (found by `--poll-replies`, published on Google Play at once). */
async function answered(author: string, stars: number): Promise<string> {
  const id = world.googlePlay.addReview(pkg, { authorName: author, text: 'Crashes', starRating: stars });
  at(t0);
  expect((await syncOnce(world)).outcome).toBe('ok');
  at(t0 + hour);
  await world.omnidesk.addStaffReply(caseOf(author).caseId, `Hi ${author}, 3.2.1 fixes it.`);
  const r = await syncOnce(world, { pollReplies: true });
  expect(r.replies?.published).toBe(1);
  return id;
}

describe.each(backends)('reply effect (fixed clock), state on %s', (_backend, open) => {
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(t0 - day);
    world = useState(await testWorld({ dir: tempDir() }), await open());
  });
  afterEach(async () => {
    await world.stop();
    vi.useRealTimers();
  });

  it('a rating change after the answer: one note and one label, kept once over reruns', async () => {
    const id = await answered('Ann', 2);
    at(t0 + 9 * day + 2 * hour);
    world.googlePlay.editReview(id, { text: 'Fixed, thanks!', starRating: 5 });
    const r = await syncOnce(world);
    expect(r.outcome).toBe('ok');
    expect(r.replyEffects).toMatchObject({ edits: 1, ratingChanges: 1, notes: 1, errors: [] });
    const ann = caseOf('Ann');
    expect(ratingNotes('Ann')).toEqual([
      `asodesk-omni: rating 2 → 5, 9 days after the answer.\n[ref rating/google-play:${pkg}:${id}/v2]`,
    ]);
    expect(labelsOf('Ann')).toEqual(['rating-up-after-reply']);
    // The note follows the edit's own message in the case.
    const messages = world.omnidesk.messages(ann.caseId);
    expect(messages.findIndex((m) => m.content.includes('[ref rating/'))).toBe(messages.length - 1);

    for (let i = 0; i < 2; i++) {
      const again = await syncOnce(world);
      expect(again.replyEffects).toBeUndefined();
    }
    expect(ratingNotes('Ann')).toHaveLength(1);

    // Down again below the rating before the answer: a second note, the label flips.
    at(t0 + 20 * day + hour);
    world.googlePlay.editReview(id, { text: 'Broken again', starRating: 1 });
    expect((await syncOnce(world)).replyEffects).toMatchObject({ edits: 1, ratingChanges: 1, notes: 1 });
    expect(ratingNotes('Ann')[1]).toBe(
      `asodesk-omni: rating 5 → 1, 20 days after the answer (before the answer: 2).\n[ref rating/google-play:${pkg}:${id}/v3]`,
    );
    expect(labelsOf('Ann')).toEqual(['rating-down-after-reply']);

    // A text-only edit is recorded but owes no note; back to the rating before: no label.
    at(t0 + 21 * day);
    world.googlePlay.editReview(id, { text: 'Broken again, on 3.2.2 too', starRating: 1 });
    expect((await syncOnce(world)).replyEffects).toMatchObject({ edits: 1, ratingChanges: 0, notes: 0 });
    at(t0 + 22 * day + hour);
    world.googlePlay.editReview(id, { text: 'OK now', starRating: 2 });
    await syncOnce(world);
    expect(ratingNotes('Ann')).toHaveLength(3);
    expect(ratingNotes('Ann')[2]).toContain('rating 1 → 2, 22 days after the answer (before the answer: 2).');
    expect(labelsOf('Ann')).toEqual([]);

    await withWorldState(world, async (db) => {
      const log = await db.all('SELECT outcome, rating_before, version_before, published_at, staff_id FROM answer_log');
      expect(log).toEqual([
        {
          outcome: 'published',
          rating_before: 2,
          version_before: 1,
          published_at: new Date(t0 + hour).toISOString(),
          staff_id: 1,
        },
      ]);
      const edits = await db.all(
        'SELECT version, rating_from, rating_to, rating_before, label, note_done FROM answer_edits ORDER BY version',
      );
      expect(edits).toEqual([
        { version: 2, rating_from: 2, rating_to: 5, rating_before: 2, label: 'rating-up-after-reply', note_done: 1 },
        { version: 3, rating_from: 5, rating_to: 1, rating_before: 2, label: 'rating-down-after-reply', note_done: 1 },
        { version: 4, rating_from: 1, rating_to: 1, rating_before: 2, label: null, note_done: 1 },
        { version: 5, rating_from: 1, rating_to: 2, rating_before: 2, label: null, note_done: 1 },
      ]);
    });
  });

  it('an edit before the answer owes nothing; a same-day change says so; notes follow the config language', async () => {
    world.config.language = 'ru';
    const id = world.googlePlay.addReview(pkg, { authorName: 'Олег', text: 'Плохо', starRating: 1 });
    at(t0);
    await syncOnce(world);
    at(t0 + hour);
    world.googlePlay.editReview(id, { text: 'Плохо, но лучше', starRating: 2 });
    await syncOnce(world);
    await world.omnidesk.addStaffReply(caseOf('Олег').caseId, 'Олег, спасибо!');
    at(t0 + 2 * hour);
    await syncOnce(world, { pollReplies: true });
    expect(ratingNotes('Олег')).toEqual([]);

    at(t0 + 5 * hour);
    world.googlePlay.editReview(id, { text: 'Теперь отлично', starRating: 4 });
    await syncOnce(world);
    expect(ratingNotes('Олег')).toEqual([
      `asodesk-omni: оценка 2 → 4 меньше чем через день после ответа.\n[ref rating/google-play:${pkg}:${id}/v3]`,
    ]);
    at(t0 + 2 * hour + 21 * day);
    world.googlePlay.editReview(id, { text: 'Снова плохо', starRating: 1 });
    await syncOnce(world);
    expect(ratingNotes('Олег')[1]).toContain('оценка 4 → 1 через 21 день после ответа (до ответа: 2).');
    expect(labelsOf('Олег')).toEqual(['rating-down-after-reply']);
  });
});
