/**
 * Google Play: every UserComment field is optional in the discovery document, so a review
 * lacking any of them flows; only one without an id or a star rating is set aside. An empty
 * `originalText` is no translation.
 */
import { describe, expect, it } from 'vitest';
import { reviewPages } from '../../helpers/pages.js';
import type { SetAside } from '../../../src/connectors/stores/types.js';
import { collect, pkg, startGooglePlay } from './setup.js';

const app = { store: 'google-play' as const, appId: pkg };
const listPath = `/androidpublisher/v3/applications/${pkg}/reviews`;

type RawReview = { reviewId?: unknown; authorName?: unknown; comments: { userComment?: Record<string, unknown> }[] };

async function withRewrite(patch: (r: RawReview) => void) {
  const t = await startGooglePlay();
  t.emu.server.rewriteJson((path, json) => {
    if (path !== listPath) return json;
    for (const r of (json as { reviews?: RawReview[] }).reviews ?? []) patch(r);
    return json;
  });
  return t;
}

describe('Google Play records, one at a time', () => {
  it('sets aside a review without starRating and delivers the others of its page', async () => {
    let broken = '';
    const t = await withRewrite((r) => {
      if (r.reviewId === broken) delete r.comments[0]!.userComment!.starRating;
    });
    const ids = [1, 2, 3].map((i) => t.emu.addReview(pkg, { text: `review ${i}`, starRating: i }));
    broken = ids[1]!;
    const setAside: SetAside[] = [];
    const reviews = (await collect(reviewPages(t.connector, app, { onSetAside: (s) => setAside.push(...s) }))).flat();
    expect(reviews.map((r) => r.reviewId).sort()).toEqual([ids[0], ids[2]].sort());
    expect(setAside).toEqual([
      {
        id: broken,
        reason: `record ${broken}: field "comments[0].userComment.starRating" Invalid input: expected number, received undefined`,
      },
    ]);
  });

  it('takes a review whose user comment has nothing but a star rating (all else is optional)', async () => {
    const t = await withRewrite((r) => {
      delete r.authorName;
      r.comments = [{ userComment: { starRating: r.comments[0]!.userComment!.starRating } }];
    });
    t.emu.addReview(pkg, { text: 'gone', starRating: 2, reviewerLanguage: 'en', appVersionName: '1.0' });
    const setAside: SetAside[] = [];
    const [review] = (await collect(reviewPages(t.connector, app, { onSetAside: (s) => setAside.push(...s) }))).flat();
    expect(setAside).toEqual([]);
    expect(review).toMatchObject({
      rating: 2,
      text: '',
      author: undefined,
      language: undefined,
      updatedAt: undefined,
      createdAt: new Date(t.clock.now).toISOString(),
    });
  });

  it('sets aside a review with no user comment, or no id, or a time that is no date', async () => {
    let n = 0;
    const t = await withRewrite((r) => {
      n++;
      if (n % 4 === 1) r.comments = [];
      if (n % 4 === 2) delete r.reviewId;
      if (n % 4 === 3) r.comments[0]!.userComment!.lastModified = { seconds: '99999999999999999999' };
    });
    for (let i = 0; i < 4; i++) t.emu.addReview(pkg, { text: `r${i}`, starRating: 5 });
    const setAside: SetAside[] = [];
    const reviews = (await collect(reviewPages(t.connector, app, { onSetAside: (s) => setAside.push(...s) }))).flat();
    expect(reviews).toHaveLength(1);
    expect(setAside.map((s) => s.reason)).toEqual([
      expect.stringMatching(/^record \S+: has no userComment \(no star rating\)$/),
      'record [1] (no readable id): field "reviewId" Invalid input: expected string, received undefined',
      expect.stringMatching(
        /^record \S+: field "userComment.lastModified" is not a valid time \(seconds 99999999999999999999\)$/,
      ),
    ]);
  });

  it('an empty originalText (the API leaves it blank when nothing was translated) is no translation', async () => {
    const t = await startGooglePlay();
    t.emu.addReview(pkg, { text: 'Great app', starRating: 5, reviewerLanguage: 'en' });
    t.emu.addReview(pkg, { text: 'Отличное приложение', starRating: 4, reviewerLanguage: 'ru' });
    const reviews = (await collect(reviewPages(t.connector, { ...app, translationLanguage: 'en' }))).flat();
    const en = reviews.find((r) => r.language === 'en')!;
    const ru = reviews.find((r) => r.language === 'ru')!;
    expect(t.emu.server.requests.some((r) => r.path === listPath && r.query.includes('translationLanguage=en'))).toBe(
      true,
    );
    expect(en).toMatchObject({ text: 'Great app', translation: undefined });
    expect(ru).toMatchObject({
      text: 'Отличное приложение',
      translation: { language: 'en', text: '[en] Отличное приложение' },
    });
  });

  it('reading back a reply whose time is no date is a typed bad-payload error', async () => {
    const t = await startGooglePlay();
    const id = t.emu.addReview(pkg, { text: 'ok', starRating: 5 });
    await t.connector.publishReply(app, id, 'Thanks!');
    t.emu.server.rewriteJson((path, json) => {
      if (!path.startsWith(`${listPath}/`)) return json;
      for (const c of (json as { comments: { developerComment?: { lastModified: { seconds: string } } }[] }).comments)
        if (c.developerComment) c.developerComment.lastModified.seconds = '99999999999999999999';
      return json;
    });
    await expect(t.connector.replyStatus(app, id)).rejects.toMatchObject({
      name: 'RemoteError',
      kind: 'bad-payload',
      message: expect.stringContaining('developerComment.lastModified') as unknown,
    });
  });
});
