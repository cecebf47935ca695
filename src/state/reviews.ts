/**
 * Reviews and every version seen of each. A review is keyed by `store:appId:reviewId`; a new
 * version is stored whenever rating, title or text change, so the previous rating of any
 * review is known, including versions that filters did not send.
 */
import type { Review } from '../domain/review.js';
import { parseReviewKey, reviewKey, storedFingerprint } from '../domain/review.js';
import type { StateDb } from './handle.js';
import { nowIso } from './now.js';

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

/** Keys per `IN (…)` list: well below both backends' limits on bound parameters. */
const resolveBatch = 500;

export class ReviewStore {
  constructor(private readonly db: StateDb) {}

  async get(key: string): Promise<ReviewRow | undefined> {
    const r = await this.db.get<RawReview>('SELECT * FROM reviews WHERE review_key = ?', [key]);
    return r ? toRow(r) : undefined;
  }

  /** `resolve` for many keys in one read (aliases, which are rare, followed one by one). */
  async resolveMany(keys: readonly string[]): Promise<Map<string, ReviewRow | undefined>> {
    const found = new Map<string, ReviewRow | undefined>();
    for (let i = 0; i < keys.length; i += resolveBatch) {
      const part = keys.slice(i, i + resolveBatch);
      const rows = await this.db.all<RawReview>(
        `SELECT * FROM reviews WHERE review_key IN (${part.map(() => '?').join(', ')})`,
        part,
      );
      for (const r of rows.map(toRow)) found.set(r.reviewKey, r.aliasOf ? await this.resolve(r.reviewKey) : r);
    }
    for (const key of keys) if (!found.has(key)) found.set(key, undefined);
    return found;
  }

  /** Follows an alias (a public-source id matched to an API id) to the review that owns the case. */
  async resolve(key: string): Promise<ReviewRow | undefined> {
    let row = await this.get(key);
    for (let i = 0; row?.aliasOf && i < 4; i++) row = await this.get(row.aliasOf);
    return row;
  }

  async byCase(caseId: number): Promise<ReviewRow | undefined> {
    const r = await this.db.get<RawReview>('SELECT * FROM reviews WHERE case_id = ? AND alias_of IS NULL LIMIT 1', [
      caseId,
    ]);
    return r ? toRow(r) : undefined;
  }

  async forApp(appKey: string): Promise<ReviewRow[]> {
    return (
      await this.db.all<RawReview>('SELECT * FROM reviews WHERE app_key = ? ORDER BY first_seen_at', [appKey])
    ).map(toRow);
  }

  /** Every canonical review and its case, if any (state rebuild). */
  async caseLinks(): Promise<{ reviewKey: string; caseId: number | null }[]> {
    const rows = await this.db.all<{ review_key: string; case_id: number | null }>(
      'SELECT review_key, case_id FROM reviews WHERE alias_of IS NULL',
    );
    return rows.map((r) => ({ reviewKey: r.review_key, caseId: r.case_id }));
  }

