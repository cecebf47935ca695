import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { World } from '../../../src/emulators/world.js';
import { tempDir } from '../../helpers/temp.js';
import { apiRequests, syncOnce, testWorld } from '../../helpers/world.js';

let world: World;
let dir: string;

describe('sync against the four emulators', () => {
  dir = '';
  beforeEach(async () => {
    dir = tempDir();
    world = await testWorld({ dir, playPageSize: 2 });
  });
  afterEach(async () => {
    await world.stop();
  });

  function seed(): void {
    world.appStore.addReview('1000000001', {
      rating: 1,
      title: 'Вылетает',
      body: 'Приложение вылетает при запуске',
      reviewerNickname: 'ivan_p',
      territory: 'RUS',
    });
    world.appStore.addReview('1000000001', {
      rating: 5,
      title: '最高',
      body: 'このアプリはとても使いやすいです',
      reviewerNickname: 'yuki',
      territory: 'JPN',
    });
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Li Wei',
      text: '\t这个应用程序非常好用 👍',
      starRating: 5,
      reviewerLanguage: 'zh',
    });
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Ann',
      text: 'Crashes\tIt crashes every time I open the camera',
      starRating: 2,
      reviewerLanguage: 'en',
      appVersionName: '3.1.0',
    });
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Bob',
      text: 'ok',
      starRating: 4,
      reviewerLanguage: 'en',
    });
    world.rustore.addComment('ru.acme.reviews', {
      userName: 'Мария',
      appRating: 3,
      commentText: 'Нормально, но долго грузится',
    });
  }

  it('creates one case per review with the review key, labels and details', async () => {
    seed();
    const report = await syncOnce(world);
    expect(report.outcome).toBe('ok');
    const cases = world.omnidesk.cases();
    expect(cases).toHaveLength(6);
    for (const c of cases) {
      expect(c.channel).toBe('cch1');
      expect(c.customFields['cf_1']).toBe(c.userCustomId);
      expect(c.userCustomId).toMatch(/^(app-store|google-play|rustore):/);
    }
    const crash = cases.find((c) => c.subject.includes('Crashes'))!;
    const titles = world.omnidesk
      .labels()
      .filter((l) => crash.labels.includes(l.labelId))
      .map((l) => l.title);
    expect(titles).toEqual(expect.arrayContaining(['Google Play', 'Acme Android', '2★', 'en', 'v3.1.0']));
    const first = world.omnidesk.messages(crash.caseId)[0]!;
    expect(first.content).toContain('It crashes every time I open the camera');
    expect(report.apps.map((a) => [a.app, a.created])).toEqual([
      ['ios', 2],
      ['android', 3],
      ['rustore', 1],
    ]);
  });

  it('a second sync with nothing new: no Omnidesk write, one store request per app', async () => {
    seed();
    await syncOnce(world);
    for (const e of [world.appStore, world.googlePlay, world.rustore, world.omnidesk]) e.server.requests.length = 0;
    const report = await syncOnce(world);
    expect(report.apps.every((a) => a.created === 0 && a.updated === 0 && a.new === 0)).toBe(true);
    expect(apiRequests(world)).toEqual({ appStore: 1, googlePlay: 1, rustore: 1, omnideskWrites: 0 });
  });

  it('edits in each store update the same case, never a new one', async () => {
    seed();
    await syncOnce(world);
    const before = world.omnidesk.cases().length;
    const ivan = world.appStore.reviews('1000000001').find((r) => r.reviewerNickname === 'ivan_p')!;
    const yuki = world.appStore.reviews('1000000001').find((r) => r.reviewerNickname === 'yuki')!;
    world.appStore.editReview(ivan.id, { rating: 4, body: 'Исправили, спасибо' });
    world.appStore.editReview(yuki.id, { rating: 3, body: '普通です' }, { newId: true });
    const gp = world.googlePlay.reviews('com.acme.reviews').find((r) => r.authorName === 'Ann')!;
    world.googlePlay.editReview(gp.reviewId, { text: 'Crashes\tStill crashes on 3.2', starRating: 1 });
    const ru = world.rustore.comments('ru.acme.reviews')[0]!;
    world.rustore.editComment(ru.commentId, { appRating: 5, commentText: 'Теперь быстро!' });

    const report = await syncOnce(world, { full: true });
    expect(world.omnidesk.cases()).toHaveLength(before);
    expect(report.apps.map((a) => [a.app, a.edited, a.updated, a.created])).toEqual([
      ['ios', 2, 2, 0],
      ['android', 1, 1, 0],
      ['rustore', 1, 1, 0],
    ]);
    const messageOf = (key: string): string => {
      const c = world.omnidesk.cases().find((x) => x.userCustomId?.endsWith(key))!;
      return world.omnidesk.messages(c.caseId).at(-1)!.content;
    };
    expect(messageOf(ivan.id)).toContain('★☆☆☆☆ → ★★★★☆');
    // Re-created under a new id: found by the old case (whose key is the old id).
    expect(messageOf(yuki.id)).toContain('★★★★★ → ★★★☆☆');
    expect(messageOf(yuki.id)).toContain('普通です');
    expect(messageOf(gp.reviewId)).toContain('Still crashes on 3.2');
    expect(messageOf(`:${ru.commentId}`)).toContain('Теперь быстро!');
  });

  it('filters combine, and CJK length is counted by words', async () => {
    world.config.apps = [
      {
        id: 'android',
        store: 'google-play',
        appId: 'com.acme.reviews',
        filters: { backlog: 100, ratings: [1, 2, 5], languages: ['zh', 'en'], length: 'over-3-words' },
      },
    ];
    seed();
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Olga',
      text: 'Очень плохое приложение совсем',
      starRating: 1,
      reviewerLanguage: 'ru',
    });
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Wang',
      text: '太差',
      starRating: 1,
      reviewerLanguage: 'zh',
    });
    const report = await syncOnce(world);
    // Li Wei (zh, 5★, CJK words > 3) and Ann (en, 2★) pass; Bob (4★, "ok"), Olga (ru), Wang (2 words) do not.
    const subjects = world.omnidesk.cases().map((c) => c.subject);
    expect(subjects).toHaveLength(2);
    expect(subjects).toEqual(
      expect.arrayContaining([expect.stringContaining('Crashes'), expect.stringContaining('这个应用程序非常好用')]),
    );
    expect(report.apps[0]!.dropped).toEqual({ rating: 1, language: 1, length: 1 });
  });

  it('backlog: the first sync imports only the newest N unanswered reviews', async () => {
    world.config.apps = [{ id: 'rustore', store: 'rustore', appId: 'ru.acme.reviews', filters: { backlog: 2 } }];
    for (let i = 0; i < 6; i++)
      world.rustore.addComment('ru.acme.reviews', {
        userName: `u${i}`,
        commentText: `отзыв номер ${i}`,
        at: Date.now() - (10 - i) * 60_000,
      });
    const report = await syncOnce(world);
    expect(report.apps[0]).toMatchObject({ created: 2, backlogSkipped: 4 });
    expect(
      world.omnidesk
        .cases()
        .map((c) => world.omnidesk.messages(c.caseId)[0]!.content)
        .join(' '),
    ).toMatch(/отзыв номер 5[\s\S]*|отзыв номер 4/);
    world.rustore.addComment('ru.acme.reviews', { userName: 'new', commentText: 'свежий отзыв' });
    const next = await syncOnce(world);
    expect(next.apps[0]).toMatchObject({ created: 1, new: 1 });
  });

  it('the history of a review reaches the case when an edit makes it pass the filters', async () => {
    world.config.apps = [
      {
        id: 'android',
        store: 'google-play',
        appId: 'com.acme.reviews',
        filters: { backlog: 0, reviewType: 'became-worse' },
      },
    ];
    await syncOnce(world);
    const id = world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Kim',
      text: 'Great app',
      starRating: 5,
      reviewerLanguage: 'en',
    });
    await syncOnce(world);
    expect(world.omnidesk.cases()).toHaveLength(0);
    world.googlePlay.editReview(id, { text: 'Broken after update', starRating: 2 });
    await syncOnce(world);
    const [c] = world.omnidesk.cases();
    const body = world.omnidesk.messages(c!.caseId)[0]!.content;
    expect(body).toContain('Broken after update');
    expect(body).toMatch(/Version 1 .*★★★★★.*Great app/);
    const titles = world.omnidesk
      .labels()
      .filter((l) => c!.labels.includes(l.labelId))
      .map((l) => l.title);
    expect(titles).toEqual(expect.arrayContaining(['edited', 'rating-down']));
  });

  it('an edit whose labels do not change costs one message: 2 write units, no PUT', async () => {
    world.config.apps = [{ id: 'android', store: 'google-play', appId: 'com.acme.reviews', filters: { backlog: 0 } }];
    await syncOnce(world);
    const id = world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Kim',
      text: 'Slow\tSlow to start',
      starRating: 3,
      reviewerLanguage: 'en',
      appVersionName: '3.1.0',
    });
    await syncOnce(world);
    const [c] = world.omnidesk.cases();
    const omniWrites = (): string[] =>
      world.omnidesk.server
        .serviceRequests()
        .filter((r) => r.method !== 'GET')
        .map((r) => `${r.method} ${r.path}`);
    // The first edit adds "edited" (a new label): its labels change, so the PUT goes.
    world.googlePlay.editReview(id, { text: 'Slow\tStill slow to start', starRating: 3 });
    world.omnidesk.server.requests.length = 0;
    await syncOnce(world);
    expect(omniWrites()).toEqual([
      `POST /api/cases/${c!.caseId}/messages.json`,
      'POST /api/labels.json',
      `PUT /api/cases/${c!.caseId}.json`,
    ]);
    // An agent closes the case; a second text-only edit changes no label: the message alone reopens it.
    world.omnidesk.cases()[0]!.status = 'closed';
    world.googlePlay.editReview(id, { text: 'Slow\tSlower than ever', starRating: 3 });
    world.omnidesk.server.requests.length = 0;
    const report = await syncOnce(world);
    expect(report.apps[0]).toMatchObject({ edited: 1, updated: 1 });
    expect(omniWrites()).toEqual([`POST /api/cases/${c!.caseId}/messages.json`]);
    const units = world.omnidesk.server
      .serviceRequests()
      .filter((r) => r.path.startsWith('/api/') && r.status < 400)
      .reduce((n, r) => n + (r.method === 'GET' ? 1 : 2), 0);
    expect(units).toBe(3); // the message (2) and the read that guards against posting it twice (1)
    expect(world.omnidesk.cases()[0]!.status).toBe('open');
    // A rating change makes labels stale: the PUT goes again.
    world.googlePlay.editReview(id, { text: 'Slow\tSlower than ever', starRating: 1 });
    world.omnidesk.server.requests.length = 0;
    await syncOnce(world);
    expect(omniWrites()).toContain(`PUT /api/cases/${c!.caseId}.json`);
  });

  it('Omnidesk failing for one run: nothing lost, delivered on the next, no duplicates', async () => {
    seed();
    world.omnidesk.server.setFaults({ rate: 1, kinds: ['503'], pathPrefix: '/api/cases' });
    const down = await syncOnce(world);
    expect(down.outcome).not.toBe('ok');
    world.omnidesk.server.clearFaults();
    await syncOnce(world);
    expect(world.omnidesk.cases()).toHaveLength(6);
    expect(new Set(world.omnidesk.cases().map((c) => c.userCustomId)).size).toBe(6);
  });

  it('tags can be switched off per app', async () => {
    world.config.apps = [{ id: 'rustore', store: 'rustore', appId: 'ru.acme.reviews', tags: false }];
    seed();
    await syncOnce(world);
    expect(world.omnidesk.cases()[0]!.labels).toEqual([]);
  });
});
