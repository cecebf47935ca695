import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rustoreSchema } from '../../../src/config/schema.js';
import type { Review } from '../../../src/domain/review.js';
import { RemoteError } from '../../../src/errors.js';
import {
  createRuStorePublicSource,
  rustorePublicAvailable,
  type RuStorePublicOptions,
} from '../../../src/connectors/stores/rustore-public/index.js';
import { mapComments, rustoreIso } from '../../../src/connectors/stores/rustore-public/map.js';
import { publicCommentPageSchema } from '../../../src/connectors/stores/rustore-public/schema.js';
import type { AppRef } from '../../../src/connectors/stores/types.js';
import type { PagingTestOptions as FetchOptions } from '../../helpers/pages.js';
import { RuStorePublicEmulator } from '../../../src/emulators/rustore-public.js';
import { captureLogger, fakeClock, fixture } from './helpers.js';
import { reviewPages } from '../../helpers/pages.js';

const appId = 'com.example.app';

describe('RuStore public source', () => {
  let emu: RuStorePublicEmulator;
  let clock: ReturnType<typeof fakeClock>;

  function source(opts: RuStorePublicOptions = {}): ReturnType<typeof createRuStorePublicSource> {
    const cfg = rustoreSchema.parse({ publicBaseUrl: emu.baseUrl });
    return createRuStorePublicSource(
      cfg,
      { logger: captureLogger().logger, now: clock.now, wait: clock.wait, backoffBaseMs: 5 },
      opts,
    );
  }

  async function collect(app: AppRef, opts?: FetchOptions, s = source()): Promise<Review[][]> {
    const pages: Review[][] = [];
    for await (const page of reviewPages(s, app, opts)) pages.push(page);
    return pages;
  }

  const queries = (): URLSearchParams[] => emu.server.serviceRequests().map((r) => new URLSearchParams(r.query));

  beforeEach(async () => {
    emu = new RuStorePublicEmulator();
    await emu.start();
    clock = fakeClock();
  });
  afterEach(async () => {
    await emu.stop();
  });

  it('is available and read-only', () => {
    expect(rustorePublicAvailable).toBe(true);
    expect(source()).toMatchObject({
      store: 'rustore',
      origin: 'public',
      capabilities: { reply: false, maxReplyLength: 0, replyNeedsReadBack: false },
    });
  });

  it('maps unicode comments with answers, and asks like rustore.ru does', async () => {
    const ru = emu.addReview(appId, {
      firstName: 'Иван',
      commentText: 'Не грузится 😡',
      appRating: 2,
      likeCounter: 3,
      dislikeCounter: 1,
      appVersionName: '2.1.0',
      devResponse: 'Исправили 🙏',
    });
    const ja = emu.addReview(appId, { firstName: 'さくら', commentText: '素晴らしいアプリ', appRating: 5 });
    const all = (await collect({ store: 'rustore', appId })).flat();
    expect(all.map((r) => r.reviewId)).toEqual([String(ja.commentId), String(ru.commentId)]);
    expect(all[1]).toMatchObject({
      store: 'rustore',
      appId,
      rating: 2,
      text: 'Не грузится 😡',
      author: 'Иван',
      appVersion: '2.1.0',
      thumbsUp: 3,
      thumbsDown: 1,
      editedFlag: false,
      createdAt: new Date(ru.createdMs).toISOString(),
      developerAnswer: {
        text: 'Исправили 🙏',
        state: 'PUBLISHED',
        updatedAt: new Date(ru.devResponseMs!).toISOString(),
      },
      origin: 'public',
    });
    expect(all[0]).toMatchObject({ text: '素晴らしいアプリ', author: 'さくら', developerAnswer: undefined });
    const q = queries()[0]!;
    expect(emu.server.serviceRequests()[0]!.path).toBe('/comment/comment');
    expect(Object.fromEntries(q)).toEqual({ packageName: appId, sortBy: 'NEW_FIRST', pageNumber: '0', pageSize: '20' });
    expect(emu.verCodes).toEqual(['1000']);
  });

  it('pages by 20 until a short page', async () => {
    for (let i = 0; i < 45; i++) emu.addReview(appId, { commentText: `c${i}` });
    const pages = await collect({ store: 'rustore', appId });
    expect(pages.map((p) => p.length)).toEqual([20, 20, 5]);
    expect(pages[0]![0]!.text).toBe('c44');
    expect(queries().map((q) => q.get('pageNumber'))).toEqual(['0', '1', '2']);
    expect(clock.waits).toEqual([1000, 1000]);
  });

  it('an exact multiple of 20 costs one more (empty) page', async () => {
    for (let i = 0; i < 40; i++) emu.addReview(appId, {});
    expect((await collect({ store: 'rustore', appId })).map((p) => p.length)).toEqual([20, 20]);
    expect(queries()).toHaveLength(3);
  });

  it('stops at a page of known reviews unless full, and caps pages', async () => {
    const old = Array.from({ length: 50 }, () => emu.addReview(appId, {}));
    for (let i = 0; i < 3; i++) emu.addReview(appId, {});
    const known = new Set(old.map((c) => String(c.commentId)));
    const isKnownUnchanged = (r: Review): boolean => known.has(r.reviewId);
    expect((await collect({ store: 'rustore', appId }, { isKnownUnchanged })).map((p) => p.length)).toEqual([20, 20]);
    emu.server.requests.length = 0;
    expect((await collect({ store: 'rustore', appId }, { isKnownUnchanged, full: true })).flat()).toHaveLength(53);
    emu.server.requests.length = 0;
    expect((await collect({ store: 'rustore', appId }, { full: true }, source({ maxPages: 2 }))).flat()).toHaveLength(
      40,
    );
    expect(queries()).toHaveLength(2);
  });

  it('an edited comment keeps its place and carries the edit flag and date', async () => {
    const c = emu.addReview(appId, { commentText: 'плохо', appRating: 1 });
    emu.addReview(appId, {});
    const edited = emu.editReview(appId, c.commentId, { commentText: 'уже хорошо', appRating: 4 });
    const all = (await collect({ store: 'rustore', appId })).flat();
    expect(all[1]).toMatchObject({
      reviewId: String(c.commentId),
      text: 'уже хорошо',
      rating: 4,
      editedFlag: true,
      updatedAt: new Date(edited.updatedMs).toISOString(),
    });
  });

  it('an unknown app has no reviews', async () => {
    expect(await collect({ store: 'rustore', appId: 'com.unknown' })).toEqual([]);
  });

  it('retries 5xx and gives up with a transient error when they persist', async () => {
    emu.addReview(appId, { commentText: 'ok' });
    emu.server.setFaults({ next: ['500', '503'] });
    expect((await collect({ store: 'rustore', appId })).flat().map((r) => r.text)).toEqual(['ok']);
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([500, 503, 200]);

    emu.server.setFaults({ rate: 1, kinds: ['502'] });
    const err = await collect({ store: 'rustore', appId }).catch((e: unknown) => e);
    expect((err as RemoteError).kind).toBe('transient');
  });

  it('a refused request carries RuStore’s own message', async () => {
    const cfg = rustoreSchema.parse({ publicBaseUrl: emu.baseUrl });
    const res = await fetch(`${cfg.publicBaseUrl}/comment/comment?pageNumber=0`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string };
    expect(body).toMatchObject({ code: 'BAD_REQUEST' });
    const err = await collect({ store: 'rustore', appId: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).message).toContain('packageName is not present');
  });

  it('ping reaches the backend', async () => {
    await expect(source().ping()).resolves.toBeUndefined();
  });
});

describe('RuStore public fixtures', () => {
  it('reads zone-less dates as Moscow time and ISO dates as given', () => {
    expect(rustoreIso('2026-09-14 18:10:43.043')).toBe('2026-09-14T15:10:43.043Z');
    expect(rustoreIso('2026-09-13T10:00:00+03:00')).toBe('2026-09-13T07:00:00.000Z');
    const page = publicCommentPageSchema.parse(fixture('rustore', 'comment-page.json'));
    const { ok: reviews, setAside } = mapComments(page.body!.content, appId);
    expect(setAside).toEqual([]);
    expect(reviews[0]).toMatchObject({
      reviewId: '748223',
      author: 'Иван',
      text: 'Не грузится после обновления 😡',
      developerAnswer: { text: 'Исправили, обновитесь 🙏', updatedAt: '2026-09-15T06:00:00.000Z' },
    });
    expect(reviews[1]).toMatchObject({ reviewId: '748224', author: 'さくら', createdAt: '2026-09-13T07:00:00.000Z' });
  });
});
