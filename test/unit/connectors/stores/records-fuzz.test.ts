/**
 * Property: random mutations of valid review records never make a connector's page reader
 * throw, never lose the valid records of the page, and never drop a record silently (every
 * record is a review, set aside with a reason, or an older copy of a review id of the page).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapPage as mapAppStorePage } from '../../../../src/connectors/stores/app-store-connect/map.js';
import { mapEntries } from '../../../../src/connectors/stores/app-store-public/map.js';
import { feedSchema } from '../../../../src/connectors/stores/app-store-public/schema.js';
import { mapScrapedPage } from '../../../../src/connectors/stores/google-play-public/map.js';
import { mapPage as mapGooglePage } from '../../../../src/connectors/stores/google-play/map.js';
import type { Parsed } from '../../../../src/connectors/stores/parse-records.js';
import { mapComments as mapPublicComments } from '../../../../src/connectors/stores/rustore-public/map.js';
import { mapComments } from '../../../../src/connectors/stores/rustore/map.js';
import type { Review } from '../../../../src/domain/review.js';
import { damage, mutation, type Json } from '../../../helpers/mutate.js';
import { newestPerId } from '../../../../src/engine/paging.js';

interface StoreCase {
  name: string;
  /** A valid record with this id and rating. */
  valid(id: number, rating: number, text: string): Json;
  read(items: unknown[]): Parsed<Review>;
  /** The review id a valid record of this id maps to. */
  reviewId(id: number): string;
}

const cases: StoreCase[] = [
  {
    name: 'App Store Connect',
    valid: (id, rating, text) => ({
      type: 'customerReviews',
      id: `r${id}`,
      attributes: {
        rating,
        title: 't',
        body: text,
        reviewerNickname: 'n',
        createdDate: '2026-01-02T03:04:05-08:00',
        territory: 'USA',
      },
    }),
    read: (items) => mapAppStorePage('1', { data: items }),
    reviewId: (id) => `r${id}`,
  },
  {
    name: 'Google Play',
    valid: (id, rating, text) => ({
      reviewId: `gp:${id}`,
      authorName: 'a',
      comments: [
        {
          userComment: {
            text: `\t${text}`,
            lastModified: { seconds: '1767000000', nanos: 5 },
            starRating: rating,
            reviewerLanguage: 'en',
            originalText: '',
          },
        },
      ],
    }),
    read: (items) => mapGooglePage('com.acme', items, 'en', '2026-01-01T00:00:00.000Z'),
    reviewId: (id) => `gp:${id}`,
  },
  {
    name: 'RuStore',
    valid: (id, rating, text) => ({
      packageName: 'ru.acme',
      commentId: id,
      userName: 'u',
      appRating: rating,
      commentText: text,
      commentDate: '2026-01-02 03:04:05.123',
      updatedAtIso: '2026-01-02T03:04:05+03:00',
      edited: false,
      likeCounter: 0,
    }),
    read: (items) => mapComments('ru.acme', items),
    reviewId: (id) => String(id),
  },
  {
    name: 'App Store public feed',
    valid: (id, rating, text) => ({
      id: { label: String(id) },
      author: { name: { label: 'a' } },
      'im:rating': { label: String(rating) },
      content: { label: text },
      updated: { label: '2026-01-02T03:04:05-07:00' },
    }),
    read: (items) => mapEntries(feedSchema.parse({ feed: { entry: items } }), { appId: '1', country: 'us' }),
    reviewId: (id) => String(id),
  },
  {
    name: 'Google Play public pages',
    valid: (id, rating, text) => ({
      id: `gp:${id}`,
      userName: 'u',
      date: '2026-01-02T03:04:05.000Z',
      score: rating,
      text,
      thumbsUp: 1,
    }),
    read: (items) => mapScrapedPage(items, { appId: 'com.acme', language: 'en' }),
    reviewId: (id) => `gp:${id}`,
  },
  {
    name: 'RuStore public pages',
    valid: (id, rating, text) => ({
      commentId: id,
      firstName: 'f',
      appRating: rating,
      commentText: text,
      commentDate: '2026-01-02T03:04:05+03:00',
      devResponse: 'ok',
    }),
    read: (items) => mapPublicComments(items, 'ru.acme'),
    reviewId: (id) => String(id),
  },
];

const page = fc.array(
  fc.record({
    rating: fc.integer({ min: 1, max: 5 }),
    text: fc.string({ maxLength: 20 }),
    mutations: fc.option(fc.array(mutation, { minLength: 1, maxLength: 3 }), { freq: 2 }),
  }),
  { minLength: 1, maxLength: 12 },
);

describe.each(cases)('$name page reader under random mutations', (store) => {
  it('never throws, keeps every valid record, and accounts for every record', () => {
    fc.assert(
      fc.property(page, (specs) => {
        const valid: string[] = [];
        const items = specs.map((s, i) => {
          const record = store.valid(i + 1, s.rating, s.text);
          if (!s.mutations) {
            valid.push(store.reviewId(i + 1));
            return record;
          }
          return damage(record, s.mutations);
        });
        const result = store.read(items);
        const ids = new Set(result.ok.map((r) => r.reviewId));
        for (const id of valid) expect(ids.has(id)).toBe(true);
        // A page may list an id twice: the engine keeps one version per id (the newest wins).
        expect(
          newestPerId(result.ok)
            .map((r) => r.reviewId)
            .sort(),
        ).toEqual([...ids].sort());
        expect(result.ok.length + result.setAside.length).toBeLessThanOrEqual(items.length);
        for (const s of result.setAside)
          expect(s.reason).toMatch(/^record ([\w:.+=/-]+|"(?:[^"\\]|\\.)*"|\[\d+\] \(no readable id\)): ./);
        for (const r of result.ok) {
          expect(Number.isNaN(Date.parse(r.createdAt))).toBe(false);
          expect([1, 2, 3, 4, 5]).toContain(r.rating);
        }
      }),
      { numRuns: 300, seed: 20261202 },
    );
  });
});
