/**
 * `asodesk-omni report`: how the team handled the reviews that came in, grouped by app, store,
 * agent or week. The cohort is the reviews first seen (made into cases) in the window; every
 * figure is about them:
 * - reviews in, answered (an agent's or an automatic reply recorded, whatever its outcome);
 * - median time from the review's arrival to its first reply, and to its first published answer;
 * - publication outcomes per reply: published, rejected (moderation), refused for length;
 * - rating changes within 90 days after the first published answer: the review's last rating
 *   seen in that window against the rating before the answer (count, share of the reviews with
 *   a published answer, mean change of those that changed).
 * By agent: a review counts for the agent of its first reply (unanswered ones for nobody), a
 * reply's outcome for its own agent.
 */
import type { AppConfig } from '../config/schema.js';
import type { StateDb } from '../state/handle.js';
import {
  reportAnswers,
  reportReplies,
  reportReviews,
  reportVersions,
  type ReportAnswer,
  type ReportReply,
  type ReportReview,
  type ReportVersion,
} from '../state/report.js';

export const reportGroupings = ['app', 'store', 'agent', 'week'] as const;
export type ReportGrouping = (typeof reportGroupings)[number];

/** How long after the first published answer a rating change still counts. */
export const effectWindowDays = 90;
const dayMs = 24 * 3600_000;

export interface ReportRow {
  /** The group's key: app id, store id, staff id (`auto`, `none`), or ISO week (`2026-W10`). */
  group: string;
  /** Its name for people: the app's name, the agent's name from Omnidesk, … */
  label: string;
  reviewsIn: number;
  answered: number;
  medianFirstAnswerSeconds: number | null;
  medianPublicationSeconds: number | null;
  published: number;
  rejected: number;
  tooLong: number;
  /** Reviews with a published answer (the base of the share). */
  withPublishedAnswer: number;
  ratingChanged: number;
  ratingUp: number;
  ratingDown: number;
  /** ratingChanged / withPublishedAnswer, 0–1; null without published answers. */
  ratingChangedShare: number | null;
  /** Mean of (rating after − rating before) over the reviews whose rating changed. */
  meanRatingChange: number | null;
}

export interface ReplyReport {
  by: ReportGrouping;
  since: string | null;
  apps: string[] | null;
  generatedAt: string;
  rows: ReportRow[];
  total: ReportRow;
}

export interface ReportInput {
  /** Apps of the config (names, and the `--app` selection). */
  apps: readonly AppConfig[];
  selected?: readonly AppConfig[] | undefined;
  by: ReportGrouping;
  sinceIso?: string | undefined;
  now: number;
  /** Agents' names by Omnidesk staff id; an unknown one shows its id. */
  staffNames?: ReadonlyMap<number, string> | undefined;
}

/** The ISO week of a time, as `2026-W10` (weeks start on Monday, UTC). */
export function isoWeek(iso: string): string {
  const t = new Date(iso);
  // The week's Thursday decides its year (ISO 8601).
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / dayMs + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function agentKey(staffId: number | null, messageId: number): string {
  return messageId < 0 || staffId === null ? 'auto' : String(staffId);
}

interface Acc {
  reviewsIn: number;
  answered: number;
  firstAnswer: number[];
  publication: number[];
  published: number;
  rejected: number;
  tooLong: number;
  withPublishedAnswer: number;
  changes: number[];
}

const emptyAcc = (): Acc => ({
  reviewsIn: 0,
  answered: 0,
  firstAnswer: [],
  publication: [],
  published: 0,
  rejected: 0,
  tooLong: 0,
  withPublishedAnswer: 0,
  changes: [],
});

/** The rating change within the window after the first published answer, or undefined. */
function ratingChange(
  first: ReportAnswer | undefined,
  versions: readonly ReportVersion[] | undefined,
): number | undefined {
  if (!first?.publishedAt || first.ratingBefore === null || first.versionBefore === null) return undefined;
  const end = Date.parse(first.publishedAt) + effectWindowDays * dayMs;
  const later = (versions ?? []).filter((v) => v.version > first.versionBefore! && Date.parse(v.seenAt) <= end);
  const last = later.at(-1);
  return last && last.rating !== first.ratingBefore ? last.rating - first.ratingBefore : undefined;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  }
  return out;
}

