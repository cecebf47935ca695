/**
 * What the engine relies on from the state, the same on SQLite and PostgreSQL: generated ids
 * from RETURNING, integers (also past 2^31) as JS numbers, COUNT(*) and SUM as numbers, text
 * (unicode, emoji, large) unchanged, `INSERT … ON CONFLICT` upserts, ISO-time comparisons and
 * ordering with ties broken the same way, and the read-only queries of report and status
 * giving the same figures.
 */
import { describe, expect, it } from 'vitest';
import { reviewKey, type Review } from '../../../src/domain/review.js';
import { backlogTaken } from '../../../src/state/backlog.js';
import { ChannelCases } from '../../../src/state/channel-cases.js';
import { Cursors } from '../../../src/state/cursors.js';
import { DeliveryOutbox } from '../../../src/state/deliveries.js';
import { bindState } from '../../../src/state/identity.js';
import { LabelCache } from '../../../src/state/labels.js';
import { lastFinishedRun, lastSuccessfulSync, oldestPendingReply } from '../../../src/state/metrics.js';
import { ReplyOutbox } from '../../../src/state/replies.js';
import { reportAnswers, reportReplies, reportReviews, reportVersions } from '../../../src/state/report.js';
import { ReviewStore, succeed } from '../../../src/state/reviews.js';
import { Runs } from '../../../src/state/runs.js';
import { SetAsideRecords } from '../../../src/state/set-aside.js';
import { appCounts, replyCounts } from '../../../src/state/stats.js';
import { stateUsageLedger } from '../../../src/state/usage.js';
import { StateMismatchError } from '../../../src/errors.js';
import { backends } from '../../helpers/backends.js';
import { seedReportHistory } from '../../helpers/report-seed.js';

const gp = (reviewId: string, over: Partial<Review> = {}): Review => ({
  store: 'google-play',
  appId: 'com.acme',
  reviewId,
  rating: 2,
  text: `review ${reviewId}`,
  createdAt: '2025-01-01T00:00:00.000Z',
  origin: 'api',
  ...over,
});

/** Past int4 (2^31) and near 2^53: Omnidesk ids and millisecond times are BIGINT on PostgreSQL. */
const bigId = 2 ** 40 + 7;

/** Everything the report reads, as plain data (one comparison across backends). */
async function reportFigures(db: Parameters<typeof reportReviews>[0]) {
  return {
    reviews: await reportReviews(db, {}),
    since: await reportReviews(db, { sinceIso: '2026-03-05T00:00:00.000Z', appKeys: ['google-play:com.acme.reviews'] }),
    none: await reportReviews(db, { appKeys: [] }),
    replies: await reportReplies(db),
    answers: await reportAnswers(db),
    versions: await reportVersions(db),
    counts: await appCounts(db, 'app-store:1000000001'),
    replyCounts: (await replyCounts(db)).sort((a, b) => a.state.localeCompare(b.state)),
    appReplyCounts: (await replyCounts(db, 'google-play:com.acme.reviews')).sort((a, b) =>
      a.state.localeCompare(b.state),
    ),
    oldestPending: await oldestPendingReply(db),
  };
}

const figures: Partial<Record<string, Awaited<ReturnType<typeof reportFigures>>>> = {};

