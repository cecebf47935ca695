import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { googlePlaySchema } from '../../../src/config/schema.js';
import type { Review } from '../../../src/domain/review.js';
import { matchPublicToApi as matchAppStore } from '../../../src/connectors/stores/app-store-public/index.js';
import {
  createGooglePlayPublicSource,
  matchPublicToApi as matchGooglePlay,
} from '../../../src/connectors/stores/google-play-public/index.js';
import { captureLogger, fakeClock } from './helpers.js';
import { reviewPages } from '../../helpers/pages.js';

const feedReview: Review = {
  store: 'app-store',
  appId: '1000000001',
  reviewId: '14548543799',
  rating: 1,
  title: 'Не грузится',
  text: 'После обновления  вылетает\nпри запуске 😡',
  author: 'Иван',
  createdAt: '2026-09-14T11:24:23.000Z',
  updatedAt: '2026-09-14T11:24:23.000Z',
  territory: 'RUS',
  origin: 'public',
};

function apiReview(over: Partial<Review>): Review {
  return {
    store: 'app-store',
    appId: '1000000001',
    reviewId: '00000028-b08c-0014-729e-fbd500000000',
    rating: 1,
    title: 'Не грузится',
    text: 'После обновления вылетает при запуске 😡',
    author: 'Иван',
    createdAt: '2026-09-14T04:24:23-07:00',
    territory: 'RUS',
    origin: 'api',
    ...over,
  };
}

describe('matchPublicToApi (App Store)', () => {
  it('pairs by nickname, rating, title, text (whitespace-insensitive) and date', () => {
    const twin = apiReview({});
    const other = apiReview({ reviewId: 'b', text: 'Другой отзыв' });
    expect(matchAppStore(feedReview, [other, twin])).toBe(twin);
  });

  it('rejects a candidate that differs in rating, author, territory, title or date', () => {
    expect(matchAppStore(feedReview, [apiReview({ rating: 2 })])).toBeUndefined();
    expect(matchAppStore(feedReview, [apiReview({ author: 'Пётр' })])).toBeUndefined();
    expect(matchAppStore(feedReview, [apiReview({ territory: 'USA' })])).toBeUndefined();
    expect(matchAppStore(feedReview, [apiReview({ title: 'Другое' })])).toBeUndefined();
    expect(matchAppStore(feedReview, [apiReview({ createdAt: '2026-08-01T00:00:00Z' })])).toBeUndefined();
    expect(matchAppStore(feedReview, [apiReview({ appId: '42' })])).toBeUndefined();
  });

  it('takes the closest date, and refuses to guess between equally close twins', () => {
    const near = apiReview({ reviewId: 'near', createdAt: '2026-09-14T12:00:00Z' });
    const far = apiReview({ reviewId: 'far', createdAt: '2026-09-16T12:00:00Z' });
    expect(matchAppStore(feedReview, [far, near])).toBe(near);
    const a = apiReview({ reviewId: 'a', createdAt: '2026-09-14T12:24:23Z' });
    const b = apiReview({ reviewId: 'b', createdAt: '2026-09-14T10:24:23Z' });
    expect(matchAppStore(feedReview, [a, b])).toBeUndefined();
  });

  it('an identical id wins outright; an edited review (same content on both sides) still pairs', () => {
    const same = apiReview({ reviewId: feedReview.reviewId, text: 'anything' });
    expect(matchAppStore(feedReview, [apiReview({}), same])).toBe(same);
    const edited = {
      ...feedReview,
      rating: 5,
      text: 'Исправили, спасибо',
      updatedAt: '2026-09-20T00:00:00Z',
      createdAt: '2026-09-20T00:00:00Z',
    };
    const apiEdited = apiReview({ rating: 5, text: 'Исправили, спасибо', createdAt: '2026-09-19T22:00:00Z' });
    expect(matchAppStore(edited, [apiReview({}), apiEdited])).toBe(apiEdited);
  });
});

describe('matchPublicToApi (Google Play)', () => {
  const scraped: Review = {
    store: 'google-play',
    appId: 'com.example.app',
    reviewId: 'gp:AOqpTOHfixture1',
    rating: 4,
    text: 'Хорошее приложение 🐢',
    author: 'Мария',
    createdAt: '2025-09-15T09:53:20.413Z',
    updatedAt: '2025-09-15T09:53:20.413Z',
    language: 'ru',
    origin: 'public',
  };
  const api = (over: Partial<Review>): Review => ({
    ...scraped,
    reviewId: 'gp:OTHER',
    origin: 'api',
    updatedAt: undefined,
    ...over,
  });

  it('pairs by the shared id first', () => {
    const twin = api({ reviewId: scraped.reviewId, text: 'whatever' });
    expect(matchGooglePlay(scraped, [api({}), twin])).toBe(twin);
  });

  it('falls back to author, rating, text (the API may prefix an old title and a tab) and date', () => {
    const twin = api({ text: 'Заголовок\tХорошее приложение 🐢', createdAt: '2025-09-15T11:00:00Z' });
    expect(matchGooglePlay(scraped, [api({ rating: 3 }), twin])).toBe(twin);
    expect(matchGooglePlay(scraped, [api({ author: 'Кто-то' })])).toBeUndefined();
    expect(matchGooglePlay(scraped, [api({ createdAt: '2025-08-01T00:00:00Z' })])).toBeUndefined();
  });
});

describe('Google Play batchexecute fixture through the real scraper', () => {
  it('maps both id styles, the reply and a missing version', async () => {
    const body = readFileSync(
      join(import.meta.dirname, '../../../fixtures/public/google-play/batchexecute-reviews.txt'),
      'utf8',
    );
    const empty = ")]}'\n\n" + JSON.stringify([['wrb.fr', 'UsvDTd', null, null, null, null, 'generic']]);
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(calls++ === 0 ? body : empty);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const cfg = googlePlaySchema.parse({
        publicBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        publicCountry: 'ru',
      });
      const clock = fakeClock();
      const source = createGooglePlayPublicSource(cfg, {
        logger: captureLogger().logger,
        now: clock.now,
        wait: clock.wait,
      });
      const all: Review[] = [];
      for await (const page of reviewPages(source, {
        store: 'google-play',
        appId: 'com.example.app',
        languages: ['ru'],
      }))
        all.push(...page);
      expect(calls).toBe(2); // the fixture's token was followed once
      expect(all).toHaveLength(2);
      expect(all[0]).toMatchObject({
        reviewId: 'gp:AOqpTOHfixture0000000000000000000000000000000000000000000000000001',
        author: 'Мария',
        rating: 4,
        text: 'Хорошее приложение, но после обновления тормозит 🐢',
        createdAt: '2025-09-15T09:53:20.413Z',
        thumbsUp: 12,
        appVersion: '5.2.1',
        developerAnswer: {
          text: 'Спасибо! Исправим в 5.2.2',
          state: 'PUBLISHED',
          updatedAt: '2025-09-15T12:40:00.000Z',
        },
      });
      expect(all[1]).toMatchObject({
        reviewId: '6f1c2a9e-7d3b-4b8e-9a55-2c1d0e4f8a77',
        author: '田中',
        text: '最高です！',
        appVersion: undefined,
      });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
