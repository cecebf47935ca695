import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appStoreSchema } from '../../../src/config/schema.js';
import { contentFingerprint, type Review } from '../../../src/domain/review.js';
import { ConfigError, RemoteError } from '../../../src/errors.js';
import { createAppStorePublicSource } from '../../../src/connectors/stores/app-store-public/index.js';
import { lastPageOf, mapEntries, mapEntry } from '../../../src/connectors/stores/app-store-public/map.js';
import { feedEntrySchema } from '../../../src/connectors/stores/app-store-public/schema.js';
import { feedSchema } from '../../../src/connectors/stores/app-store-public/schema.js';
import type { AppRef } from '../../../src/connectors/stores/types.js';
import type { PagingTestOptions as FetchOptions } from '../../helpers/pages.js';
import { AppStorePublicEmulator } from '../../../src/emulators/app-store-public.js';
import { captureLogger, fakeClock, fixture } from './helpers.js';
import { reviewPages } from '../../helpers/pages.js';

const appId = '1000000001';

async function collect(
  source: ReturnType<typeof createAppStorePublicSource>,
  app: AppRef,
  opts?: FetchOptions,
): Promise<Review[][]> {
  const pages: Review[][] = [];
  for await (const page of reviewPages(source, app, opts)) pages.push(page);
  return pages;
}

