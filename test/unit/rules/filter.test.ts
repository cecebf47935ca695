import { describe, expect, it } from 'vitest';
import { filtersSchema } from '../../../src/config/schema.js';
import type { Review } from '../../../src/domain/review.js';
import { classifyChange, countWords, evaluate } from '../../../src/rules/filter.js';

const base: Review = {
  store: 'google-play',
  appId: 'com.x.y',
  reviewId: 'r1',
  rating: 3,
  text: 'works fine for me',
  createdAt: '2026-11-01T00:00:00Z',
  origin: 'api',
};
const filters = (f: object) => filtersSchema.parse(f);

describe('countWords', () => {
  it('counts words in scripts without spaces', () => {
    expect(countWords('This app is great')).toBe(4);
    expect(countWords('Приложение отлично работает')).toBe(3);
    // Chinese and Japanese have no spaces: a space split would see one word.
    expect('这个应用程序非常好用'.split(/\s+/).length).toBe(1);
    expect(countWords('这个应用程序非常好用')).toBeGreaterThan(3);
    expect(countWords('このアプリはとても使いやすいです')).toBeGreaterThan(3);
    expect(countWords('좋아요')).toBe(1);
    expect(countWords('แอปนี้ใช้งานง่ายมาก')).toBeGreaterThan(3);
    expect(countWords('👍👍')).toBe(0);
  });
});

describe('classifyChange', () => {
  it('tells new, up, down and text-only', () => {
    expect(classifyChange(undefined, { rating: 3 })).toBe('new');
    expect(classifyChange({ rating: 2 }, { rating: 4 })).toBe('rating-up');
    expect(classifyChange({ rating: 4 }, { rating: 1 })).toBe('rating-down');
    expect(classifyChange({ rating: 4 }, { rating: 4 })).toBe('text-only');
  });
});

describe('evaluate', () => {
  it('review type', () => {
    expect(evaluate(base, 'new', filters({ reviewType: 'all' })).keep).toBe(true);
    expect(evaluate(base, 'new', filters({ reviewType: 'updated' }))).toMatchObject({
      keep: false,
      reason: 'review-type',
    });
    expect(evaluate(base, 'text-only', filters({ reviewType: 'updated' })).keep).toBe(true);
    expect(evaluate(base, 'rating-up', filters({ reviewType: 'became-better' })).keep).toBe(true);
    expect(evaluate(base, 'rating-down', filters({ reviewType: 'became-better' })).keep).toBe(false);
    expect(evaluate(base, 'rating-down', filters({ reviewType: 'became-worse' })).keep).toBe(true);
    expect(evaluate(base, 'text-only', filters({ reviewType: 'became-worse' })).keep).toBe(false);
  });

  it('ratings', () => {
    expect(evaluate(base, 'new', filters({ ratings: [1, 2] }))).toMatchObject({ keep: false, reason: 'rating' });
    expect(evaluate({ ...base, rating: 2 }, 'new', filters({ ratings: [1, 2] })).keep).toBe(true);
  });

  it('countries apply to App Store, languages to Google Play', () => {
    const ios: Review = { ...base, store: 'app-store', appId: '1', territory: 'USA' };
    expect(evaluate(ios, 'new', filters({ countries: ['RUS'] }))).toMatchObject({ keep: false, reason: 'country' });
    expect(evaluate(ios, 'new', filters({ countries: ['usa'] })).keep).toBe(true);
    expect(evaluate({ ...base, language: 'pt_BR' }, 'new', filters({ languages: ['pt'] })).keep).toBe(true);
    expect(evaluate({ ...base, language: 'en' }, 'new', filters({ languages: ['ru'] }))).toMatchObject({
      keep: false,
      reason: 'language',
    });
    // A language filter means nothing to an App Store review.
    expect(evaluate(ios, 'new', filters({ languages: ['ru'] })).keep).toBe(true);
  });

  it('length counts CJK words correctly', () => {
    const short = filters({ length: 'under-3-words' });
    const long = filters({ length: 'over-3-words' });
    expect(evaluate({ ...base, text: 'bad' }, 'new', short).keep).toBe(true);
    expect(evaluate({ ...base, text: 'bad app really' }, 'new', short).keep).toBe(false);
    expect(evaluate({ ...base, text: '这个应用程序非常好用' }, 'new', long).keep).toBe(true);
    expect(evaluate({ ...base, text: '这个应用程序非常好用' }, 'new', short).keep).toBe(false);
    expect(evaluate({ ...base, text: '最高' }, 'new', short).keep).toBe(true);
  });

  it('combines filters: every one must pass', () => {
    const f = filters({ reviewType: 'became-worse', ratings: [1, 2], languages: ['ru'], length: 'over-3-words' });
    const r: Review = { ...base, rating: 1, language: 'ru', text: 'Стало хуже после обновления, вылетает' };
    expect(evaluate(r, 'rating-down', f).keep).toBe(true);
    expect(evaluate({ ...r, language: 'en' }, 'rating-down', f).keep).toBe(false);
    expect(evaluate({ ...r, text: 'плохо' }, 'rating-down', f).keep).toBe(false);
    expect(evaluate({ ...r, rating: 3 }, 'rating-down', f).keep).toBe(false);
    expect(evaluate(r, 'rating-up', f).keep).toBe(false);
  });
});