  /** Inserts a new review as version 1. */
  async insert(review: Review, decision: Decision, dropReason: string | null, at = nowIso()): Promise<ReviewRow> {
    const key = reviewKey(review);
    await this.db.run(
      `INSERT INTO reviews (review_key, app_key, store, app_id, review_id, origin, first_seen_at, last_seen_at, latest_version, fingerprint, updated_at, decision, drop_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
      [
        key,
        appKeyOf(review),
        review.store,
        review.appId,
        review.reviewId,
        review.origin,
        at,
        at,
        storedFingerprint(review),
        review.updatedAt ?? null,
        decision,
        dropReason,
      ],
    );
    await this.insertVersion(key, 1, review, at);
    return (await this.get(key))!;
  }

  /** Stores a new version of a known review (its content changed); returns the version number. */
  async addVersion(key: string, review: Review, at = nowIso()): Promise<number> {
    const row = await this.get(key);
    if (!row) throw new Error(`unknown review ${key}`);
    const version = row.latestVersion + 1;
    await this.insertVersion(key, version, review, at);
    await this.db.run(
      'UPDATE reviews SET latest_version = ?, fingerprint = ?, updated_at = ?, last_seen_at = ? WHERE review_key = ?',
      [version, storedFingerprint(review), review.updatedAt ?? null, at, key],
    );
    return version;
  }

  /**
   * Seen again unchanged: the latest version takes what else the store now says (the developer
   * answer, thumbs, …; rating, title and text are the same), as history and templates show it.
   */
  async touch(key: string, review: Review, at = nowIso()): Promise<void> {
    const row = await this.get(key);
    if (!row) return;
    await this.db.run(
      'UPDATE reviews SET last_seen_at = ?, updated_at = COALESCE(?, updated_at) WHERE review_key = ?',
      [at, review.updatedAt ?? null, key],
    );
    const v = versionColumns(key, review);
    await this.db.run(
      `UPDATE review_versions SET ${versionFields
        .slice(3)
        .map((f) => `${f} = ?`)
        .join(', ')} WHERE review_key = ? AND version = ?`,
      [...v, key, row.latestVersion],
    );
  }

  async setDecision(key: string, decision: Decision, dropReason: string | null): Promise<void> {
    await this.db.run('UPDATE reviews SET decision = ?, drop_reason = ? WHERE review_key = ?', [
      decision,
      dropReason,
      key,
    ]);
  }

  /** `adopted`: the case was found in Omnidesk rather than created by this state. */
  async setCase(key: string, caseId: number, userId: number | undefined, adopted = false): Promise<void> {
    // Two texts rather than `CASE WHEN ?`: a bound number is no boolean in PostgreSQL.
    if (adopted)
      await this.db.run('UPDATE reviews SET case_id = ?, case_user_id = ?, case_adopted_at = ? WHERE review_key = ?', [
        caseId,
        userId ?? null,
        nowIso(),
        key,
      ]);
    else
      await this.db.run('UPDATE reviews SET case_id = ?, case_user_id = ? WHERE review_key = ?', [
        caseId,
        userId ?? null,
        key,
      ]);
  }

  /** Records that `aliasKey` (e.g. a public-feed id) is the same review as `canonicalKey`. */
  async setAlias(aliasKey: string, canonicalKey: string): Promise<void> {
    await this.db.run('UPDATE reviews SET alias_of = ? WHERE review_key = ?', [canonicalKey, aliasKey]);
  }

  /** Earlier keys of the same review (ids it had before the store re-created it, public-feed ids). */
  aliasesOf(key: string): Promise<string[]> {
    return this.db.column<string>('SELECT review_key FROM reviews WHERE alias_of = ? ORDER BY first_seen_at', [key]);
  }

  /**
   * Numbers this review's versions after `by` earlier ones (a case found in Omnidesk already
   * shows edits up to version `by`, made by another state): edit markers stay unique in it.
   */
  async shiftVersions(key: string, by: number): Promise<void> {
    if (by <= 0) return;
    await this.db.transaction(async () => {
      // Two steps through negatives: the primary key (review_key, version) must never collide.
      for (const table of ['review_versions', 'deliveries']) {
        await this.db.run(`UPDATE ${table} SET version = -version WHERE review_key = ?`, [key]);
        await this.db.run(`UPDATE ${table} SET version = -version + ? WHERE review_key = ?`, [by, key]);
      }
      await this.db.run('UPDATE reviews SET latest_version = latest_version + ? WHERE review_key = ?', [by, key]);
    });
  }

  async versions(key: string): Promise<StoredVersion[]> {
    const rows = await this.db.all<RawVersion>(
      `SELECT ${versionFields.join(', ')} FROM review_versions WHERE review_key = ? ORDER BY version`,
      [key],
    );
    return rows.map((v) => ({ version: v.version, seenAt: v.seen_at, review: reviewOf(v) }));
  }

  async latest(key: string): Promise<StoredVersion | undefined> {
    const all = await this.versions(key);
    return all[all.length - 1];
  }

  /** Reviews of an app chosen for delivery (a first sync killed midway already chose part of its backlog). */
  async countChosen(appKey: string): Promise<number> {
    return (
      (await this.db.value<number>(
        `SELECT COUNT(*) FROM reviews WHERE app_key = ? AND decision = 'deliver' AND alias_of IS NULL`,
        [appKey],
      )) ?? 0
    );
  }

  /** Keys of an app's reviews read from its public source and not yet matched to API ids. */
  publicKeys(appKey: string): Promise<string[]> {
    return this.db.column<string>(
      `SELECT review_key FROM reviews WHERE app_key = ? AND origin = 'public' AND alias_of IS NULL`,
      [appKey],
    );
  }

  /** Another review of the app by the same author in the same territory, from the same origin. */
  byAuthor(
    appKey: string,
    exceptKey: string,
    origin: string,
    author: string,
    territory: string | undefined,
  ): Promise<string | undefined> {
    return this.db.value<string>(
      `SELECT r.review_key FROM reviews r JOIN review_versions v ON v.review_key = r.review_key AND v.version = r.latest_version
       WHERE r.app_key = ? AND r.alias_of IS NULL AND r.review_key != ? AND r.origin = ? AND v.author = ? AND COALESCE(v.territory, '') = ? LIMIT 1`,
      [appKey, exceptKey, origin, author, territory ?? ''],
    );
  }

  private insertVersion(key: string, version: number, r: Review, at: string): Promise<void> {
    return insertVersion(this.db, key, version, r, at);
  }
}

/** review_versions' columns in the order `versionColumns` gives values after the first three. */
const versionFields = [
  'review_key',
  'version',
  'seen_at',
  'rating',
  'title',
  'text',
  'author',
  'created_at',
  'updated_at',
  'territory',
  'language',
  'app_version',
  'device',
  'os_version',
  'thumbs_up',
  'thumbs_down',
  'answer_text',
  'answer_state',
  'answer_updated_at',
  'review_json',
] as const;

interface RawVersion {
  review_key: string;
  version: number;
  seen_at: string;
  rating: number;
  title: string | null;
  text: string;
  author: string | null;
  created_at: string;
  updated_at: string | null;
  territory: string | null;
  language: string | null;
  app_version: string | null;
  device: string | null;
  os_version: string | null;
  thumbs_up: number | null;
  thumbs_down: number | null;
  answer_text: string | null;
  answer_state: string | null;
  answer_updated_at: string | null;
  review_json: string;
}

/** Review fields that have a column of their own (the developer answer's text, state and date too). */
const columnFields = [
  'rating',
  'title',
  'text',
  'author',
  'createdAt',
  'updatedAt',
  'territory',
  'language',
  'appVersion',
  'device',
  'osVersion',
  'thumbsUp',
  'thumbsDown',
] as const;

/**
 * What of a review its columns do not hold (#20: the whole review as JSON doubled each
 * version's size): the translation, the edited flag, the answer's id, the origin unless `api`,
 * and the store, app and review ids only where they differ from the row's key. Never has a
 * `rating`, which tells it from the whole review that rows written before #20 hold.
 */
function extrasOf(key: string, r: Review): string {
  const extras: Record<string, unknown> = { ...r };
  for (const f of columnFields) delete extras[f];
  const ids = parseReviewKey(key);
  if (ids?.store === r.store) delete extras.store;
  if (ids?.appId === r.appId) delete extras.appId;
  if (ids?.reviewId === r.reviewId) delete extras.reviewId;
  if (r.origin === 'api') delete extras.origin;
  delete extras.developerAnswer;
  if (r.developerAnswer) {
    const { text: _text, state: _state, updatedAt: _updatedAt, ...rest } = r.developerAnswer;
    if (Object.keys(rest).length > 0) extras.answer = rest;
  }
  return JSON.stringify(extras);
}

/** Values for review_versions' columns from `rating` on (`versionFields.slice(3)`). */
function versionColumns(key: string, r: Review): (string | number | null)[] {
  return [
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
    extrasOf(key, r),
  ];
}

/** The Review a version row holds: columns plus extras, or the whole review a pre-#20 row kept. */
function reviewOf(v: RawVersion): Review {
  const json = JSON.parse(v.review_json) as Record<string, unknown>;
  if ('rating' in json) return json as unknown as Review;
  const { answer, store, appId, reviewId, origin, translation, editedFlag, ...other } = json;
  const ids = parseReviewKey(v.review_key);
  const set = <T>(value: T | null | undefined): T | undefined => value ?? undefined;
  const review: Record<string, unknown> = {
    store: store ?? ids?.store,
    appId: appId ?? ids?.appId,
    reviewId: reviewId ?? ids?.reviewId,
    rating: v.rating,
    title: set(v.title),
    text: v.text,
    author: set(v.author),
    createdAt: v.created_at,
    updatedAt: set(v.updated_at),
    territory: set(v.territory),
    language: set(v.language),
    appVersion: set(v.app_version),
    device: set(v.device),
    osVersion: set(v.os_version),
    thumbsUp: set(v.thumbs_up),
    thumbsDown: set(v.thumbs_down),
    translation,
    editedFlag,
    developerAnswer:
      v.answer_text === null
        ? undefined
        : {
            text: v.answer_text,
            updatedAt: set(v.answer_updated_at),
            state: set(v.answer_state),
            ...(answer as Record<string, unknown> | undefined),
          },
    origin: origin ?? 'api',
    ...other,
  };
  // As JSON gave it before: no keys holding undefined.
  return JSON.parse(JSON.stringify(review)) as Review;
}

async function insertVersion(db: StateDb, key: string, version: number, r: Review, at: string): Promise<void> {
  await db.run(
    `INSERT INTO review_versions (${versionFields.join(', ')}) VALUES (${versionFields.map(() => '?').join(', ')})`,
    [key, version, at, ...versionColumns(key, r)],
  );
}

/**
 * The review `newReview` replaces `oldKey` (the store re-created an edited review under a new
 * id, or an API id was matched to a public-feed id): the new key takes over the case and the
 * history, and the old key becomes an alias of it.
 */
export function succeed(db: StateDb, oldKey: string, newReview: Review, at = nowIso()): Promise<void> {
  const newKey = reviewKey(newReview);
  return db.transaction(async () => {
    await db.run(
      `INSERT INTO reviews (review_key, app_key, store, app_id, review_id, origin, first_seen_at, last_seen_at, latest_version, fingerprint, updated_at, decision, drop_reason, case_id, case_user_id, case_adopted_at)
       SELECT ?, app_key, store, app_id, ?, ?, first_seen_at, ?, latest_version, fingerprint, updated_at, decision, drop_reason, case_id, case_user_id, case_adopted_at FROM reviews WHERE review_key = ?`,
      [newKey, newReview.reviewId, newReview.origin, at, oldKey],
    );
    // Rebuilt rather than copied in SQL: the extras name the old ids, which the new key no longer gives.
    const versions = await db.all<RawVersion>(
      `SELECT ${versionFields.join(', ')} FROM review_versions WHERE review_key = ? ORDER BY version`,
      [oldKey],
    );
    for (const v of versions) await insertVersion(db, newKey, v.version, reviewOf(v), v.seen_at);
    await db.run('UPDATE reviews SET alias_of = ? WHERE review_key = ? OR alias_of = ?', [newKey, oldKey, oldKey]);
    // Deliveries still open for the old key now belong to the new one.
    await db.run(`UPDATE deliveries SET review_key = ? WHERE review_key = ? AND state != 'done'`, [newKey, oldKey]);
  });
}
