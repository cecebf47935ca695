/**
 * Play Console monthly reviews report (`reviews/reviews_<package>_<YYYYMM>.csv` in the developer's
 * Cloud Storage bucket, or Download reports → Reviews): CSV in UTF-16LE with a BOM, one row per
 * review created or updated that month. Help: https://support.google.com/googleplay/android-developer/answer/6135870
 * Columns: Package Name, App Version Code, App Version Name, Reviewer Language, Device, Review
 * Submit Date and Time, Review Submit Millis Since Epoch, Review Last Update Date and Time, Review
 * Last Update Millis Since Epoch, Star Rating, Review Title, Review Text, Developer Reply Date and
 * Time, Developer Reply Millis Since Epoch, Developer Reply Text, Review Link.
 * The review id (the API's `reviewId`) is only in the Review Link; there is no author name.
 */
import { z } from 'zod';
import type { Review } from '../../../domain/review.js';
import { RecordError } from '../parse-records.js';
import type { ReviewExportFormat } from '../types.js';

const millis = z
  .string()
  .regex(/^\d{1,16}$/, 'must be milliseconds since 1970 (digits only)')
  .transform(Number);
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date such as 2026-09-10T10:00:00Z');

const rowSchema = z.object({
  'Package Name': z.string(),
  'App Version Code': z.string().optional(),
  'App Version Name': z.string().optional(),
  'Reviewer Language': z.string().optional(),
  Device: z.string().optional(),
  'Review Submit Date and Time': isoDate.optional(),
  'Review Submit Millis Since Epoch': millis.optional(),
  'Review Last Update Date and Time': isoDate.optional(),
  'Review Last Update Millis Since Epoch': millis.optional(),
  'Star Rating': z
    .string()
    .regex(/^[1-5]$/, 'must be a whole number from 1 to 5')
    .transform(Number),
  'Review Title': z.string().optional(),
  'Review Text': z.string().optional(),
  'Developer Reply Date and Time': isoDate.optional(),
  'Developer Reply Millis Since Epoch': millis.optional(),
  'Developer Reply Text': z.string().optional(),
  'Review Link': z.string().optional(),
});
type Row = z.output<typeof rowSchema>;

/** `…/review-details?reviewId=gp:AOqp…&corpus=…` (console) or `…#ReviewDetailsPlace:p=<pkg>&reviewid=gp:AOqp…` (older). */
export function reviewIdFromLink(link: string): string | undefined {
  const m = /[?&#]reviewid=([^&#\s]+)/i.exec(link);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

function when(ms: number | undefined, text: string | undefined): string | undefined {
  const t = ms ?? (text === undefined ? undefined : Date.parse(text));
  return t === undefined ? undefined : new Date(t).toISOString();
}

function toReview(row: Row, appId: string): Review | undefined {
  const title = row['Review Title'];
  const text = row['Review Text'];
  // A rating without words is no review: the API does not list it, there is nothing to answer.
  if (title === undefined && text === undefined) return undefined;
  if (row['Package Name'] !== appId)
    throw new RecordError(`column "Package Name" is ${row['Package Name']}, not this app's ${appId}`);
  const link = row['Review Link'];
  const reviewId = link === undefined ? undefined : reviewIdFromLink(link);
  if (!reviewId) throw new RecordError('column "Review Link" holds no review id (reviewId=…)');
  const createdAt = when(row['Review Submit Millis Since Epoch'], row['Review Submit Date and Time']);
  if (!createdAt) throw new RecordError('column "Review Submit Millis Since Epoch" is empty');
  const reply = row['Developer Reply Text'];
  return {
    store: 'google-play',
    appId,
    reviewId,
    rating: row['Star Rating'],
    // As the API's text splits into title and body (map.ts): trimmed, no title when empty.
    title,
    text: text ?? '',
    createdAt,
    updatedAt: when(row['Review Last Update Millis Since Epoch'], row['Review Last Update Date and Time']) ?? createdAt,
    language: row['Reviewer Language'],
    appVersion: row['App Version Name'] ?? row['App Version Code'],
    device: row.Device,
    developerAnswer:
      reply === undefined
        ? undefined
        : {
            text: reply,
            updatedAt: when(row['Developer Reply Millis Since Epoch'], row['Developer Reply Date and Time']),
            state: 'PUBLISHED',
          },
    origin: 'api',
  };
}

export const reviewsReport: ReviewExportFormat<typeof rowSchema> = {
  name: 'Play Console reviews report',
  store: 'google-play',
  columns: [
    'Package Name',
    'Review Submit Millis Since Epoch',
    'Star Rating',
    'Review Title',
    'Review Text',
    'Developer Reply Text',
    'Review Link',
  ],
  optionalColumns: [
    'App Version Code',
    'App Version Name',
    'Reviewer Language',
    'Device',
    'Review Submit Date and Time',
    'Review Last Update Date and Time',
    'Review Last Update Millis Since Epoch',
    'Developer Reply Date and Time',
    'Developer Reply Millis Since Epoch',
  ],
  row: rowSchema,
  toReview,
};
