/**
 * Read-only queries for `asodesk-omni report`: the reviews that came in, their replies, the
 * answers' outcomes and the versions seen after them. Review keys are canonical (an alias is
 * followed one step).
 */
import type { StateDb } from './handle.js';

export interface ReportFilter {
  /** Reviews first seen at or after this ISO time. */
  sinceIso?: string | undefined;
  /** Only these apps (`store:appId`); all when undefined. */
  appKeys?: readonly string[] | undefined;
}

export interface ReportReview {
  reviewKey: string;
  appKey: string;
  store: string;
  firstSeenAt: string;
}

export interface ReportReply {
  reviewKey: string;
  messageId: number;
  staffId: number | null;
  receivedAt: string;
  state: string;
}

export interface ReportAnswer {
  reviewKey: string;
  messageId: number;
  staffId: number | null;
  outcome: string;
  ratingBefore: number | null;
  versionBefore: number | null;
  publishedAt: string | null;
}

export interface ReportVersion {
  reviewKey: string;
  version: number;
  rating: number;
  seenAt: string;
}

/** Reviews that became (or are to become) cases, first seen in the window. */
export async function reportReviews(db: StateDb, filter: ReportFilter): Promise<ReportReview[]> {
  const apps = filter.appKeys;
  const rows = await db.all<{ review_key: string; app_key: string; store: string; first_seen_at: string }>(
    `SELECT review_key, app_key, store, first_seen_at FROM reviews
     WHERE alias_of IS NULL AND decision = 'deliver' AND first_seen_at >= ?
     ${apps ? `AND app_key IN (${apps.map(() => '?').join(', ') || 'NULL'})` : ''}
     ORDER BY first_seen_at, review_key`,
    [filter.sinceIso ?? '', ...(apps ?? [])],
  );
  return rows.map((r) => ({
    reviewKey: r.review_key,
    appKey: r.app_key,
    store: r.store,
    firstSeenAt: r.first_seen_at,
  }));
}

/** Every reply in the outbox that names a known review. */
export async function reportReplies(db: StateDb): Promise<ReportReply[]> {
  const rows = await db.all<{
    review_key: string;
    message_id: number;
    staff_id: number | null;
    received_at: string;
    state: string;
  }>(`SELECT COALESCE(r.alias_of, r.review_key) AS review_key, p.message_id, p.staff_id, p.received_at, p.state
       FROM replies p JOIN reviews r ON r.review_key = p.review_key
       ORDER BY p.received_at, p.message_id`);
  return rows.map((r) => ({
    reviewKey: r.review_key,
    messageId: r.message_id,
    staffId: r.staff_id,
    receivedAt: r.received_at,
    state: r.state,
  }));
}

/**
 * Every answer's recorded outcome, unpublished ones (no time) first: NULLS FIRST is SQLite's
 * default for ascending order, PostgreSQL's is NULLS LAST.
 */
export async function reportAnswers(db: StateDb): Promise<ReportAnswer[]> {
  const rows = await db.all<{
    review_key: string;
    message_id: number;
    staff_id: number | null;
    outcome: string;
    rating_before: number | null;
    version_before: number | null;
    published_at: string | null;
  }>(`SELECT COALESCE(r.alias_of, r.review_key) AS review_key, a.message_id, a.staff_id, a.outcome,
         a.rating_before, a.version_before, a.published_at
       FROM answer_log a JOIN reviews r ON r.review_key = a.review_key
       ORDER BY a.published_at NULLS FIRST, a.message_id`);
  return rows.map((r) => ({
    reviewKey: r.review_key,
    messageId: r.message_id,
    staffId: r.staff_id,
    outcome: r.outcome,
    ratingBefore: r.rating_before,
    versionBefore: r.version_before,
    publishedAt: r.published_at,
  }));
}

/** The versions of reviews with a published answer (the edits after it decide the effect). */
export async function reportVersions(db: StateDb): Promise<ReportVersion[]> {
  const rows = await db.all<{
    review_key: string;
    version: number;
    rating: number;
    seen_at: string;
  }>(`SELECT v.review_key, v.version, v.rating, v.seen_at FROM review_versions v
       WHERE v.review_key IN (
         SELECT COALESCE(r.alias_of, r.review_key) FROM answer_log a JOIN reviews r ON r.review_key = a.review_key
         WHERE a.published_at IS NOT NULL)
       ORDER BY v.review_key, v.version`);
  return rows.map((r) => ({ reviewKey: r.review_key, version: r.version, rating: r.rating, seenAt: r.seen_at }));
}
