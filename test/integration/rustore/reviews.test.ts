import { describe, expect, it } from 'vitest';
import type { Review } from '../../../src/domain/review.js';
import type { SetAside } from '../../../src/connectors/stores/types.js';
import { RemoteError } from '../../../src/errors.js';
import { ruStoreTestKey } from '../../helpers/rustore-keys.js';
import { app, collect, pkg, setup } from './setup.js';
import { reviewPages } from '../../helpers/pages.js';

const commentPath = `/public/v1/application/${pkg}/comment`;

describe('RuStore reviews', () => {
  it('pages through 250 comments 100 at a time, newest first, and maps every field', async () => {
    const t = await setup();
    const base = t.clock.now - 250 * 60_000;
    for (let i = 0; i < 250; i++) {
      t.emu.addComment(pkg, {
        at: base + i * 60_000,
        commentText: `text ${i}`,
        appRating: (i % 5) + 1,
        userName: `user ${i}`,
        likeCounter: i,
        dislikeCounter: 1,
      });
    }
    const pages = await collect(reviewPages(t.connector, app));
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
    // The documented Spring Pageable sort, newest first.
    expect(t.requests(commentPath).map((r) => r.query)).toEqual(
      [0, 1, 2].map((n) => `?page=${n}&size=100&sort=commentDate%2Cdesc`),
    );

    const all = pages.flat();
    expect(new Set(all.map((r) => r.reviewId)).size).toBe(250);
    const newest = all[0]!;
    const emuNewest = t.emu.comments(pkg)[0]!;
    expect(newest).toEqual<Review>({
      store: 'rustore',
      appId: pkg,
      reviewId: String(emuNewest.commentId),
      rating: 5,
      text: 'text 249',
      author: 'user 249',
      createdAt: new Date(base + 249 * 60_000).toISOString(),
      updatedAt: new Date(base + 249 * 60_000).toISOString(),
      appVersion: '1.0.0',
      device: undefined,
      osVersion: undefined,
      thumbsUp: 249,
      thumbsDown: 1,
      editedFlag: false,
      developerAnswer: undefined,
      origin: 'api',
    });
    // Newest first across pages.
    const times = all.map((r) => Date.parse(r.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('reads a paged body (`content`, `last`) as well as a bare array', async () => {
    const t = await setup({ emulator: { listStyle: 'page' } });
    for (let i = 0; i < 200; i++) t.emu.addComment(pkg, { at: t.clock.now - i * 1000 });
    const pages = await collect(reviewPages(t.connector, app));
    expect(pages.map((p) => p.length)).toEqual([100, 100]);
    // `last: true` on page 1 saves the request for an empty page 2.
    expect(t.requests(commentPath)).toHaveLength(2);
  });

  it('stops after a page where every review is known and unchanged, unless asked for a full scan', async () => {
    const t = await setup();
    for (let i = 0; i < 250; i++) t.emu.addComment(pkg, { at: t.clock.now - i * 1000 });
    const known = new Set(
      t.emu
        .comments(pkg)
        .slice(0, 150)
        .map((c) => String(c.commentId)),
    );
    const isKnownUnchanged = (r: Review): boolean => known.has(r.reviewId);

    const pages = await collect(reviewPages(t.connector, app, { isKnownUnchanged }));
    expect(pages).toHaveLength(1);
    expect(t.requests(commentPath)).toHaveLength(1);

    const full = await collect(reviewPages(t.connector, app, { isKnownUnchanged, full: true }));
    expect(full.flat()).toHaveLength(250);
  });

  it('goes on while a page holds something new', async () => {
    const t = await setup();
    for (let i = 0; i < 250; i++) t.emu.addComment(pkg, { at: t.clock.now - i * 1000 });
    const newestId = String(t.emu.comments(pkg)[0]!.commentId);
    const pages = await collect(reviewPages(t.connector, app, { isKnownUnchanged: (r) => r.reviewId !== newestId }));
    // Page 0 holds the new one; page 1 is all known: stop there.
    expect(pages.map((p) => p.length)).toEqual([100, 100]);
    expect(t.requests(commentPath)).toHaveLength(2);
  });

  it('gives what edit detection needs: the edited flag and a newer updatedAt', async () => {
    const t = await setup();
    const id = t.emu.addComment(pkg, { commentText: 'Не грузится', appRating: 1 });
    const [before] = (await collect(reviewPages(t.connector, app))).flat();
    expect(before).toMatchObject({ editedFlag: false, text: 'Не грузится', rating: 1 });

    t.clock.now += 3_600_000;
    t.emu.editComment(id, { commentText: 'Починили, спасибо', appRating: 5 });
    const [after] = (await collect(reviewPages(t.connector, app))).flat();
    expect(after).toMatchObject({
      reviewId: String(id),
      editedFlag: true,
      text: 'Починили, спасибо',
      rating: 5,
      createdAt: before!.createdAt,
    });
    expect(Date.parse(after!.updatedAt!)).toBe(t.clock.now);
    expect(Date.parse(after!.updatedAt!)).toBeGreaterThan(Date.parse(before!.updatedAt!));
  });

  it('maps developer answers carried inside comments (devResponse)', async () => {
    const t = await setup({ emulator: { commentDevResponses: true } });
    const id = t.emu.addComment(pkg);
    await t.connector.publishReply(app, String(id), 'Спасибо!');
    const [review] = (await collect(reviewPages(t.connector, app))).flat();
    expect(review!.developerAnswer).toMatchObject({
      text: 'Спасибо!',
      state: 'PUBLISHED',
      id: String(t.emu.feedback()[0]!.id),
    });
  });

  it('says the key lacks the app in RuStore Console when the API answers 403', async () => {
    const key = ruStoreTestKey();
    const t = await setup({
      emulator: { keys: [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem, apps: ['ru.example.other'] }] },
    });
    const err = (await collect(reviewPages(t.connector, app)).catch((e: unknown) => e)) as RemoteError;
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.kind).toBe('permission');
    expect(err.message).toContain('not granted this app or method');
    expect(err.message).toContain('RuStore Console');
    expect(err.message).toContain('This user does not have rights');
    expect(err.retryable).toBe(false);
    expect(t.requests(commentPath)).toHaveLength(1);
  });

  it('retries 5xx and 429 with backoff, then succeeds', async () => {
    const t = await setup();
    t.emu.addComment(pkg);
    await t.connector.ping();
    t.emu.server.setFaults({ next: ['500', '503', '429'] });
    const pages = await collect(reviewPages(t.connector, app));
    expect(pages.flat()).toHaveLength(1);
    expect(t.requests(commentPath).map((r) => r.status)).toEqual([500, 503, 429, 200]);
  });

  it('gives up after the retries with a transient error carrying RuStore’s message', async () => {
    const t = await setup();
    await t.connector.ping();
    t.emu.server.setFaults({ next: ['500', '500', '500', '500', '500'] });
    const err = (await collect(reviewPages(t.connector, app)).catch((e: unknown) => e)) as RemoteError;
    expect(err).toMatchObject({ kind: 'transient', status: 500, code: 'ERROR' });
    expect(err.message).toContain('Internal server error');
    expect(t.requests(commentPath)).toHaveLength(5);
  });

  it('reports a page that is not JSON as a bad payload; a comment that does not fit is set aside, naming the field', async () => {
    const t = await setup();
    const bad = t.emu.addComment(pkg, { appRating: 7 });
    t.emu.addComment(pkg, { appRating: 4 });
    await t.connector.ping();
    t.emu.server.setFaults({ next: ['malformed'] });
    await expect(collect(reviewPages(t.connector, app))).rejects.toMatchObject({
      kind: 'bad-payload',
      message: expect.stringContaining('not JSON') as unknown,
    });
    const setAside: SetAside[] = [];
    const reviews = (await collect(reviewPages(t.connector, app, { onSetAside: (s) => setAside.push(...s) }))).flat();
    expect(reviews.map((r) => r.rating)).toEqual([4]);
    expect(setAside).toEqual([
      { id: String(bad), reason: `record ${bad}: field "appRating" Too big: expected number to be <=5` },
    ]);
  });

  it('lists the apps the key can see', async () => {
    const t = await setup();
    t.emu.addApp(pkg, 'Пример');
    t.emu.addApp('ru.example.two', 'Второе');
    const apps = await t.connector.listApps();
    expect(apps).toEqual([
      { appId: pkg, name: 'Пример', bundleId: pkg },
      { appId: 'ru.example.two', name: 'Второе', bundleId: 'ru.example.two' },
    ]);
  });
});