describe('App Store public feed source', () => {
  let emu: AppStorePublicEmulator;
  let clock: ReturnType<typeof fakeClock>;
  let log: ReturnType<typeof captureLogger>;

  function source(countries: string[] = ['us']): ReturnType<typeof createAppStorePublicSource> {
    const cfg = appStoreSchema.parse({ publicBaseUrl: emu.baseUrl, publicCountries: countries });
    return createAppStorePublicSource(cfg, { logger: log.logger, now: clock.now, wait: clock.wait, backoffBaseMs: 5 });
  }

  const feedPaths = (): string[] => emu.server.serviceRequests().map((r) => r.path);

  beforeEach(async () => {
    emu = new AppStorePublicEmulator();
    await emu.start();
    clock = fakeClock();
    log = captureLogger();
  });
  afterEach(async () => {
    await emu.stop();
  });

  it('declares itself a read-only public source', () => {
    const s = source();
    expect(s.origin).toBe('public');
    expect(s.store).toBe('app-store');
    expect(s.capabilities).toMatchObject({ reply: false, maxReplyLength: 0, replyNeedsReadBack: false });
    expect(s.publishReply).toBeUndefined();
  });

  it('maps Russian, Japanese and emoji reviews per storefront, with alpha-3 territories', async () => {
    const ru = emu.addReview(
      appId,
      { author: 'Иван', title: 'Не грузится', text: 'Вылетает при запуске 😡', rating: 1, version: '3.4.2' },
      { country: 'ru' },
    );
    const jp = emu.addReview(
      appId,
      { author: 'ヤマダ。', title: '神アプリ', text: 'とても使いやすい！\nでも星4で 🙏', rating: 4, version: '3.4.3' },
      { country: 'jp' },
    );
    const us = emu.addReview(appId, { author: 'sam 🚀', title: '', text: '👍👍', rating: 5 }, { country: 'us' });

    const pages = await collect(source(), { store: 'app-store', appId, countries: ['RUS', 'JPN', 'USA'] });
    const all = pages.flat();
    expect(all).toHaveLength(3);
    const byTerritory = Object.fromEntries(all.map((r) => [String(r.territory), r] as const));
    expect(byTerritory.RUS).toMatchObject({
      store: 'app-store',
      appId,
      reviewId: ru.id,
      rating: 1,
      title: 'Не грузится',
      text: 'Вылетает при запуске 😡',
      author: 'Иван',
      appVersion: '3.4.2',
      origin: 'public',
    });
    expect(byTerritory.JPN).toMatchObject({
      reviewId: jp.id,
      title: '神アプリ',
      text: 'とても使いやすい！\nでも星4で 🙏',
      author: 'ヤマダ。',
      rating: 4,
    });
    expect(byTerritory.USA).toMatchObject({ reviewId: us.id, title: undefined, text: '👍👍', author: 'sam 🚀' });
    // `updated` (Cupertino time with offset) becomes one UTC instant for both dates.
    expect(byTerritory.RUS!.createdAt).toBe(new Date(ru.updated).toISOString());
    expect(byTerritory.RUS!.updatedAt).toBe(byTerritory.RUS!.createdAt);
    expect(feedPaths()).toEqual([
      `/ru/rss/customerreviews/page=1/id=${appId}/sortby=mostrecent/json`,
      `/jp/rss/customerreviews/page=1/id=${appId}/sortby=mostrecent/json`,
      `/us/rss/customerreviews/page=1/id=${appId}/sortby=mostrecent/json`,
    ]);
  });

  it('reads the configured storefronts when the app has no country filter', async () => {
    emu.addReview(appId, { text: 'gb' }, { country: 'gb' });
    emu.addReview(appId, { text: 'de' }, { country: 'de' });
    const all = (await collect(source(['gb', 'DE']), { store: 'app-store', appId })).flat();
    expect(all.map((r) => r.territory).sort()).toEqual(['DEU', 'GBR']);
    expect(feedPaths().map((p) => p.split('/')[1])).toEqual(['gb', 'de']);
  });

  it('skips unknown territories with a warning and refuses a filter with none it knows', async () => {
    emu.addReview(appId, {}, { country: 'us' });
    const all = (await collect(source(), { store: 'app-store', appId, countries: ['USA', 'XXX'] })).flat();
    expect(all).toHaveLength(1);
    expect(log.lines().some((l) => l.level === 'warn' && JSON.stringify(l.territories) === '["XXX"]')).toBe(true);

    await expect(collect(source(), { store: 'app-store', appId, countries: ['XXX', 'YYY'] })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  it('pages newest first through 50-review pages and stops at the last page', async () => {
    for (let i = 0; i < 120; i++) emu.addReview(appId, { text: `review ${i}` });
    const pages = await collect(source(), { store: 'app-store', appId });
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(pages[0]![0]!.text).toBe('review 119');
    expect(pages[2]![19]!.text).toBe('review 0');
    expect(feedPaths().map((p) => /page=(\d+)/.exec(p)![1])).toEqual(['1', '2', '3']);
  });

  it('never asks past page 10 (Apple serves at most 500 reviews per storefront)', async () => {
    for (let i = 0; i < 560; i++) emu.addReview(appId, { text: `r${i}` });
    const pages = await collect(source(), { store: 'app-store', appId }, { full: true });
    expect(pages).toHaveLength(10);
    expect(pages.flat()).toHaveLength(500);
    expect(feedPaths()).toHaveLength(10);
    expect(feedPaths().some((p) => p.includes('page=11'))).toBe(false);
  });

  it('the emulator refuses page 11 the way Apple does', async () => {
    const res = await fetch(`${emu.baseUrl}/us/rss/customerreviews/page=11/id=${appId}/sortby=mostrecent/json`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/page depth is limited to 10/);
  });

  it('paces requests: at least the page interval between two feed requests', async () => {
    for (let i = 0; i < 120; i++) emu.addReview(appId, {}, { country: 'us' });
    emu.addReview(appId, {}, { country: 'gb' });
    await collect(source(['us', 'gb']), { store: 'app-store', appId });
    expect(feedPaths()).toHaveLength(4);
    // Three pages of us, then gb: three waits of one second on the fake clock.
    expect(clock.waits).toEqual([1000, 1000, 1000]);
  });

  it('stops after a page whose reviews are all known and unchanged, unless full', async () => {
    const old = Array.from({ length: 100 }, (_, i) => emu.addReview(appId, { text: `old ${i}` }));
    for (let i = 0; i < 10; i++) emu.addReview(appId, { text: `new ${i}` });
    const known = new Map(
      old.map((r) => [r.id, contentFingerprint({ rating: r.rating, title: r.title, text: r.text })]),
    );
    const isKnownUnchanged = (r: Review): boolean => known.get(r.reviewId) === contentFingerprint(r);

    const pages = await collect(source(), { store: 'app-store', appId }, { isKnownUnchanged });
    // Page 1: 10 new + 40 known → go on; page 2: all known → stop before page 3.
    expect(pages.map((p) => p.length)).toEqual([50, 50]);
    expect(feedPaths()).toHaveLength(2);

    emu.server.requests.length = 0;
    const full = await collect(source(), { store: 'app-store', appId }, { isKnownUnchanged, full: true });
    expect(full.map((p) => p.length)).toEqual([50, 50, 10]);
  });

  it('an edited review comes back on top with its new content', async () => {
    const first = emu.addReview(appId, { text: 'bad', rating: 1 });
    for (let i = 0; i < 60; i++) emu.addReview(appId, { text: `filler ${i}` });
    emu.editReview(appId, first.id, { text: 'fixed now', rating: 5 });
    const known = new Set(
      emu
        .reviews()
        .filter((r) => r.id !== first.id)
        .map((r) => r.id),
    );
    const pages = await collect(
      source(),
      { store: 'app-store', appId },
      { isKnownUnchanged: (r) => known.has(r.reviewId) },
    );
    expect(pages[0]![0]).toMatchObject({ reviewId: first.id, text: 'fixed now', rating: 5 });
  });

  it('asks again for a page that comes back empty although the previous one announced it', async () => {
    for (let i = 0; i < 120; i++) emu.addReview(appId, {});
    const first = await collect(source(), { store: 'app-store', appId }); // reads pages 1-3
    expect(first.flat()).toHaveLength(120);
    emu.server.requests.length = 0;

    // Page 1 full, page 2 empty twice, then full again.
    let served = 0;
    const pages: Review[][] = [];
    for await (const page of reviewPages(source(), { store: 'app-store', appId }, { full: true })) {
      pages.push(page);
      if (served++ === 0) emu.flakyEmptyPages(2);
    }
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(feedPaths().map((p) => /page=(\d+)/.exec(p)![1])).toEqual(['1', '2', '2', '2', '3']);
  });

  it('gives up on a page that stays empty, and does not retry an empty first page', async () => {
    for (let i = 0; i < 120; i++) emu.addReview(appId, {});
    let n = 0;
    const pages: Review[][] = [];
    for await (const page of reviewPages(source(), { store: 'app-store', appId }, { full: true })) {
      pages.push(page);
      if (n++ === 0) emu.flakyEmptyPages(5);
    }
    expect(pages.map((p) => p.length)).toEqual([50]);
    expect(feedPaths().map((p) => /page=(\d+)/.exec(p)![1])).toEqual(['1', '2', '2', '2']);

    emu.server.requests.length = 0;
    emu.flakyEmptyPages(100);
    expect(await collect(source(), { store: 'app-store', appId })).toEqual([]);
    expect(feedPaths()).toHaveLength(1);
  });

  it('an unknown app has an empty feed: one request, no pages', async () => {
    const pages = await collect(source(['us', 'gb']), { store: 'app-store', appId: '999' });
    expect(pages).toEqual([]);
    expect(feedPaths()).toHaveLength(2);
  });

  it('reads a page holding a single bare entry object', async () => {
    emu.addReview(appId, { text: 'only one' });
    const raw = (await (
      await fetch(`${emu.baseUrl}/us/rss/customerreviews/page=1/id=${appId}/sortby=mostrecent/json`)
    ).json()) as { feed: { entry: unknown } };
    expect(Array.isArray(raw.feed.entry)).toBe(false);
    const pages = await collect(source(), { store: 'app-store', appId });
    expect(pages.flat().map((r) => r.text)).toEqual(['only one']);
  });

  it('drops the app-description entry of old feeds', async () => {
    await emu.stop();
    emu = new AppStorePublicEmulator({ legacyAppEntry: true });
    await emu.start();
    emu.addReview(appId, { text: 'a' });
    emu.addReview(appId, { text: 'b' });
    const all = (await collect(source(), { store: 'app-store', appId })).flat();
    expect(all.map((r) => r.text)).toEqual(['b', 'a']);
  });

  it('retries 5xx answers and still reads the page', async () => {
    emu.addReview(appId, { text: 'after the storm' });
    emu.server.setFaults({ next: ['503', '500', '502'] });
    const all = (await collect(source(), { store: 'app-store', appId })).flat();
    expect(all.map((r) => r.text)).toEqual(['after the storm']);
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([503, 500, 502, 200]);
  });

  it('gives up with a transient RemoteError when the feed keeps failing', async () => {
    emu.server.setFaults({ rate: 1, kinds: ['500'] });
    const err = await collect(source(), { store: 'app-store', appId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).kind).toBe('transient');
    expect(emu.server.serviceRequests()).toHaveLength(5);
  });

  it('a broken body is a bad-payload error, not retried', async () => {
    emu.addReview(appId, {});
    emu.server.setFaults({ next: ['malformed'] });
    const err = await collect(source(), { store: 'app-store', appId }).catch((e: unknown) => e);
    expect((err as RemoteError).kind).toBe('bad-payload');
    expect(emu.server.serviceRequests()).toHaveLength(1);
  });

  it('ping succeeds against the feed', async () => {
    await expect(source().ping()).resolves.toBeUndefined();
  });
});

describe('App Store feed fixtures (real shapes)', () => {
  it('parses a unicode page and learns the last page from the XML paging link', () => {
    const feed = feedSchema.parse(fixture('app-store', 'feed-unicode-page1.json'));
    expect(lastPageOf(feed)).toBe(8);
    const { ok: reviews, setAside } = mapEntries(feed, { appId, country: 'jp' });
    expect(setAside).toEqual([]);
    expect(reviews[0]).toMatchObject({
      reviewId: '14548543799',
      author: 'ヤマダ。',
      title: '神アプリ',
      rating: 4,
      territory: 'JPN',
      appVersion: '3.4.3',
      createdAt: '2026-09-14T11:24:23.000Z',
    });
    expect(reviews[1]).toMatchObject({
      author: 'Иван 🚀',
      text: 'После обновления приложение вылетает при запуске 😡',
    });
  });

  it('parses a single-entry feed, an empty feed and a legacy feed without per-entry dates', () => {
    expect(feedSchema.parse(fixture('app-store', 'feed-single-entry.json')).feed.entry).toHaveLength(1);
    expect(feedSchema.parse(fixture('app-store', 'feed-empty.json')).feed.entry).toEqual([]);
    const legacy = feedSchema.parse(fixture('app-store', 'feed-legacy-app-entry.json'));
    expect(legacy.feed.entry).toHaveLength(1);
    // No `updated` on the entry: the feed's own date stands in.
    expect(
      mapEntry(feedEntrySchema.parse(legacy.feed.entry[0]), {
        appId,
        country: 'us',
        feedUpdated: legacy.feed.updated?.label,
      }),
    ).toMatchObject({ reviewId: '1923021781', createdAt: '2017-11-15T15:10:34.000Z' });
  });

  it('sets a broken entry aside, naming its id and the field, and keeps the rest of the page', () => {
    const good = {
      id: { label: '2' },
      author: { name: { label: 'b' } },
      'im:rating': { label: '5' },
      content: { label: 'fine' },
      updated: { label: '2026-09-14T11:24:23-07:00' },
    };
    const feed = feedSchema.parse({
      feed: {
        entry: [
          {
            id: { label: '1' },
            author: { name: { label: 'a' } },
            'im:rating': { label: '9' },
            content: { label: 'x' },
          },
          good,
        ],
      },
    });
    const { ok, setAside } = mapEntries(feed, { appId, country: 'us' });
    expect(ok.map((r) => r.reviewId)).toEqual(['2']);
    expect(setAside).toEqual([{ id: '1', reason: 'record 1: field "im:rating.label" must be a rating from 1 to 5' }]);
  });
});