describe.each(backends)('state contract on %s', (backend, open) => {
  it('RETURNING gives the new id as a number; runs read back in order', async () => {
    const db = await open();
    const runs = new Runs(db);
    const a = await runs.start('sync');
    const b = await runs.start('sync');
    expect(typeof a).toBe('number');
    expect(b).toBeGreaterThan(a);
    await runs.finish(a, 'ok', { n: 1 });
    expect(await runs.last('sync')).toMatchObject({ id: b, finishedAt: null, outcome: null });
    expect(await lastSuccessfulSync(db)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await lastFinishedRun(db, 'sync')).toMatchObject({ outcome: 'ok', reportJson: '{"n":1}' });
    expect(await lastFinishedRun(db, 'import')).toBeUndefined();
  });

  it('integers round-trip as numbers, also past 2^31; COUNT(*) is a number', async () => {
    const db = await open();
    const reviews = new ReviewStore(db);
    const row = await reviews.insert(gp('r1'), 'deliver', null);
    await reviews.setCase(row.reviewKey, bigId, bigId + 1);
    const back = await reviews.get(row.reviewKey);
    expect(back).toMatchObject({ caseId: bigId, caseUserId: bigId + 1, latestVersion: 1 });
    expect(typeof back!.latestVersion).toBe('number');
    expect(await reviews.byCase(bigId)).toMatchObject({ reviewKey: row.reviewKey });
    const labels = new LabelCache(db);
    await labels.set('crash', bigId);
    expect(await labels.get('crash')).toBe(bigId);
    const count = await db.value<unknown>('SELECT COUNT(*) FROM reviews');
    expect(count).toBe(1);
    const sum = await db.value<unknown>('SELECT SUM(latest_version) FROM reviews');
    expect(sum).toBe(1);
    // MAX/MIN of nothing is NULL on both, read as null (not undefined).
    expect(await db.value<unknown>('SELECT MAX(case_id) FROM reviews WHERE app_key = ?', ['none'])).toBeNull();
    const usage = stateUsageLedger(db);
    const t = Date.parse('2025-06-01T10:00:00Z');
    await usage.record('omnidesk', t);
    await usage.record('omnidesk', t + 1000);
    expect(await usage.count('omnidesk', t + 1)).toBe(1);
    expect(await usage.count('omnidesk', t)).toBe(2);
  });

  it('text round-trips unchanged: unicode, emoji, quotes, question marks, large', async () => {
    const db = await open();
    const reviews = new ReviewStore(db);
    const text =
      'Вылетает при запуске 😡👍🏽👨‍👩‍👧 — «ёлка» e\u0301 ﷽ 中文 ' + "it's ? a $1 'quoted' ? text\\n\ttab\r\n" + '\u{1F600}';
    const large = 'x'.repeat(200_000) + '✓'.repeat(100_000);
    const row = await reviews.insert(gp('r?1', { text, title: "O'Brien ? $2", author: '🙂' }), 'deliver', null);
    await reviews.addVersion(row.reviewKey, gp('r?1', { text: large, rating: 5 }));
    const [v1, v2] = await reviews.versions(row.reviewKey);
    expect(v1!.review).toMatchObject({ text, title: "O'Brien ? $2", author: '🙂' });
    expect(v2!.review.text).toBe(large);
    expect(
      await db.value<string>('SELECT text FROM review_versions WHERE review_key = ? AND version = 1', [row.reviewKey]),
    ).toBe(text);
    // A `?` inside a quoted literal is text, not a placeholder, on both.
    expect(await db.value<string>(`SELECT 'a?b' || ? FROM reviews WHERE review_key = ?`, ['!', row.reviewKey])).toBe(
      'a?b!',
    );
    const cursors = new Cursors(db);
    await cursors.set('c', text);
    expect(await cursors.get('c')).toBe(text);
  });

  it('versions read back the same Review objects as the whole-review JSON gave (#20), also rows written before it', async () => {
    const db = await open();
    const reviews = new ReviewStore(db);
    const rich = gp('r-rich', {
      title: '',
      author: 'Ann',
      updatedAt: '2025-01-02T00:00:00.000Z',
      territory: 'USA',
      language: 'en',
      appVersion: '1.2',
      device: 'Pixel',
      osVersion: '14',
      thumbsUp: 0,
      thumbsDown: 3,
      translation: { language: 'ru', text: 'отзыв' },
      editedFlag: true,
      developerAnswer: { text: 'thanks', state: 'PUBLISHED', updatedAt: '2025-01-03T00:00:00.000Z', id: 'a1' },
      origin: 'public',
    });
    const bare = gp('r-bare');
    const asJson = (r: Review): Review => JSON.parse(JSON.stringify(r)) as Review;
    const row = await reviews.insert(rich, 'deliver', null);
    await reviews.addVersion(row.reviewKey, { ...bare, reviewId: 'r-rich', rating: 5 });
    await reviews.insert(bare, 'deliver', null);
    const richVersions = await reviews.versions(row.reviewKey);
    expect(richVersions.map((v) => v.review)).toStrictEqual([
      asJson(rich),
      asJson({ ...bare, reviewId: 'r-rich', rating: 5 }),
    ]);
    expect((await reviews.latest(reviewKey(bare)))!.review).toStrictEqual(asJson(bare));
    // Only what the columns do not hold is kept as JSON.
    expect(
      await db.value<string>('SELECT review_json FROM review_versions WHERE review_key = ? AND version = 1', [
        row.reviewKey,
      ]),
    ).toBe('{"origin":"public","translation":{"language":"ru","text":"отзыв"},"editedFlag":true,"answer":{"id":"a1"}}');
    // Seen again: the latest version takes the new answer and thumbs.
    const again = { ...bare, reviewId: 'r-rich', rating: 5, thumbsUp: 9, developerAnswer: { text: 'hi', id: 'a2' } };
    await reviews.touch(row.reviewKey, again);
    expect((await reviews.latest(row.reviewKey))!.review).toStrictEqual(asJson(again));
    // A re-created review takes over the history, which still names the old ids.
    const successor = gp('r-new', { text: 'edited' });
    await succeed(db, row.reviewKey, successor);
    expect((await reviews.versions(reviewKey(successor))).map((v) => v.review)).toStrictEqual([
      asJson(rich),
      asJson(again),
    ]);
    // A row written before #20 holds the whole review: read as it is.
    const legacy = { ...rich, reviewId: 'r-bare', text: 'legacy' };
    await db.run('UPDATE review_versions SET review_json = ? WHERE review_key = ?', [
      JSON.stringify(legacy),
      reviewKey(bare),
    ]);
    expect((await reviews.latest(reviewKey(bare)))!.review).toStrictEqual(asJson(legacy));
  });

  it('ON CONFLICT paths: upserts keep one row and apply the update rule', async () => {
    const db = await open();
    const cursors = new Cursors(db);
    await cursors.set('poll', 'a');
    await cursors.set('poll', 'b');
    expect(await cursors.get('poll')).toBe('b');
    expect(await db.value('SELECT COUNT(*) FROM cursors WHERE name = ?', ['poll'])).toBe(1);

    const labels = new LabelCache(db);
    await labels.set('crash', 1);
    await labels.set('crash', 2);
    expect(await labels.get('crash')).toBe(2);

    const setAside = new SetAsideRecords(db);
    expect(await setAside.record('gp:app', [{ id: 'x', reason: 'first' }])).toBe(1);
    expect(await setAside.record('gp:app', [{ id: 'x', reason: 'second' }, { reason: 'no id' }])).toBe(1);
    expect(await setAside.summary('gp:app')).toMatchObject({ count: 2 });
    expect(await db.value('SELECT times_seen FROM set_aside WHERE record_key = ?', ['x'])).toBe(2);
    expect([...(await setAside.ids('gp:app'))]).toEqual(['x']);

    const channel = new ChannelCases(db, 'cch1');
    await channel.remember([{ reviewKey: 'k', caseId: 20, userId: 200 }]);
    await channel.remember([{ reviewKey: 'k', caseId: 30, userId: 300 }]);
    await channel.remember([{ reviewKey: 'k', caseId: 10, userId: null }]);
    expect(await channel.find('k')).toEqual({ reviewKey: 'k', caseId: 10, userId: null });
    expect(await channel.count()).toBe(1);

    const reviews = new ReviewStore(db);
    const row = await reviews.insert(gp('r1'), 'deliver', null);
    const deliveries = new DeliveryOutbox(db);
    await deliveries.enqueue(row.reviewKey, 1, 'create');
    await deliveries.enqueue(row.reviewKey, 1, 'create');
    expect(await deliveries.forReview(row.reviewKey)).toHaveLength(1);
    expect(await deliveries.countsFor('google-play:com.acme')).toEqual({ pending: 1, failed: 0, done: 0 });

    const outbox = new ReplyOutbox(db);
    expect(await outbox.record({ messageId: 5, caseId: 1, text: 'one' })).toBe(true);
    expect(await outbox.record({ messageId: 5, caseId: 1, text: 'one again' })).toBe(false);
    expect(await db.value('SELECT text FROM replies WHERE message_id = 5')).toBe('one');
  });

  it('ISO times compare and order as text; ties are broken by the key on both', async () => {
    const db = await open();
    const setAside = new SetAsideRecords(db);
    // Same time for all (one call): the reasons come by record key.
    await setAside.record('gp:app', [
      { id: 'b', reason: 'B' },
      { id: 'a', reason: 'A' },
      { id: 'C', reason: 'upper C' },
    ]);
    expect((await setAside.summary('gp:app', 2)).reasons).toEqual(['upper C', 'A']);
    await setAside.pruneUnseenSince('gp:app', '9999-01-01T00:00:00.000Z');
    expect((await setAside.summary('gp:app')).count).toBe(0);

    const reviews = new ReviewStore(db);
    await reviews.insert(gp('late'), 'deliver', null, '2025-06-02T00:00:00.000Z');
    await reviews.insert(gp('early'), 'deliver', null, '2025-06-01T23:59:59.999Z');
    expect((await reviews.forApp('google-play:com.acme')).map((r) => r.reviewId)).toEqual(['early', 'late']);
    expect(await backlogTaken(db, 'google-play:com.acme', null)).toBe(2);
    expect(await backlogTaken(db, 'google-play:com.acme', '2025-01-01T00:00:00.000Z')).toBe(0);
    expect(await backlogTaken(db, 'google-play:com.acme', '2025-01-01T00:00:00.001Z')).toBe(2);
  });

  it('identity: the state is bound to its first owner; another owner is refused', async () => {
    const db = await open();
    const owner = { account: 'https://acme.omnidesk.ru', channel: 'cch1' };
    await bindState(db, owner);
    await bindState(db, owner);
    await expect(bindState(db, { ...owner, channel: 'cch2' })).rejects.toBeInstanceOf(StateMismatchError);
  });

  it('report and status queries give the same figures on both backends', async () => {
    const db = await seedReportHistory(await open());
    const mine = await reportFigures(db);
    expect(mine.reviews).toHaveLength(6);
    expect(mine.none).toEqual([]);
    figures[backend] = mine;
    // Whichever backend runs second compares with the first.
    const other = figures[backend === 'sqlite' ? 'postgres' : 'sqlite'];
    if (other) expect(mine).toEqual(other);
  });
});
