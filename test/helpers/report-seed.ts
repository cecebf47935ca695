/**
 * A seeded history for the report on a fixed clock (t0 = Monday 2026-03-02 00:00 UTC, ISO
 * week 2026-W10). Six reviews that became cases, one dropped by a filter (never counted):
 * - R1 ios ★2, in at t0; staff 1 replies at +2 h, published at +3 h; ★5 at +10 d (+3).
 * - R2 ios ★1, in at +1 h; staff 7 replies at +5 h, refused for length; again at +6 h,
 *   published at +7 h; ★4 at +100 d (outside the 90 days: no change).
 * - R3 android ★3, in at +8 d; staff 1 replies at +8 d 1 h, rejected by moderation.
 * - R4 android ★5, in at +8 d 2 h; an automatic reply at +8 d 3 h, published at +8 d 4 h;
 *   ★3 at +9 d (−2).
 * - R5 android ★4, in at +9 d, not answered.
 * - R6 ios ★3, in at t0 − 30 d (2026-01-31, week 2026-W05), not answered.
 * The expected figures are worked out by hand in the tests that use it.
 */
import type { Review } from '../../src/domain/review.js';
import { openDb } from '../../src/state/db.js';
import type { StateDb } from '../../src/state/handle.js';
import { ReplyOutbox } from '../../src/state/replies.js';
import { ReplyEffects, type AnswerOutcome } from '../../src/state/reply-effects.js';
import { ReviewStore } from '../../src/state/reviews.js';

export const t0 = Date.parse('2026-03-02T00:00:00.000Z');
export const hour = 3_600_000;
export const day = 24 * hour;

export const seedApps = {
  ios: { id: 'ios', name: 'Acme iOS', store: 'app-store', appId: '1000000001' },
  android: { id: 'android', name: 'Acme Android', store: 'google-play', appId: 'com.acme.reviews' },
} as const;

type AppId = keyof typeof seedApps;
const iso = (ms: number): string => new Date(ms).toISOString();

function review(app: AppId, id: string, rating: number, at: number): Review {
  const a = seedApps[app];
  return {
    store: a.store,
    appId: a.appId,
    reviewId: id,
    rating,
    text: `review ${id}`,
    createdAt: iso(at),
    origin: 'api',
  };
}

/** Writes the history into a state (a state file's path, memory, or an open state) and returns it open. */
export async function seedReportHistory(into: string | StateDb = ':memory:'): Promise<StateDb> {
  const db = typeof into === 'string' ? openDb(into) : into;
  const reviews = new ReviewStore(db);
  const outbox = new ReplyOutbox(db);
  const effects = new ReplyEffects(db);
  const arrive = async (app: AppId, id: string, rating: number, at: number): Promise<string> => {
    const r = review(app, id, rating, at);
    await reviews.insert(r, 'deliver', null, iso(at));
    return `${r.store}:${r.appId}:${r.reviewId}`;
  };
  const edit = async (app: AppId, id: string, rating: number, at: number): Promise<void> => {
    await reviews.addVersion(
      `${seedApps[app].store}:${seedApps[app].appId}:${id}`,
      review(app, id, rating, at),
      iso(at),
    );
  };
  const reply = async (key: string, messageId: number, staffId: number | null, receivedAt: number): Promise<void> => {
    await outbox.record({ messageId, caseId: 1000 + Math.abs(messageId), reviewKey: key, staffId, text: 'Thanks!' });
    // The outbox stamps its own time; the history needs the fixed one.
    await db.run('UPDATE replies SET received_at = ?, updated_at = ? WHERE message_id = ?', [
      iso(receivedAt),
      iso(receivedAt),
      messageId,
    ]);
  };
  const outcome = async (
    key: string,
    messageId: number,
    staffId: number | null,
    o: AnswerOutcome,
    at: number,
    ratingBefore: number,
  ): Promise<void> => {
    const [store, appId] = key.split(':');
    await effects.record({
      messageId,
      reviewKey: key,
      appKey: `${store}:${appId}`,
      caseId: 1000 + Math.abs(messageId),
      staffId,
      outcome: o,
      before: { rating: ratingBefore, version: 1 },
      at: iso(at),
    });
  };

  const r1 = await arrive('ios', 'r1', 2, t0);
  await reply(r1, 101, 1, t0 + 2 * hour);
  await outcome(r1, 101, 1, 'published', t0 + 3 * hour, 2);
  await edit('ios', 'r1', 5, t0 + 10 * day);

  const r2 = await arrive('ios', 'r2', 1, t0 + hour);
  await reply(r2, 102, 7, t0 + 5 * hour);
  await outcome(r2, 102, 7, 'too-long', t0 + 5 * hour, 1);
  await reply(r2, 103, 7, t0 + 6 * hour);
  await outcome(r2, 103, 7, 'published', t0 + 7 * hour, 1);
  await edit('ios', 'r2', 4, t0 + 100 * day);

  const r3 = await arrive('android', 'r3', 3, t0 + 8 * day);
  await reply(r3, 104, 1, t0 + 8 * day + hour);
  await outcome(r3, 104, 1, 'awaiting', t0 + 8 * day + hour, 3);
  await outcome(r3, 104, 1, 'rejected', t0 + 8 * day + 2 * hour, 3);

  const r4 = await arrive('android', 'r4', 5, t0 + 8 * day + 2 * hour);
  await reply(r4, -2004, null, t0 + 8 * day + 3 * hour);
  await outcome(r4, -2004, null, 'published', t0 + 8 * day + 4 * hour, 5);
  await edit('android', 'r4', 3, t0 + 9 * day);

  await arrive('android', 'r5', 4, t0 + 9 * day);
  await arrive('ios', 'r6', 3, t0 - 30 * day);
  await reviews.insert(review('ios', 'dropped', 1, t0), 'dropped', 'rating', iso(t0));
  return db;
}
