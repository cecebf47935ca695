/** The rating-change note's wording (en, ru plurals) and the label it brings. */
import { describe, expect, it } from 'vitest';
import { ratingLabel, ratingNote, ratingNoteMarker } from '../../../src/engine/reply-effects.js';

describe('rating-change note', () => {
  it('English: days, less than a day, the rating before the answer when it differs', () => {
    expect(ratingNote('en', { from: 2, to: 5, days: 9, before: 2 })).toBe(
      'asodesk-omni: rating 2 → 5, 9 days after the answer.',
    );
    expect(ratingNote(undefined, { from: 2, to: 5, days: 1, before: 2 })).toBe(
      'asodesk-omni: rating 2 → 5, 1 day after the answer.',
    );
    expect(ratingNote('en', { from: 5, to: 4, days: 0, before: 1 })).toBe(
      'asodesk-omni: rating 5 → 4, less than a day after the answer (before the answer: 1).',
    );
  });

  it('Russian plurals of "day"', () => {
    const days = (n: number): string => ratingNote('ru', { from: 1, to: 5, days: n, before: 1 });
    expect(days(0)).toBe('asodesk-omni: оценка 1 → 5 меньше чем через день после ответа.');
    for (const [n, word] of [
      [1, '1 день'],
      [2, '2 дня'],
      [4, '4 дня'],
      [5, '5 дней'],
      [11, '11 дней'],
      [12, '12 дней'],
      [14, '14 дней'],
      [21, '21 день'],
      [22, '22 дня'],
      [25, '25 дней'],
      [111, '111 дней'],
      [112, '112 дней'],
      [122, '122 дня'],
    ] as const)
      expect(days(n)).toBe(`asodesk-omni: оценка 1 → 5 через ${word} после ответа.`);
    expect(ratingNote('ru', { from: 5, to: 2, days: 3, before: 1 })).toContain('(до ответа: 1).');
  });

  it('label by the rating before the first answer; the marker names review and version', () => {
    expect(ratingLabel(2, 5)).toBe('rating-up-after-reply');
    expect(ratingLabel(4, 1)).toBe('rating-down-after-reply');
    expect(ratingLabel(3, 3)).toBeNull();
    expect(ratingNoteMarker('google-play:com.acme:gp1', 3)).toBe('[ref rating/google-play:com.acme:gp1/v3]');
  });
});
