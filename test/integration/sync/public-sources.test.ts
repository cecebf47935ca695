import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { World } from '../../../src/emulators/world.js';
import { tempDir } from '../../helpers/temp.js';
import { syncOnce, testWorld } from '../../helpers/world.js';

let world: World;

/** Reviews flow without store credentials; adding them later creates no duplicate case. */
describe('apps without store credentials read the public sources', () => {
  beforeEach(async () => {
    world = await testWorld({ dir: tempDir(), withoutCredentials: ['app-store', 'google-play', 'rustore'] });
  });
  afterEach(async () => {
    await world.stop();
  });

  function caseBodies(): string[] {
    return world.omnidesk.cases().map((c) => world.omnidesk.messages(c.caseId)[0]!.content);
  }

  it('each store: cases say replies need credentials; with credentials added, the same cases continue', async () => {
    const created = '2026-11-20T10:00:00-08:00';
    world.appStorePublic.addReview(
      '1000000001',
      { author: 'Kate', rating: 2, title: 'Slow', text: 'Takes ages to load', updated: created },
      { country: 'us' },
    );
    const gpId = world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Sam',
      text: 'Love the new design',
      starRating: 5,
      reviewerLanguage: 'en',
    });
    world.googlePlayPublic.addReview(
      'com.acme.reviews',
      {
        id: gpId,
        userName: 'Sam',
        score: 5,
        text: 'Love the new design',
        dateMs: world.googlePlay.reviews('com.acme.reviews')[0]!.lastModified,
      },
      { lang: 'en' },
    );
    const ruId = world.rustore.addComment('ru.acme.reviews', {
      userName: 'Пётр',
      appRating: 1,
      commentText: 'Не открывается',
    });
    world.rustorePublic.addReview('ru.acme.reviews', {
      commentId: ruId,
      firstName: 'Пётр',
      appRating: 1,
      commentText: 'Не открывается',
    });

    const first = await syncOnce(world);
    expect(first.apps.map((a) => [a.app, a.source, a.credentialsMissing, a.created])).toEqual([
      ['ios', 'public', true, 1],
      ['android', 'public', true, 1],
      ['rustore', 'public', true, 1],
    ]);
    expect(caseBodies().every((b) => /cannot be published yet.*asodesk-omni init/s.test(b))).toBe(true);

    // The team adds the console credentials; the API now serves the same reviews (Apple: other ids).
    const fresh = await testWorld({ dir: tempDir() });
    world.config.stores = {
      ...world.config.stores,
      appStore: {
        ...world.config.stores!.appStore,
        ...pick(fresh.config.stores!.appStore!, 'issuerId', 'keyId', 'privateKeyPath', 'baseUrl'),
      },
    };
    await fresh.omnidesk.stop();
    world.config.stores.googlePlay = {
      ...world.config.stores.googlePlay,
      serviceAccountPath: copyKey(world, 'google'),
    };
    world.config.stores.rustore = {
      ...world.config.stores.rustore,
      keyId: '1000001',
      privateKeyPath: copyKey(world, 'rustore'),
    };
    fresh.appStore.addApp({ id: '1000000001', name: 'Acme iOS', bundleId: 'com.acme.ios' });
    fresh.appStore.addReview('1000000001', {
      rating: 2,
      title: 'Slow',
      body: 'Takes ages to load',
      reviewerNickname: 'Kate',
      territory: 'USA',
      createdDate: created,
    });

    const second = await syncOnce(world);
    await fresh.stop();
    expect(second.apps.map((a) => [a.app, a.source, a.credentialsMissing, a.created, a.updated])).toEqual([
      ['ios', 'api', false, 0, 0],
      ['android', 'api', false, 0, 0],
      ['rustore', 'api', false, 0, 0],
    ]);
    expect(second.outcome).toBe('ok');
    expect(world.omnidesk.cases()).toHaveLength(3);
  });
});

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

/** The world wrote every store's key file even where the config leaves it out. */
function copyKey(w: World, which: 'google' | 'rustore'): string {
  return `${w.dir}/${which === 'google' ? 'google-service-account.json' : 'rustore-private-key.txt'}`;
}
