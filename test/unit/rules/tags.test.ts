import { describe, expect, it } from 'vitest';
import { appSchema } from '../../../src/config/schema.js';
import type { Review } from '../../../src/domain/review.js';
import { compileRules, staleTags, tagsFor } from '../../../src/rules/tags.js';

const app = appSchema.parse({ id: 'shop', name: 'Shop', store: 'google-play', appId: 'com.shop.app' });
const review: Review = {
  store: 'google-play',
  appId: 'com.shop.app',
  reviewId: 'gp:1',
  rating: 2,
  text: 'Оплата не проходит, CRASH on start',
  language: 'ru',
  appVersion: '2.1.0',
  createdAt: '2026-11-01T00:00:00Z',
  origin: 'api',
};

describe('tags', () => {
  const rules = compileRules([
    { label: 'payments', match: ['оплата', 'payment'] },
    { label: 'crash', match: ['/crash(es|ed)?/'] },
    { label: 'login', match: ['登录'] },
    { label: 'art', match: ['art'] },
  ]);

  it('adds automatic and keyword tags, case-insensitive, any script', () => {
    expect(tagsFor(review, app, 'new', rules)).toEqual([
      'Google Play',
      'Shop',
      '2★',
      'ru',
      'v2.1.0',
      'payments',
      'crash',
    ]);
  });

  it('matches whole words, but CJK anywhere', () => {
    expect(tagsFor({ ...review, text: 'a smart start' }, app, 'new', rules)).not.toContain('art');
    expect(tagsFor({ ...review, text: '无法登录了' }, app, 'new', rules)).toContain('login');
  });

  it('marks edits', () => {
    expect(tagsFor(review, app, 'rating-up', rules)).toEqual(expect.arrayContaining(['edited', 'rating-up']));
    expect(tagsFor(review, app, 'rating-down', rules)).toEqual(expect.arrayContaining(['edited', 'rating-down']));
  });

  it('are off when the app says so', () => {
    expect(tagsFor(review, { ...app, tags: false }, 'new', rules)).toEqual([]);
  });

  it('drops stars and version labels of the previous version', () => {
    expect(staleTags(['Google Play', '2★', 'v1.0'], ['Google Play', '4★', 'v1.1', 'edited'])).toEqual(['2★', 'v1.0']);
  });
});
