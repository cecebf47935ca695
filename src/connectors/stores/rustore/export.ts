/**
 * RuStore Console review export (Reviews → Download CSV), as documented in
 * https://www.rustore.ru/help/en/developers/publishing-and-verifying-apps/responses-to-reviews
 * Columns: ID, Comment Last Update Date, First Name, App Rating, Comment Text, Like Counter,
 * Dislike Counter, User Version Code, Manufacturer, Model, Firmware Version, Edited, Rating Last
 * Update Date. The help names the columns but not the delimiter, encoding or date format: we
 * read comma, semicolon or tab, UTF-8 (BOM or not) or UTF-16 with a BOM, and dates as ISO 8601,
 * `YYYY-MM-DD HH:mm[:ss[.SSS]]` or `DD.MM.YYYY HH:mm[:ss]` (Moscow time without an offset, as the
 * API's). `ID` is the API's `commentId`. The export has no package name, no creation date (the
 * last update stands in) and no developer answer (docs/import.md: filter "no response" first).
 */
import { z } from 'zod';
import type { Review } from '../../../domain/review.js';
import type { ReviewExportFormat } from '../types.js';
import { toIso } from './map.js';

/** The export's date as UTC ISO 8601; undefined when it is no date. */
export function exportDate(text: string): string | undefined {
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?$/.exec(text);
  return toIso(ru ? `${ru[3]}-${ru[2]}-${ru[1]} ${ru[4] ?? '00:00'}` : text);
}

const date = z.string().transform((s, ctx) => {
  const iso = exportDate(s);
  if (iso === undefined) ctx.addIssue({ code: 'custom', message: 'must be a date such as 2026-09-10 13:00:00' });
  return iso ?? '';
});
const count = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);
const yes = new Set(['true', '1', 'yes', 'да']);
const flag = z
  .string()
  .refine(
    (s) => yes.has(s.toLowerCase()) || ['false', '0', 'no', 'нет'].includes(s.toLowerCase()),
    'must be true or false',
  )
  .transform((s) => yes.has(s.toLowerCase()));

const rowSchema = z.object({
  ID: z.string().regex(/^\d+$/, 'must be the review id (digits)'),
  'Comment Last Update Date': date,
  'First Name': z.string().optional(),
  'App Rating': z
    .string()
    .regex(/^[1-5]$/, 'must be a whole number from 1 to 5')
    .transform(Number),
  'Comment Text': z.string().optional(),
  'Like Counter': count.optional(),
  'Dislike Counter': count.optional(),
  'User Version Code': z.string().optional(),
  Manufacturer: z.string().optional(),
  Model: z.string().optional(),
  'Firmware Version': z.string().optional(),
  Edited: flag.optional(),
  'Rating Last Update Date': date.optional(),
});
type Row = z.output<typeof rowSchema>;

function toReview(row: Row, appId: string): Review {
  const updated = row['Comment Last Update Date'];
  const rated = row['Rating Last Update Date'];
  return {
    store: 'rustore',
    appId,
    reviewId: row.ID,
    rating: row['App Rating'],
    // As the API maps a comment (map.ts): no title, an empty text when there is none.
    text: row['Comment Text'] ?? '',
    author: row['First Name'],
    createdAt: updated,
    updatedAt: rated !== undefined && rated > updated ? rated : updated,
    appVersion: row['User Version Code'],
    device: row.Model,
    osVersion: row['Firmware Version'],
    thumbsUp: row['Like Counter'],
    thumbsDown: row['Dislike Counter'],
    editedFlag: row.Edited,
    origin: 'api',
  };
}

export const reviewsExport: ReviewExportFormat<typeof rowSchema> = {
  name: 'RuStore Console review export',
  store: 'rustore',
  columns: ['ID', 'Comment Last Update Date', 'App Rating', 'Comment Text'],
  optionalColumns: [
    'First Name',
    'Like Counter',
    'Dislike Counter',
    'User Version Code',
    'Manufacturer',
    'Model',
    'Firmware Version',
    'Edited',
    'Rating Last Update Date',
  ],
  row: rowSchema,
  toReview,
};