export async function buildReplyReport(db: StateDb | undefined, input: ReportInput): Promise<ReplyReport> {
  const selected = input.selected ?? input.apps;
  const appKeys = input.selected ? selected.map((a) => `${a.store}:${a.appId}`) : undefined;
  const [reviews, replies, answers, versions] = db
    ? await Promise.all([
        reportReviews(db, { sinceIso: input.sinceIso, appKeys }),
        reportReplies(db),
        reportAnswers(db),
        reportVersions(db),
      ])
    : [[], [], [], []];
  const repliesOf = groupBy(replies, (r) => r.reviewKey);
  const answersOf = groupBy(answers, (a) => a.reviewKey);
  const versionsOf = groupBy(versions, (v) => v.reviewKey);
  const appOf = new Map(input.apps.map((a) => [`${a.store}:${a.appId}`, a]));

  const reviewGroup = (r: ReportReview, first: ReportReply | undefined): string => {
    switch (input.by) {
      case 'app':
        return appOf.get(r.appKey)?.id ?? r.appKey;
      case 'store':
        return r.store;
      case 'week':
        return isoWeek(r.firstSeenAt);
      case 'agent':
        return first ? agentKey(first.staffId, first.messageId) : 'none';
    }
  };

  const groups = new Map<string, Acc>();
  const total = emptyAcc();
  const accs = (key: string): Acc[] => {
    let acc = groups.get(key);
    if (!acc) groups.set(key, (acc = emptyAcc()));
    return [acc, total];
  };
  for (const review of reviews) {
    const own = repliesOf.get(review.reviewKey) ?? [];
    const first = own[0];
    const key = reviewGroup(review, first);
    const arrived = Date.parse(review.firstSeenAt);
    const ownAnswers = answersOf.get(review.reviewKey) ?? [];
    const published = ownAnswers.filter((a) => a.publishedAt !== null);
    const change = ratingChange(published[0], versionsOf.get(review.reviewKey));
    for (const acc of accs(key)) {
      acc.reviewsIn++;
      if (first) {
        acc.answered++;
        acc.firstAnswer.push(Math.max(0, Date.parse(first.receivedAt) - arrived));
      }
      if (published[0]) {
        acc.withPublishedAnswer++;
        acc.publication.push(Math.max(0, Date.parse(published[0].publishedAt!) - arrived));
      }
      if (change !== undefined) acc.changes.push(change);
    }
    for (const a of ownAnswers) {
      const k = input.by === 'agent' ? agentKey(a.staffId, a.messageId) : key;
      for (const acc of accs(k)) {
        if (a.publishedAt !== null) acc.published++;
        else if (a.outcome === 'rejected') acc.rejected++;
        else if (a.outcome === 'too-long') acc.tooLong++;
      }
    }
  }

  const label = (key: string): string => {
    switch (input.by) {
      case 'app':
        return input.apps.find((x) => x.id === key)?.name ?? key;
      case 'agent':
        if (key === 'auto') return 'automatic reply';
        if (key === 'none') return '(not answered)';
        return input.staffNames?.get(Number(key)) ?? `staff ${key}`;
      default:
        return key;
    }
  };
  const order = (a: string, b: string): number => {
    if (input.by === 'app') {
      const ia = input.apps.findIndex((x) => x.id === a);
      const ib = input.apps.findIndex((x) => x.id === b);
      return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib) || a.localeCompare(b);
    }
    if (input.by === 'agent') {
      const rank = (k: string): number => (k === 'none' ? 2 : k === 'auto' ? 1 : 0);
      return rank(a) - rank(b) || label(a).localeCompare(label(b));
    }
    return a.localeCompare(b);
  };
  return {
    by: input.by,
    since: input.sinceIso ?? null,
    apps: input.selected ? selected.map((a) => a.id) : null,
    generatedAt: new Date(input.now).toISOString(),
    rows: [...groups.keys()].sort(order).map((k) => toRow(k, label(k), groups.get(k)!)),
    total: toRow('total', 'total', total),
  };
}

function toRow(group: string, label: string, a: Acc): ReportRow {
  const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 1000));
  const changed = a.changes.length;
  return {
    group,
    label,
    reviewsIn: a.reviewsIn,
    answered: a.answered,
    medianFirstAnswerSeconds: seconds(median(a.firstAnswer)),
    medianPublicationSeconds: seconds(median(a.publication)),
    published: a.published,
    rejected: a.rejected,
    tooLong: a.tooLong,
    withPublishedAnswer: a.withPublishedAnswer,
    ratingChanged: changed,
    ratingUp: a.changes.filter((c) => c > 0).length,
    ratingDown: a.changes.filter((c) => c < 0).length,
    ratingChangedShare: a.withPublishedAnswer === 0 ? null : changed / a.withPublishedAnswer,
    meanRatingChange: changed === 0 ? null : a.changes.reduce((x, y) => x + y, 0) / changed,
  };
}
