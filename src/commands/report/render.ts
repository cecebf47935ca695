/** The reply report as a table for people and as CSV (same columns as the JSON rows). */
import type { ReplyReport, ReportRow } from '../../engine/reply-report.js';
import { table } from '../demo/render.js';

/** "40 s", "45 min", "3.5 h", "2.1 d"; "—" when there is nothing to measure. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = seconds / 60;
  if (minutes < 60) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}

function share(row: ReportRow): string {
  return row.ratingChangedShare === null ? '—' : `${Math.round(row.ratingChangedShare * 100)}%`;
}

function mean(row: ReportRow): string {
  const m = row.meanRatingChange;
  return m === null ? '—' : `${m > 0 ? '+' : ''}${m.toFixed(1)}`;
}

const groupNames: Record<ReplyReport['by'], string> = { app: 'app', store: 'store', agent: 'agent', week: 'week' };

export function renderReportTable(report: ReplyReport): string {
  const header = [
    groupNames[report.by],
    'reviews in',
    'answered',
    'to 1st answer',
    'to publication',
    'published',
    'rejected',
    'too long',
    'rating changed',
    'mean change',
  ];
  const cells = (r: ReportRow): string[] => [
    r.label,
    String(r.reviewsIn),
    String(r.answered),
    formatDuration(r.medianFirstAnswerSeconds),
    formatDuration(r.medianPublicationSeconds),
    String(r.published),
    String(r.rejected),
    String(r.tooLong),
    `${r.ratingChanged} (${share(r)})`,
    mean(r),
  ];
  const scope = [
    report.since ? `since ${report.since.slice(0, 16).replace('T', ' ')} UTC` : 'all time',
    report.apps ? `apps ${report.apps.join(', ')}` : '',
  ]
    .filter((s) => s !== '')
    .join(', ');
  return [
    `Replies report (${scope}); times are medians from the review's arrival; rating changes within 90 days after the first published answer.`,
    table(header, [...report.rows.map(cells), cells(report.total)]),
  ].join('\n');
}

const csvColumns = [
  'group',
  'label',
  'reviewsIn',
  'answered',
  'medianFirstAnswerSeconds',
  'medianPublicationSeconds',
  'published',
  'rejected',
  'tooLong',
  'withPublishedAnswer',
  'ratingChanged',
  'ratingUp',
  'ratingDown',
  'ratingChangedShare',
  'meanRatingChange',
] as const satisfies readonly (keyof ReportRow)[];

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderReportCsv(report: ReplyReport): string {
  return [
    csvColumns.join(','),
    ...[...report.rows, report.total].map((r) => csvColumns.map((c) => csvCell(r[c])).join(',')),
  ].join('\n');
}
