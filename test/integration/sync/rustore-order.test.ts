/**
 * RuStore serves comments by creation date and documents no sortable fields: a deployment that
 * ignores `sort` must not hide new comments behind a page of known ones, and edits of old
 * comments (deep in the list) are found by the periodic full scan.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { World } from '../../../src/emulators/world.js';
import { tempDir } from '../../helpers/temp.js';
import { apiRequests, syncOnce, testWorld } from '../../helpers/world.js';

const pkg = 'ru.acme.reviews';
let world: World | undefined;

async function rustoreWorld(ignoreCommentSort: boolean): Promise<World> {
  world = await testWorld({ dir: tempDir(), ruStore: { ignoreCommentSort } });
  for (const app of world.config.apps ?? []) app.enabled = app.id === 'rustore';
  // Two pages (the connector asks for 100 a page), oldest first by id and by date.
  const start = Date.now() - 200 * 60_000;
  for (let i = 0; i < 150; i++) world.rustore.addComment(pkg, { at: start + i * 60_000, commentText: `comment ${i}` });
  return world;
}

afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('RuStore comment order', () => {
  it('a deployment serving oldest first: a new comment behind a page of known ones still arrives', async () => {
    const w = await rustoreWorld(true);
    const first = await syncOnce(w);
    expect(first.outcome).toBe('ok');
    expect(first.apps[0]!.fetched).toBe(150);

    w.rustore.addComment(pkg, { commentText: 'the newest one' });
    w.rustore.server.requests.length = 0;
    const second = await syncOnce(w);
    expect(second.outcome).toBe('ok');
    expect(second.apps[0]!.created).toBe(1);
    expect(w.omnidesk.cases().some((c) => JSON.stringify(c).includes('the newest one'))).toBe(true);
    // Both pages were read: the first, all known, said nothing about the second.
    expect(apiRequests(w).rustore).toBe(2);
  });

  it('newest first as asked: an idle sync stops after the first page of known comments', async () => {
    const w = await rustoreWorld(false);
    await syncOnce(w);
    w.rustore.server.requests.length = 0;
    const idle = await syncOnce(w);
    expect(idle.apps[0]!.created).toBe(0);
    expect(apiRequests(w).rustore).toBe(1);
  });

  it('an edit of an old comment is found by the full scan once it is due, not before', async () => {
    const w = await rustoreWorld(false);
    const t0 = Date.now();
    await syncOnce(w, {}, { now: () => t0 });
    const oldest = w.rustore.comments(pkg).at(-1)!;
    w.rustore.editComment(oldest.commentId, { commentText: 'edited long after', appRating: 1 });

    const early = await syncOnce(w, {}, { now: () => t0 + 3_600_000 });
    expect(early.apps[0]!.edited).toBe(0);

    const due = await syncOnce(w, {}, { now: () => t0 + 25 * 3_600_000 });
    expect(due.apps[0]!.edited).toBe(1);
    expect(due.apps[0]!.fetched).toBe(150);
  });
});
