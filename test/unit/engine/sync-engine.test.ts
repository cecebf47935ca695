import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../../src/config/schema.js';
import type { StoreConnector } from '../../../src/connectors/stores/types.js';
import { contentFingerprint, reviewKey, storedFingerprint, type StoreId } from '../../../src/domain/review.js';
import { SyncEngine } from '../../../src/engine/sync-engine.js';
import { LockedError, RemoteError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { DeliveryOutbox } from '../../../src/state/deliveries.js';
import { acquireLock } from '../../../src/state/lock.js';
import { takeSyncLeases } from '../../../src/state/sync-leases.js';
import { backends, liveHolder } from '../../helpers/backends.js';
import { FakeHelpdesk, FakeStore, makeReview } from '../../helpers/fakes.js';

describe.each(backends)('state on %s', (backend, open) => {
  async function setup(appOverrides: object[] = [{}]) {
    const config: Config = configSchema.parse({
      omnidesk: { subdomain: 'acme', staffEmail: 'a@acme.test', apiKey: 'key-123456', channel: 'cch1' },
      apps: appOverrides.map((o, i) => ({ id: `app${i}`, store: 'google-play', appId: `com.acme.app${i}`, ...o })),
      tagRules: [{ label: 'crash', match: ['crash'] }],
    });
    const db = await open();
    const helpdesk = new FakeHelpdesk();
    const stores: Record<StoreId, FakeStore> = {
      'app-store': new FakeStore('app-store', 'api', { editDetection: 'content', recreatesEditedReviews: true }),
      'google-play': new FakeStore('google-play'),
      rustore: new FakeStore('rustore'),
    };
    const broken = new Set<string>();
    const services = {
      helpdesk,
      sourceFor: (app: { id: string; store: StoreId }) => {
        if (broken.has(app.id))
          throw new RemoteError({ kind: 'auth', service: 'Google Play', message: 'Google Play: key revoked' });
        return { connector: stores[app.store] as StoreConnector, credentialsMissing: false };
      },
      replyConnector: (s: StoreId) => stores[s] as StoreConnector,
    };
    const engine = new SyncEngine({ db, config, services, logger: memoryLogger() });
    return { config, db, helpdesk, stores, engine, broken };
  }

  describe('sync engine', () => {
    it('first sync imports the newest unanswered reviews up to the backlog, records the rest as seen', async () => {
      const { engine, stores, helpdesk, db } = await setup([{ filters: { backlog: 3 } }]);
      const gp = stores['google-play'];
      for (let i = 0; i < 8; i++)
        gp.reviews.push(
          makeReview({
            store: 'google-play',
            appId: 'com.acme.app0',
            developerAnswer: i === 7 ? { text: 'thanks' } : undefined,
          }),
        );
      const report = await engine.run();
      // The newest (i=7) has an answer already: the 3 newest unanswered are i=6,5,4.
      expect(helpdesk.cases.map((c) => c.userCustomId)).toEqual(
        gp.reviews
          .slice(4, 7)
          .reverse()
          .map((r) => `google-play:com.acme.app0:${r.reviewId}`),
      );
      expect(report.apps[0]).toMatchObject({ fetched: 8, new: 8, created: 3, backlogSkipped: 5, outcome: 'ok' });
      expect(await db.value<number>('SELECT COUNT(*) FROM reviews')).toBe(8);
    });

    it('records set aside by the connector are counted and shown, not failures; the rest of the page flows', async () => {
      const { engine, stores, helpdesk } = await setup();
      const gp = stores['google-play'];
      gp.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
      gp.setAside = [{ id: 'gp:bad', reason: 'starRating missing' }];
      const report = await engine.run();
      expect(report.apps[0]).toMatchObject({
        fetched: 1,
        created: 1,
        setAside: 1,
        setAsideReasons: ['starRating missing'],
        failed: 0,
        outcome: 'ok',
      });
      expect(report.outcome).toBe('ok');
      expect(helpdesk.cases).toHaveLength(1);
    });

    it('releases the run lock when the run itself throws', async () => {
      const { engine, db } = await setup();
      // Right after taking the lock the run cannot record itself.
      await db.run('DROP TABLE runs');
      await expect(engine.run()).rejects.toThrow(/runs/);
      expect(async () => (await acquireLock(db, 'sync')).release()).not.toThrow();
    });

    it('a second sync with nothing new sends nothing and reads one page', async () => {
      const { engine, stores, helpdesk } = await setup();
      const gp = stores['google-play'];
      gp.pageSize = 5;
      for (let i = 0; i < 12; i++) gp.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
      await engine.run();
      const writes = helpdesk.writes;
      gp.requests = 0;
      const report = await engine.run();
      expect(gp.requests).toBe(1);
      expect(helpdesk.writes).toBe(writes);
      expect(report.apps[0]).toMatchObject({ new: 0, edited: 0, created: 0, updated: 0 });
    });

    it('rows written before #20 (full-text fingerprint, whole review JSON) are unchanged; a changed text is an edit', async () => {
      const { engine, stores, helpdesk, db } = await setup();
      const gp = stores['google-play'];
      for (let i = 0; i < 3; i++) gp.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
      await engine.run();
      const stored = await db.column<string>('SELECT fingerprint FROM reviews ORDER BY review_key');
      expect(stored.every((f) => /^[A-Za-z0-9_-]{43}$/.test(f))).toBe(true);
      // What an older version left: the content as JSON text, and the whole review per version.
      for (const r of gp.reviews) {
        const key = reviewKey(r);
        await db.run('UPDATE reviews SET fingerprint = ? WHERE review_key = ?', [contentFingerprint(r), key]);
        await db.run('UPDATE review_versions SET review_json = ? WHERE review_key = ?', [JSON.stringify(r), key]);
      }
      const writes = helpdesk.writes;
      expect((await engine.run()).apps[0]).toMatchObject({ new: 0, edited: 0, unchanged: 3, updated: 0 });
      expect(helpdesk.writes).toBe(writes);
      gp.reviews[0] = { ...gp.reviews[0]!, text: 'now it crashes' };
      expect((await engine.run()).apps[0]).toMatchObject({ new: 0, edited: 1 });
      expect(
        await db.value<string>('SELECT fingerprint FROM reviews WHERE review_key = ?', [reviewKey(gp.reviews[0])]),
      ).toBe(storedFingerprint(gp.reviews[0]));
    });

    it('many new reviews between syncs are all delivered, whenever the source asks whether a page is known', async () => {
      const { engine, stores, helpdesk } = await setup([{ filters: { backlog: 0 } }]);
      const gp = stores['google-play'];
      gp.pageSize = 10;
      for (let i = 0; i < 5; i++) gp.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
      await engine.run();
      for (let i = 0; i < 25; i++) gp.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
      const report = await engine.run();
      expect(report.apps[0]).toMatchObject({ new: 25, created: 25 });
      expect(helpdesk.cases).toHaveLength(25);
    });

    it('a pull that failed midway is read in full next time, so the pages behind are not skipped', async () => {
      const { engine, stores, helpdesk } = await setup([{ filters: { backlog: 0 } }]);
      const gp = stores['google-play'];
      gp.pageSize = 10;
      await engine.run();
      for (let i = 0; i < 30; i++) gp.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
      gp.failOnPage = {
        page: 2,
        error: new RemoteError({
          kind: 'transient',
          service: 'Google Play',
          message: 'Google Play: HTTP 503',
          status: 503,
        }),
      };
      const broken = await engine.run();
      expect(broken.apps[0]!.outcome).toBe('partial');
      expect(helpdesk.cases).toHaveLength(10);
      const next = await engine.run();
      expect(next.apps[0]).toMatchObject({ created: 20, outcome: 'ok' });
      expect(helpdesk.cases).toHaveLength(30);
      gp.requests = 0;
      await engine.run();
      expect(gp.requests).toBe(1);
    });

    it('new reviews after the first sync become cases; an edit updates the same case', async () => {
      const { engine, stores, helpdesk } = await setup([{ filters: { backlog: 0 } }]);
      const gp = stores['google-play'];
      gp.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
      await engine.run();
      expect(helpdesk.cases).toHaveLength(0);

      const fresh = makeReview({
        store: 'google-play',
        appId: 'com.acme.app0',
        rating: 4,
        text: 'It is nice but crash sometimes',
        appVersion: '1.0',
      });
      gp.reviews.push(fresh);
      await engine.run();
      expect(helpdesk.cases).toHaveLength(1);
      const c = helpdesk.cases[0]!;
      expect(helpdesk.labelTitles(c.caseId)).toEqual(expect.arrayContaining(['Google Play', '4★', 'crash', 'v1.0']));

      c.status = 'closed';
      Object.assign(gp.reviews[1]!, {
        rating: 1,
        text: 'Now it always crashes',
        updatedAt: new Date().toISOString(),
        appVersion: '1.1',
      });
      const report = await engine.run();
      expect(report.apps[0]).toMatchObject({ edited: 1, updated: 1, created: 0 });
      expect(helpdesk.cases).toHaveLength(1);
      expect(c.messages).toHaveLength(1);
      expect(c.messages[0]!.content).toContain('★★★★☆ → ★☆☆☆☆');
      expect(c.status).toBe('open');
      const labels = helpdesk.labelTitles(c.caseId);
      expect(labels).toEqual(expect.arrayContaining(['1★', 'edited', 'rating-down', 'v1.1']));
      expect(labels).not.toContain('4★');
      expect(labels).not.toContain('v1.0');
    });

    it('an edit of a review that filters dropped creates its case with the history', async () => {
      const { engine, stores, helpdesk } = await setup([{ filters: { backlog: 0, reviewType: 'became-worse' } }]);
      const gp = stores['google-play'];
      await engine.run();
      gp.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0', rating: 5, text: 'Love it' }));
      const first = await engine.run();
      expect(first.apps[0]!.dropped['review-type']).toBe(1);
      Object.assign(gp.reviews[0]!, { rating: 5, text: 'Love it!!', updatedAt: '2026-11-20T00:00:00Z' });
      const textOnly = await engine.run();
      expect(textOnly.apps[0]!.dropped['review-type']).toBe(1);
      Object.assign(gp.reviews[0]!, { rating: 2, text: 'Broken since update', updatedAt: '2026-11-21T00:00:00Z' });
      await engine.run();
      expect(helpdesk.cases).toHaveLength(1);
      expect(helpdesk.cases[0]!.content).toContain('Broken since update');
      expect(helpdesk.cases[0]!.content).toMatch(/Version 1 .*Love it/);
      expect(helpdesk.cases[0]!.content).toMatch(/Version 2 .*Love it!!/);
    });

    it('a create whose response was lost is reconciled: exactly one case', async () => {
      const { engine, stores, helpdesk, db } = await setup([{ filters: { backlog: 5 } }]);
      const gp = stores['google-play'];
      gp.reviews.push(
        makeReview({ store: 'google-play', appId: 'com.acme.app0' }),
        makeReview({ store: 'google-play', appId: 'com.acme.app0' }),
      );
      helpdesk.loseResponseOnce = 'createCase';
      const first = await engine.run();
      expect(first.outcome).toBe('partial');
      expect(helpdesk.cases).toHaveLength(2);
      const second = await engine.run();
      expect(second.apps[0]!.reconciled).toBe(1);
      expect(helpdesk.cases).toHaveLength(2);
      expect(new Set(helpdesk.cases.map((c) => c.userCustomId)).size).toBe(2);
      expect(await new DeliveryOutbox(db).open('google-play:com.acme.app0')).toEqual([]);
    });

    it('an edit message whose response was lost is not posted twice', async () => {
      const { engine, stores, helpdesk } = await setup([{ filters: { backlog: 5 } }]);
      const gp = stores['google-play'];
      gp.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
      await engine.run();
      Object.assign(gp.reviews[0]!, { rating: 5, text: 'edited', updatedAt: '2026-11-22T00:00:00Z' });
      helpdesk.loseResponseOnce = 'addCustomerMessage';
      await engine.run();
      await engine.run();
      expect(helpdesk.cases[0]!.messages).toHaveLength(1);
    });

    it('App Store: an edit re-created under a new id updates the same case', async () => {
      const { engine, stores, helpdesk } = await setup([{ store: 'app-store', appId: '111', filters: { backlog: 5 } }]);
      const as = stores['app-store'];
      as.reviews.push(makeReview({ store: 'app-store', appId: '111', author: 'Nick', territory: 'USA', rating: 2 }));
      await engine.run();
      as.reviews = [
        makeReview({
          store: 'app-store',
          appId: '111',
          author: 'Nick',
          territory: 'USA',
          rating: 5,
          text: 'fixed, thanks',
        }),
      ];
      const report = await engine.run();
      expect(helpdesk.cases).toHaveLength(1);
      expect(helpdesk.cases[0]!.messages[0]!.content).toContain('★★☆☆☆ → ★★★★★');
      expect(report.apps[0]).toMatchObject({ created: 0, updated: 1 });
    });

    it('one failing app does not stop the others; the run is partial', async () => {
      const { engine, stores, helpdesk, broken } = await setup([{}, {}]);
      broken.add('app0');
      stores['google-play'].reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app1' }));
      const report = await engine.run();
      expect(report.outcome).toBe('partial');
      expect(report.apps.find((a) => a.app === 'app0')!.outcome).toBe('failed');
      expect(report.apps.find((a) => a.app === 'app1')!.created).toBe(1);
      expect(helpdesk.cases).toHaveLength(1);
    });

    it('an Omnidesk outage leaves reviews queued and the next run delivers them', async () => {
      const { engine, stores, helpdesk } = await setup();
      stores['google-play'].reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
      helpdesk.failAll = new RemoteError({
        kind: 'transient',
        service: 'Omnidesk',
        message: 'Omnidesk: HTTP 503',
        status: 503,
      });
      const down = await engine.run();
      expect(down.apps[0]!.failed).toBe(1);
      helpdesk.failAll = undefined;
      const up = await engine.run();
      expect(up.apps[0]!.created).toBe(1);
      expect(up.outcome).toBe('ok');
    });

    it('a second run waits for nobody: on SQLite it sees the run lock and stops, on PostgreSQL it leaves the held apps; a dead holder is taken over', async () => {
      const { engine, db } = await setup();
      if (backend === 'sqlite') {
        const held = await acquireLock(db, 'sync');
        await expect(engine.run()).rejects.toBeInstanceOf(LockedError);
        await held.release();
        // A run killed with SIGKILL leaves its row; its pid is gone.
        const now = new Date().toISOString();
        await db.run(
          `INSERT INTO locks (name, pid, host, token, acquired_at, heartbeat_at) VALUES ('sync', 2147483646, ?, 't', ?, ?)`,
          [hostname(), now, now],
        );
        await expect(engine.run()).resolves.toMatchObject({ outcome: 'ok' });
        return;
      }
      // Another worker (its own sessions) holds the shared steps and the app.
      const other = await takeSyncLeases(db);
      const app = await other.app('google-play:com.acme.app0');
      expect(other.shared).toBe(true);
      expect(app).toBeDefined();
      const meanwhile = await engine.run();
      expect(meanwhile).toMatchObject({ outcome: 'ok', apps: [], appsElsewhere: ['app0'], sharedStepsElsewhere: true });
      // Its sessions end (as when it dies): the next run takes everything.
      await other.release();
      const next = await engine.run();
      expect(next.apps.map((a) => a.app)).toEqual(['app0']);
      expect(next.sharedStepsElsewhere).toBeUndefined();
    });

    it('dry run sends nothing', async () => {
      const { engine, stores, helpdesk } = await setup();
      stores['google-play'].reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
      const report = await engine.run({ dryRun: true });
      expect(helpdesk.writes).toBe(0);
      expect(report.apps[0]!.wouldSend).toHaveLength(1);
    });
  });

  describe('replies in flight', () => {
    it('the summary counts a reply another live process is publishing; a claim of a dead one is taken over in the run', async () => {
      const { engine, db } = await setup();
      const { ReplyOutbox } = await import('../../../src/state/replies.js');
      const { renderReport } = await import('../../../src/engine/report.js');
      const outbox = new ReplyOutbox(db);
      await outbox.record({ messageId: 1, caseId: 10, text: 'Held elsewhere' });
      const holder = '4242@another-host.example#7';
      await liveHolder(db, holder);
      await db.run(`UPDATE replies SET state = 'sending', claim_holder = ?, updated_at = ? WHERE message_id = 1`, [
        holder,
        new Date().toISOString(),
      ]);
      const report = await engine.run();
      expect(report.replies).toMatchObject({ inFlight: 1, stuck: 0 });
      expect(report.outcome).toBe('ok');
      expect(renderReport(report)).toContain('1 in flight');
      expect(await outbox.inFlight(Date.now() + 6 * 60_000)).toEqual({ inFlight: 1, stuck: 1 });
    });
  });
});
