import { describe, expect, it } from 'vitest';
import type { Review } from '../../../src/domain/review.js';
import { reviewWindowWarning } from '../../../src/engine/review-window.js';
import { collect, pkg, startGooglePlay } from './setup.js';
import { reviewPages } from '../../helpers/pages.js';

const app = { store: 'google-play' as const, appId: pkg };
const day = 86_400_000;

describe('Google Play reviews', () => {
  it('follows nextPageToken through short pages, newest-modified first', async () => {
    const {
      emu,
      connector,
      clock,
      emu: { server },
    } = await startGooglePlay({ pageSize: 3 });
    const ids = Array.from({ length: 8 }, (_, i) =>
      emu.addReview(pkg, { text: `review ${i}`, lastModified: clock.now - i * 60_000 }),
    );
    emu.addReview(pkg, { text: '', starRating: 4 }); // a rating without text: never listed

    const pages = await collect(reviewPages(connector, app));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat().map((r) => r.reviewId)).toEqual(ids);
    const gets = server.serviceRequests().filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(3);
    expect(new URLSearchParams(gets[0]!.query).get('maxResults')).toBe('100');
    expect(new URLSearchParams(gets[0]!.query).has('token')).toBe(false);
    expect(new URLSearchParams(gets[1]!.query).get('token')).toBeTruthy();
  });

  it('maps title, body, device, versions, thumbs and the developer reply', async () => {
    const { emu, connector } = await startGooglePlay();
    const modified = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
    emu.addReview(pkg, {
      authorName: 'Jane Bloggs',
      text: 'Great notes\tSync works, but widgets are slow.',
      starRating: 4,
      reviewerLanguage: 'en',
      device: 'trltecan',
      productName: 'E5333 (Xperia C4 Dual)',
      androidOsVersion: 33,
      appVersionCode: 12345,
      appVersionName: '1.2.3',
      thumbsUpCount: 10,
      thumbsDownCount: 3,
      lastModified: Date.now(),
      reply: { text: 'Thanks!', lastModified: modified },
    });
    emu.addReview(pkg, {
      text: '\tNo title here',
      device: 'a52q',
      appVersionCode: 77,
      lastModified: Date.now() - 1000,
    });

    const [first, second] = (await collect(reviewPages(connector, app))).flat() as [Review, Review];
    expect(first).toMatchObject({
      store: 'google-play',
      appId: pkg,
      rating: 4,
      title: 'Great notes',
      text: 'Sync works, but widgets are slow.',
      author: 'Jane Bloggs',
      language: 'en',
      device: 'E5333 (Xperia C4 Dual)',
      osVersion: '33',
      appVersion: '1.2.3',
      thumbsUp: 10,
      thumbsDown: 3,
      origin: 'api',
      developerAnswer: { text: 'Thanks!', updatedAt: '2030-01-02T03:04:05.678Z', state: 'PUBLISHED' },
    });
    expect(first.createdAt).toBe(first.updatedAt);
    expect(first.translation).toBeUndefined();
    expect(second).toMatchObject({ text: 'No title here', device: 'a52q', appVersion: '77' });
    expect(second.title).toBeUndefined();
    expect(second.developerAnswer).toBeUndefined();
  });

  it('detects an edit through lastModified and stops on a page of known reviews', async () => {
    const { emu, connector, clock, log } = await startGooglePlay({ pageSize: 3 });
    const ids = Array.from({ length: 7 }, (_, i) =>
      emu.addReview(pkg, { text: `review ${i}`, lastModified: clock.now - (i + 1) * 60_000 }),
    );
    const known = new Map<string, string | undefined>();
    const isKnownUnchanged = (r: Review): boolean => known.has(r.reviewId) && known.get(r.reviewId) === r.updatedAt;
    const remember = (pages: Review[][]): void => pages.flat().forEach((r) => known.set(r.reviewId, r.updatedAt));

    remember(await collect(reviewPages(connector, app, { isKnownUnchanged })));
    expect(known.size).toBe(7);

    // Nothing new: one request.
    const before = log().length;
    expect((await collect(reviewPages(connector, app, { isKnownUnchanged }))).flat()).toHaveLength(3);
    expect(log().length - before).toBe(1);

    // The author of the oldest review edits it: it comes back first, with a new updatedAt.
    clock.advance(1000);
    emu.editReview(ids[6]!, { text: 'review 6, edited', starRating: 2 });
    const mark = log().length;
    const pages = await collect(reviewPages(connector, app, { isKnownUnchanged }));
    expect(log().length - mark).toBe(2); // page 1 holds the edit, page 2 is all known
    const edited = pages[0]![0]!;
    expect(edited).toMatchObject({ reviewId: ids[6], text: 'review 6, edited', rating: 2 });
    expect(edited.updatedAt).not.toBe(known.get(ids[6]!));
    expect(isKnownUnchanged(edited)).toBe(false);

    // A full scan ignores isKnownUnchanged.
    const full = await collect(reviewPages(connector, app, { isKnownUnchanged, full: true }));
    expect(full.flat()).toHaveLength(7);
  });

  it('does not list reviews last modified more than 7 days ago; the window warning says so', async () => {
    const { emu, connector, clock } = await startGooglePlay();
    const fresh = emu.addReview(pkg, { text: 'six days old' });
    const old = emu.addReview(pkg, { text: 'eight days old' });
    emu.ageReview(fresh, 6);
    emu.ageReview(old, 8);
    const ids = (await collect(reviewPages(connector, app))).flat().map((r) => r.reviewId);
    expect(ids).toEqual([fresh]);

    // The old review re-enters the window when its author edits it.
    emu.editReview(old, { text: 'eight days old, edited' });
    expect((await collect(reviewPages(connector, app))).flat().map((r) => r.reviewId)).toEqual([old, fresh]);

    const ago = (days: number): string => new Date(clock.now - days * day).toISOString();
    expect(connector.capabilities.reviewWindowDays).toBe(7);
    const windowWarning = (last: string | undefined): string | undefined =>
      reviewWindowWarning('Google Play', connector.capabilities.reviewWindowDays!, last, clock.now);
    expect(windowWarning(undefined)).toBeUndefined();
    expect(windowWarning(ago(4))).toBeUndefined();
    expect(windowWarning(ago(6))).toMatch(/6 days ago.*last 7 days.*will soon be lost/);
    expect(windowWarning(ago(8))).toMatch(/8 days ago.*may already be lost/);
  });

  it('keeps the original text as the review and the translation aside', async () => {
    const {
      emu,
      connector,
      emu: { server },
    } = await startGooglePlay();
    emu.addReview(pkg, {
      text: 'Tolle App\tAber die Synchronisierung ist langsam.',
      reviewerLanguage: 'de',
      lastModified: Date.now(),
    });
    emu.addReview(pkg, { text: '\tAlready English', reviewerLanguage: 'en', lastModified: Date.now() - 1000 });
    const [de, en] = (await collect(reviewPages(connector, { ...app, translationLanguage: 'en' }))).flat() as [
      Review,
      Review,
    ];
    expect(new URLSearchParams(server.serviceRequests().at(-1)!.query).get('translationLanguage')).toBe('en');
    expect(de).toMatchObject({
      title: 'Tolle App',
      text: 'Aber die Synchronisierung ist langsam.',
      language: 'de',
      translation: { language: 'en', text: '[en] Tolle App\nAber die Synchronisierung ist langsam.' },
    });
    expect(en.text).toBe('Already English');
    expect(en.translation).toBeUndefined();
  });

  it('reads a reply back with replyStatus', async () => {
    const { emu, connector } = await startGooglePlay();
    const withReply = emu.addReview(pkg, { text: 'ok', reply: { text: 'Thank you' } });
    const without = emu.addReview(pkg, { text: 'ok too' });
    await expect(connector.replyStatus(app, withReply)).resolves.toEqual({ state: 'PUBLISHED', text: 'Thank you' });
    await expect(connector.replyStatus(app, without)).resolves.toBeUndefined();
    await expect(connector.replyStatus(app, 'gp:missing')).resolves.toBeUndefined();
  });
});
