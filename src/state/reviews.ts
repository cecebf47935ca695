/**
 * Reviews and every version seen of each. A review is keyed by `store:appId:reviewId`; a new
 * version is stored whenever rating, title or text change, so the previous rating of any
 * review is known, including versions that filters did not send.
 */
import type { Review } from '../domain/review.js';
import { contentFingerprint, reviewKey } from '../domain/review.js';
import { nowIso, type Db } from './db.js';

export type Decision = 'deliver' | 'dropped' | 'backlog-skipped';

export interface ReviewRow {
  reviewKey: string;
  appKey: string;
  store: string;
  appId: string;
  reviewId: string;
  origin: string;
  firstSeenAt: string;
  lastSeenAt: string;
  latestVersion: number;
  fingerprint: string;
  updatedAt: string | null;
  decision: Decision;
  dropReason: string | null;
  caseId: number | null;
  caseUserId: number | null;
  aliasOf: string | null;
  /** Set when the case was found in Omnidesk (made by another state): what it holds is not all in ours. */
  caseAdoptedAt: string | null;
}

export interface StoredVersion {
  version: number;
  seenAt: string;
  review: Review;
}

interface RawReview {
  review_key: string;
  app_key: string;
  store: string;
  app_id: string;
  review_id: string;
  origin: string;
  first_seen_at: string;
  last_seen_at: string;
  latest_version: number;
  fingerprint: string;
  updated_at: string | null;
  decision: Decision;
  drop_reason: string | null;
  case_id: number | null;
  case_user_id: number | null;
  alias_of: string | null;
  case_adopted_at: string | null;
}

function toRow(r: RawReview): ReviewRow {
  return {
    reviewKey: r.review_key,
    appKey: r.app_key,
    store: r.store,
    appId: r.app_id,
    reviewId: r.review_id,
    origin: r.origin,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    latestVersion: r.latest_version,
    fingerprint: r.fingerprint,
    updatedAt: r.updated_at,
    decision: r.decision,
    dropReason: r.drop_reason,
    caseId: r.case_id,
    caseUserId: r.case_user_id,
    aliasOf: r.alias_of,
    caseAdoptedAt: r.case_adopted_at ?? null,
  };
}

export function appKeyOf(r: Pick<Review, 'store' | 'appId'>): string {
  return `${r.store}:${r.appId}`;
}

export class ReviewStore {
  constructor(private readonly db: Db) {}

  get(key: string): ReviewRow | undefined {
    const r = this.db.prepare('SELECT * FROM reviews WHERE review_key = ?').get(key) as RawReview | undefined;
    return r ? toRow(r) : undefined;
  }

  /** Follows an alias (a public-source id matched to an API id) to the review that owns the case. */
  resolve(key: string): ReviewRow | undefined {
    let row = this.get(key);
    for (let i = 0; row?.aliasOf && i < 4; i++) row = this.get(row.aliasOf);
    return row;
  }

  byCase(caseId: number): ReviewRow | undefined {
    const r = this.db.prepare('SELECT * FROM reviews WHERE case_id = ? AND alias_of IS NULL LIMIT 1').get(caseId) as
      RawReview | undefined;
    return r ? toRow(r) : undefined;
  }

  forApp(appKey: string): ReviewRow[] {
    return (
      this.db.prepare('SELECT * FROM reviews WHERE app_key = ? ORDER BY first_seen_at').all(appKey) as RawReview[]
    ).map(toRow);
  }

