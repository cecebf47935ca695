/**
 * The report's figures on a seeded history (test/helpers/report-seed.ts), checked against
 * values worked out by hand for every grouping, the --since and --app filters, and the JSON
 * and CSV shapes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { renderReportCsv, renderReportTable } from '../../../src/commands/report/render.js';
import { parseSince } from '../../../src/commands/report/report.js';
import type { AppConfig } from '../../../src/config/schema.js';
import {
  buildReplyReport,
  isoWeek,
  median,
  type ReportInput,
  type ReportRow,
} from '../../../src/engine/reply-report.js';
import type { StateDb } from '../../../src/state/handle.js';
import { day, seedApps, seedReportHistory, t0 } from '../../helpers/report-seed.js';
import { backends } from '../../helpers/backends.js';

const apps = [seedApps.ios, seedApps.android] as unknown as AppConfig[];
let db: StateDb;

describe.each(backends)('state on %s', (_backend, open) => {
  beforeEach(async () => {
    db = await seedReportHistory(await open());
  });

  const report = (over: Partial<ReportInput> = {}) =>
    buildReplyReport(db, { apps, by: 'app', now: t0 + 120 * day, ...over });

  /** A row with every count zero and nothing measured, then the given figures. */
  function row(group: string, label: string, figures: Partial<ReportRow>): ReportRow {
    return {
      group,
      label,
      reviewsIn: 0,
      answered: 0,
      medianFirstAnswerSeconds: null,
      medianPublicationSeconds: null,
      published: 0,
      rejected: 0,
      tooLong: 0,
      withPublishedAnswer: 0,
      ratingChanged: 0,
      ratingUp: 0,
      ratingDown: 0,
      ratingChangedShare: null,
      meanRatingChange: null,
      ...figures,
    };
  }

  const h = 3600;
  // ios: R1 (answer 2 h, published 3 h, +3), R2 (4 h, 6 h, too long once, change outside 90 d), R6.
  const ios = {
    reviewsIn: 3,
    answered: 2,
    medianFirstAnswerSeconds: 3 * h,
    medianPublicationSeconds: 4.5 * h,
    published: 2,
    tooLong: 1,
    withPublishedAnswer: 2,
    ratingChanged: 1,
    ratingUp: 1,
    ratingChangedShare: 0.5,
    meanRatingChange: 3,
  };
  // android: R3 (1 h, rejected), R4 (automatic: 1 h, published 2 h, −2), R5.
  const android = {
    reviewsIn: 3,
    answered: 2,
    medianFirstAnswerSeconds: h,
    medianPublicationSeconds: 2 * h,
    published: 1,
    rejected: 1,
    withPublishedAnswer: 1,
    ratingChanged: 1,
    ratingDown: 1,
    ratingChangedShare: 1,
    meanRatingChange: -2,
  };
  // First answers 1, 1, 2, 4 h → 1.5 h; publications 2, 3, 6 h → 3 h; changes +3 and −2.
  const total = row('total', 'total', {
    reviewsIn: 6,
    answered: 4,
    medianFirstAnswerSeconds: 1.5 * h,
    medianPublicationSeconds: 3 * h,
    published: 3,
    rejected: 1,
    tooLong: 1,
    withPublishedAnswer: 3,
    ratingChanged: 2,
    ratingUp: 1,
    ratingDown: 1,
    ratingChangedShare: 2 / 3,
    meanRatingChange: 0.5,
  });

  describe('report figures on a seeded history', () => {
    it('--by app (the default)', async () => {
      const r = await report();
      expect(r.rows).toEqual([row('ios', 'Acme iOS', ios), row('android', 'Acme Android', android)]);
      expect(r.total).toEqual(total);
      expect(r).toMatchObject({ by: 'app', since: null, apps: null });
    });

    it('--by store', async () => {
      const r = await report({ by: 'store' });
      expect(r.rows).toEqual([row('app-store', 'app-store', ios), row('google-play', 'google-play', android)]);
      expect(r.total).toEqual(total);
    });

    it('--by agent: named from the staff list, an unknown id shown as such, automatic and unanswered apart', async () => {
      const r = await report({ by: 'agent', staffNames: new Map([[1, 'Anna Admin']]) });
      expect(r.rows).toEqual([
        // R1 and R3 (first replies 2 h and 1 h); its replies: one published, one rejected.
        row('1', 'Anna Admin', {
          reviewsIn: 2,
          answered: 2,
          medianFirstAnswerSeconds: 1.5 * h,
          medianPublicationSeconds: 3 * h,
          published: 1,
          rejected: 1,
          withPublishedAnswer: 1,
          ratingChanged: 1,
          ratingUp: 1,
          ratingChangedShare: 1,
          meanRatingChange: 3,
        }),
        // R2: its first reply was too long, the second published.
        row('7', 'staff 7', {
          reviewsIn: 1,
          answered: 1,
          medianFirstAnswerSeconds: 4 * h,
          medianPublicationSeconds: 6 * h,
          published: 1,
          tooLong: 1,
          withPublishedAnswer: 1,
          ratingChangedShare: 0,
        }),
        row('auto', 'automatic reply', {
          reviewsIn: 1,
          answered: 1,
          medianFirstAnswerSeconds: h,
          medianPublicationSeconds: 2 * h,
          published: 1,
          withPublishedAnswer: 1,
          ratingChanged: 1,
          ratingDown: 1,
          ratingChangedShare: 1,
          meanRatingChange: -2,
        }),
        row('none', '(not answered)', { reviewsIn: 2 }),
      ]);
      expect(r.total).toEqual(total);
    });

    it('--by week (ISO weeks of the reviews’ arrival)', async () => {
      const r = await report({ by: 'week' });
      expect(r.rows).toEqual([
        row('2026-W05', '2026-W05', { reviewsIn: 1 }),
        row('2026-W10', '2026-W10', { ...ios, reviewsIn: 2 }),
        row('2026-W11', '2026-W11', android),
      ]);
    });

    it('--since leaves out earlier reviews; --app only the apps named', async () => {
      const since = await report({ sinceIso: parseSince('2026-03-01', t0) });
      expect(since.rows[0]).toEqual(row('ios', 'Acme iOS', { ...ios, reviewsIn: 2 }));
      expect(since.total.reviewsIn).toBe(5);
      expect(since.since).toBe('2026-03-01T00:00:00.000Z');
      const only = await report({ selected: [apps[1]!] });
      expect(only.rows).toEqual([row('android', 'Acme Android', android)]);
      expect(only.total).toEqual(row('total', 'total', android));
      expect(only.apps).toEqual(['android']);
    });

    it('no state file: every figure zero', async () => {
      const r = await buildReplyReport(undefined, { apps, by: 'app', now: t0 });
      expect(r.rows).toEqual([]);
      expect(r.total).toEqual(row('total', 'total', {}));
    });

    it('the table and the CSV', async () => {
      const r = await report({ by: 'agent', staffNames: new Map([[1, 'Anna, "the" Admin']]) });
      const text = renderReportTable(r);
      expect(text.split('\n')[0]).toContain('all time');
      expect(text).toMatch(/Anna, "the" Admin\s+2\s+2\s+1\.5 h\s+3\.0 h\s+1\s+1\s+0\s+1 \(100%\)\s+\+3\.0/);
      expect(text).toMatch(/\(not answered\)\s+2\s+0\s+—\s+—\s+0\s+0\s+0\s+0 \(—\)\s+—/);
      expect(text).toMatch(/total\s+6\s+4\s+1\.5 h\s+3\.0 h\s+3\s+1\s+1\s+2 \(67%\)\s+\+0\.5/);
      const csv = renderReportCsv(r).split('\n');
      expect(csv[0]).toBe(
        'group,label,reviewsIn,answered,medianFirstAnswerSeconds,medianPublicationSeconds,published,rejected,tooLong,withPublishedAnswer,ratingChanged,ratingUp,ratingDown,ratingChangedShare,meanRatingChange',
      );
      expect(csv[1]).toBe('1,"Anna, ""the"" Admin",2,2,5400,10800,1,1,0,1,1,1,0,1,3');
      expect(csv[4]).toBe('none,(not answered),2,0,,,0,0,0,0,0,0,0,,');
      expect(csv[5]).toBe('total,total,6,4,5400,10800,3,1,1,3,2,1,1,0.6666666666666666,0.5');
      expect(csv).toHaveLength(6);
    });
  });

  describe('report helpers', () => {
    it('ISO weeks, medians, --since forms', () => {
      expect(isoWeek('2026-03-02T00:00:00Z')).toBe('2026-W10');
      expect(isoWeek('2026-03-01T23:59:59Z')).toBe('2026-W09');
      expect(isoWeek('2027-01-01T12:00:00Z')).toBe('2026-W53');
      expect(isoWeek('2024-12-30T00:00:00Z')).toBe('2025-W01');
      expect(median([])).toBeNull();
      expect(median([5, 1, 3])).toBe(3);
      expect(median([4, 1, 2, 3])).toBe(2.5);
      expect(parseSince('30d', t0)).toBe(new Date(t0 - 30 * day).toISOString());
      expect(parseSince('2026-03-01T12:00:00+03:00', t0)).toBe('2026-03-01T09:00:00.000Z');
      expect(() => parseSince('yesterday', t0)).toThrow(/--since "yesterday" is not a date/);
      expect(() => parseSince('2026-13-45', t0)).toThrow(/not a date/);
    });
  });
});