  /** Inserts a new review as version 1. */
  insert(review: Review, decision: Decision, dropReason: string | null, at = nowIso()): ReviewRow {
    const key = reviewKey(review);
    this.db
      .prepare(
        `INSERT INTO reviews (review_key, app_key, store, app_id, review_id, origin, first_seen_at, last_seen_at, latest_version, fingerprint, updated_at, decision, drop_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
      )
      .run(
        key,
        appKeyOf(review),
        review.store,
        review.appId,
        review.reviewId,
        review.origin,
        at,
        at,
        contentFingerprint(review),
        review.updatedAt ?? null,
        decision,
        dropReason,
      );
    this.insertVersion(key, 1, review, at);
    return this.get(key)!;
  }

  /** Stores a new version of a known review (its content changed); returns the version number. */
  addVersion(key: string, review: Review, at = nowIso()): number {
    const row = this.get(key);
    if (!row) throw new Error(`unknown review ${key}`);
    const version = row.latestVersion + 1;
    this.insertVersion(key, version, review, at);
    this.db
      .prepare(
        'UPDATE reviews SET latest_version = ?, fingerprint = ?, updated_at = ?, last_seen_at = ? WHERE review_key = ?',
      )
      .run(version, contentFingerprint(review), review.updatedAt ?? null, at, key);
    return version;
  }

  /** Seen again unchanged; the developer answer (which is not part of the content) is refreshed. */
  touch(key: string, review: Review, at = nowIso()): void {
    const row = this.get(key);
    if (!row) return;
    this.db
      .prepare('UPDATE reviews SET last_seen_at = ?, updated_at = COALESCE(?, updated_at) WHERE review_key = ?')
      .run(at, review.updatedAt ?? null, key);
    this.db
      .prepare(
        'UPDATE review_versions SET answer_text = ?, answer_state = ?, answer_updated_at = ?, review_json = ? WHERE review_key = ? AND version = ?',
      )
      .run(
        review.developerAnswer?.text ?? null,
        review.developerAnswer?.state ?? null,
        review.developerAnswer?.updatedAt ?? null,
        JSON.stringify(review),
        key,
        row.latestVersion,
      );
  }

  setDecision(key: string, decision: Decision, dropReason: string | null): void {
    this.db
      .prepare('UPDATE reviews SET decision = ?, drop_reason = ? WHERE review_key = ?')
      .run(decision, dropReason, key);
  }

  /** `adopted`: the case was found in Omnidesk rather than created by this state. */
  setCase(key: string, caseId: number, userId: number | undefined, adopted = false): void {
    this.db
      .prepare(
        'UPDATE reviews SET case_id = ?, case_user_id = ?, case_adopted_at = CASE WHEN ? THEN ? ELSE case_adopted_at END WHERE review_key = ?',
      )
      .run(caseId, userId ?? null, adopted ? 1 : 0, nowIso(), key);
  }

  /** Records that `aliasKey` (e.g. a public-feed id) is the same review as `canonicalKey`. */
  setAlias(aliasKey: string, canonicalKey: string): void {
    this.db.prepare('UPDATE reviews SET alias_of = ? WHERE review_key = ?').run(canonicalKey, aliasKey);
  }

  /** Earlier keys of the same review (ids it had before the store re-created it, public-feed ids). */
  aliasesOf(key: string): string[] {
    return this.db
      .prepare('SELECT review_key FROM reviews WHERE alias_of = ? ORDER BY first_seen_at')
      .pluck()
      .all(key) as string[];
  }

  /**
   * Numbers this review's versions after `by` earlier ones (a case found in Omnidesk already
   * shows edits up to version `by`, made by another state): edit markers stay unique in it.
   */
  shiftVersions(key: string, by: number): void {
    if (by <= 0) return;
    this.db.transaction(() => {
      // Two steps through negatives: the primary key (review_key, version) must never collide.
      for (const table of ['review_versions', 'deliveries']) {
        this.db.prepare(`UPDATE ${table} SET version = -version WHERE review_key = ?`).run(key);
        this.db.prepare(`UPDATE ${table} SET version = -version + ? WHERE review_key = ?`).run(by, key);
      }
      this.db.prepare('UPDATE reviews SET latest_version = latest_version + ? WHERE review_key = ?').run(by, key);
    })();
  }

  versions(key: string): StoredVersion[] {
    return (
      this.db
        .prepare('SELECT version, seen_at, review_json FROM review_versions WHERE review_key = ? ORDER BY version')
        .all(key) as { version: number; seen_at: string; review_json: string }[]
    ).map((v) => ({ version: v.version, seenAt: v.seen_at, review: JSON.parse(v.review_json) as Review }));
  }

  latest(key: string): StoredVersion | undefined {
    const all = this.versions(key);
    return all[all.length - 1];
  }

  /** Reviews of an app chosen for delivery (a first sync killed midway already chose part of its backlog). */
  countChosen(appKey: string): number {
    return this.db
      .prepare(`SELECT COUNT(*) FROM reviews WHERE app_key = ? AND decision = 'deliver' AND alias_of IS NULL`)
      .pluck()
      .get(appKey) as number;
  }

  /** Keys of an app's reviews read from its public source and not yet matched to API ids. */
  publicKeys(appKey: string): string[] {
    return this.db
      .prepare(`SELECT review_key FROM reviews WHERE app_key = ? AND origin = 'public' AND alias_of IS NULL`)
      .pluck()
      .all(appKey) as string[];
  }

  /** Another review of the app by the same author in the same territory, from the same origin. */
  byAuthor(
    appKey: string,
    exceptKey: string,
    origin: string,
    author: string,
    territory: string | undefined,
  ): string | undefined {
    return this.db
      .prepare(
        `SELECT r.review_key FROM reviews r JOIN review_versions v ON v.review_key = r.review_key AND v.version = r.latest_version
         WHERE r.app_key = ? AND r.alias_of IS NULL AND r.review_key != ? AND r.origin = ? AND v.author = ? AND COALESCE(v.territory, '') = ? LIMIT 1`,
      )
      .pluck()
      .get(appKey, exceptKey, origin, author, territory ?? '') as string | undefined;
  }

  private insertVersion(key: string, version: number, r: Review, at: string): void {
    this.db
      .prepare(
        `INSERT INTO review_versions (review_key, version, seen_at, rating, title, text, author, created_at, updated_at, territory, language, app_version, device, os_version, thumbs_up, thumbs_down, answer_text, answer_state, answer_updated_at, review_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        key,
        version,
        at,
        r.rating,
        r.title ?? null,
        r.text,
        r.author ?? null,
        r.createdAt,
        r.updatedAt ?? null,
        r.territory ?? null,
        r.language ?? null,
        r.appVersion ?? null,
        r.device ?? null,
        r.osVersion ?? null,
        r.thumbsUp ?? null,
        r.thumbsDown ?? null,
        r.developerAnswer?.text ?? null,
        r.developerAnswer?.state ?? null,
        r.developerAnswer?.updatedAt ?? null,
        JSON.stringify(r),
      );
  }
}

/**
 * The review `newReview` replaces `oldKey` (the store re-created an edited review under a new
 * id, or an API id was matched to a public-feed id): the new key takes over the case and the
 * history, and the old key becomes an alias of it.
 */
export function succeed(db: Db, oldKey: string, newReview: Review, at = nowIso()): void {
  const newKey = reviewKey(newReview);
  db.prepare(
    `INSERT INTO reviews (review_key, app_key, store, app_id, review_id, origin, first_seen_at, last_seen_at, latest_version, fingerprint, updated_at, decision, drop_reason, case_id, case_user_id, case_adopted_at)
     SELECT ?, app_key, store, app_id, ?, ?, first_seen_at, ?, latest_version, fingerprint, updated_at, decision, drop_reason, case_id, case_user_id, case_adopted_at FROM reviews WHERE review_key = ?`,
  ).run(newKey, newReview.reviewId, newReview.origin, at, oldKey);
  db.prepare(
    `INSERT INTO review_versions (review_key, version, seen_at, rating, title, text, author, created_at, updated_at, territory, language, app_version, device, os_version, thumbs_up, thumbs_down, answer_text, answer_state, answer_updated_at, review_json)
     SELECT ?, version, seen_at, rating, title, text, author, created_at, updated_at, territory, language, app_version, device, os_version, thumbs_up, thumbs_down, answer_text, answer_state, answer_updated_at, review_json
     FROM review_versions WHERE review_key = ?`,
  ).run(newKey, oldKey);
  db.prepare('UPDATE reviews SET alias_of = ? WHERE review_key = ? OR alias_of = ?').run(newKey, oldKey, oldKey);
  // Deliveries still open for the old key now belong to the new one.
  db.prepare(`UPDATE deliveries SET review_key = ? WHERE review_key = ? AND state != 'done'`).run(newKey, oldKey);
}
