import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.js';
import { ReplyPublisher } from '../../../src/engine/reply-publisher.js';
import { ConfigError, RemoteError } from '../../../src/errors.js';
import { backends } from '../../helpers/backends.js';
import { memoryLogger } from '../../../src/log.js';
import type { StateDb } from '../../../src/state/handle.js';
import {
  allStores,
  FakeHelpdesk,
  fakeServices,
  seedReview,
  staffReply,
  testConfig,
  transient,
  type FakeStore,
} from '../../helpers/fakes.js';

let db: StateDb;
let helpdesk: FakeHelpdesk;
let stores: Record<'app-store' | 'google-play' | 'rustore', FakeStore>;
let clock: number;

describe.each(backends)('state on %s', (_backend, open) => {
  beforeEach(async () => {
    db = await open();
    helpdesk = new FakeHelpdesk();
    stores = allStores();
    clock = Date.parse('2025-06-01T10:00:00Z');
  });

  function publisher(opts: { config?: Partial<ConfigInput>; stores?: Partial<typeof stores> } = {}): ReplyPublisher {
    return new ReplyPublisher({
      db,
      config: testConfig(opts.config),
      services: fakeServices(helpdesk, opts.stores ?? stores),
      logger: memoryLogger(),
      now: () => clock,
      retryBaseMs: 1_000,
    });
  }

  describe('ReplyPublisher.accept', () => {
    it('records a staff reply once; a second delivery is a duplicate', async () => {
      const p = publisher();
      expect(await p.accept(staffReply(1, 10, 'Thanks!'))).toBe('recorded');
      expect(await p.accept(staffReply(1, 10, 'Thanks!'))).toBe('duplicate');
      expect(await p.outbox.all()).toHaveLength(1);
      expect(await p.outbox.get(1)).toMatchObject({ caseId: 10, text: 'Thanks!', state: 'pending', staffId: 77 });
    });

    it('ignores notes, customer messages, other events and our own notes', async () => {
      const p = publisher();
      expect(await p.accept(staffReply(1, 10, 'internal', { note: true }))).toBe('ignored');
      expect(await p.accept(staffReply(2, 10, 'from the user', { staffId: 0, userId: 5 }))).toBe('ignored');
      expect(await p.accept(staffReply(3, 10, 'x', { type: 'case_closed' }))).toBe('ignored');
      expect(await p.accept(staffReply(4, 10, 'asodesk-omni: the reply is published on Google Play.'))).toBe('ignored');
      expect(await p.outbox.all()).toEqual([]);
    });

    it('records rule replies unless publishRuleReplies is false', async () => {
      expect(await publisher().accept(staffReply(1, 10, 'auto', { sentViaRule: true }))).toBe('recorded');
      expect(
        await publisher({
          config: { webhook: { secret: 'test-secret-0123456789abcdef', publishRuleReplies: false } },
        }).accept(staffReply(2, 10, 'auto', { sentViaRule: true })),
      ).toBe('ignored');
    });
  });

  describe('ReplyPublisher.flush', () => {
    it('publishes to Google Play and notes the case once', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher();
      await p.accept(staffReply(1, 10, '  We fixed it in 2.1  '));
      const report = await p.flush();
      expect(report).toMatchObject({ published: 1, notes: 1 });
      expect(stores['google-play'].calls).toEqual([
        {
          app: { store: 'google-play', appId: 'com.acme.app' },
          reviewId: 'gp:r1',
          text: 'We fixed it in 2.1',
          previousAnswerId: undefined,
        },
      ]);
      expect(helpdesk.notesFor(10)).toEqual(['asodesk-omni: the reply is published on Google Play.']);
      expect(await p.outbox.get(1)).toMatchObject({ state: 'published', storeState: 'PUBLISHED' });
      // Nothing due any more: a second flush sends and notes nothing.
      expect(await p.flush()).toMatchObject({ published: 0, notes: 0 });
      expect(stores['google-play'].calls).toHaveLength(1);
      expect(helpdesk.notes).toHaveLength(1);
    });

    it('takes 350 characters on Google Play and refuses 351 without sending', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:a', 10);
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:b', 11);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'x'.repeat(350)));
      await p.accept(staffReply(2, 11, 'y'.repeat(351)));
      const report = await p.flush();
      expect(report).toMatchObject({ published: 1, refused: 1 });
      expect(stores['google-play'].calls.map((c) => c.text.length)).toEqual([350]);
      const note = helpdesk.notesFor(11)[0]!;
      expect(note).toContain('351');
      expect(note).toContain('350');
      expect(note).toMatch(/not published/);
      expect(await p.outbox.get(2)).toMatchObject({ state: 'refused' });
    });

    it('refuses without store credentials and says how to add them', async () => {
      await seedReview(db, 'app-store', '1234567890', 'r-1', 10);
      const p = publisher({ stores: { 'google-play': stores['google-play'] } });
      await p.accept(staffReply(1, 10, 'Hello'));
      expect(await p.flush()).toMatchObject({ refused: 1 });
      const note = helpdesk.notesFor(10)[0]!;
      expect(note).toContain('App Store credentials');
      expect(note).toContain('asodesk-omni init');
      expect(note).toContain('Store credentials');
    });

    it('publishes the text of a reply with attachments and says they were left out', async () => {
      await seedReview(db, 'app-store', '1234567890', 'r-1', 10);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'See the screenshot', { attachments: ['https://files.test/a.png'] }));
      expect(await p.flush()).toMatchObject({ awaiting: 1 });
      expect(stores['app-store'].calls[0]?.text).toBe('See the screenshot');
      const note = helpdesk.notesFor(10)[0]!;
      expect(note).toContain('pending publication');
      expect(note).toContain('Attachments were left out');
    });

    it('falls back to the case field in Omnidesk for a case unknown locally', async () => {
      helpdesk.addCase({ caseId: 42, labels: [], reviewKey: 'rustore:com.acme.ru:777' });
      const p = publisher();
      await p.accept(staffReply(1, 42, 'Спасибо за отзыв'));
      expect(await p.flush()).toMatchObject({ awaiting: 1 });
      expect(helpdesk.getCaseCalls).toBe(1);
      expect(stores.rustore.calls[0]).toMatchObject({
        reviewId: '777',
        app: { store: 'rustore', appId: 'com.acme.ru' },
      });
      expect(await p.outbox.get(1)).toMatchObject({
        reviewKey: 'rustore:com.acme.ru:777',
        state: 'awaiting',
        storeState: 'MODERATION',
        answerId: 'answer-1',
      });
      expect(helpdesk.notesFor(42)[0]).toContain('on moderation');
    });

    it('refuses a case linked to no review, with a note', async () => {
      helpdesk.addCase({ caseId: 43, labels: [] });
      const p = publisher();
      await p.accept(staffReply(1, 43, 'Hi'));
      expect(await p.flush()).toMatchObject({ refused: 1 });
      expect(helpdesk.notesFor(43)[0]).toContain('not linked to a store review');
    });

    it('passes the previous RuStore answer id when the agent answers again', async () => {
      await seedReview(db, 'rustore', 'com.acme.ru', '555', 10);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'first'));
      await p.flush();
      await p.accept(staffReply(2, 10, 'second'));
      await p.flush();
      expect(stores.rustore.calls.map((c) => c.previousAnswerId)).toEqual([undefined, 'answer-1']);
    });

    it('retries a transient failure later with growing delays, and notes only the final failure', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher({ config: { sync: { maxAttempts: 3 } } });
      stores['google-play'].failures.push(transient(), transient(), transient('Google Play answered 503 three times.'));
      await p.accept(staffReply(1, 10, 'Hello'));

      expect(await p.flush()).toMatchObject({ retrying: 1 });
      const first = (await p.outbox.get(1))!;
      expect(first.state).toBe('pending');
      expect(Date.parse(first.nextAttemptAt!) - clock).toBe(1_000);
      expect(await p.flush()).toMatchObject({ retrying: 0, skipped: 0, published: 0 }); // not due yet
      expect(stores['google-play'].calls).toHaveLength(1);
      expect(helpdesk.notes).toEqual([]);

      clock += 1_000;
      expect(await p.flush()).toMatchObject({ retrying: 1 });
      expect(Date.parse((await p.outbox.get(1))!.nextAttemptAt!) - clock).toBe(2_000);
      clock += 2_000;
      expect(await p.flush()).toMatchObject({ failed: 1 });
      expect(await p.outbox.get(1)).toMatchObject({ state: 'failed', attempts: 3 });
      expect(helpdesk.notesFor(10)).toEqual([
        'asodesk-omni: the reply could not be published on Google Play: Google Play answered 503 three times. Send it again to retry.',
      ]);
    });

    it('publishes after a transient failure once the retry time comes', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher();
      stores['google-play'].failures.push(transient());
      await p.accept(staffReply(1, 10, 'Hello'));
      await p.flush();
      clock += 1_000;
      expect(await p.flush()).toMatchObject({ published: 1 });
      expect(helpdesk.notesFor(10)).toHaveLength(1);
    });

    it('fails a permanent error at once with the reason in the note', async () => {
      await seedReview(db, 'app-store', '1234567890', 'r-1', 10);
      const p = publisher();
      stores['app-store'].failures.push(
        new RemoteError({
          kind: 'permission',
          service: 'App Store Connect',
          status: 403,
          message: 'App Store Connect refused: the key lacks the Customer Support role.',
        }),
      );
      await p.accept(staffReply(1, 10, 'Hello'));
      expect(await p.flush()).toMatchObject({ failed: 1 });
      expect(helpdesk.notesFor(10)[0]).toContain('Customer Support role');
    });

    it('never publishes the same row from two flushes running at once', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const a = publisher();
      const b = publisher();
      await a.accept(staffReply(1, 10, 'Hello'));
      const [ra, rb] = await Promise.all([a.flush(), b.flush()]);
      expect(ra.published + rb.published).toBe(1);
      expect(stores['google-play'].calls).toHaveLength(1);
      expect(helpdesk.notes).toHaveLength(1);
    });

    it('takes over a claim left by a dead process only once it is stale', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'Hello'));
      expect(await p.outbox.claim(1, clock)).toBe(true); // the dead process claimed, then died
      expect(await p.flush()).toMatchObject({ published: 0 });
      clock += 5 * 60_000 + 1;
      expect(await p.flush()).toMatchObject({ published: 1 });
      expect(stores['google-play'].calls).toHaveLength(1);
    });

    it('retries a note that Omnidesk could not take, without noting twice', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher();
      helpdesk.noteFailures.push(
        new RemoteError({ kind: 'rate-limited', service: 'Omnidesk', status: 429, message: 'Omnidesk rate limit' }),
      );
      await p.accept(staffReply(1, 10, 'Hello'));
      expect(await p.flush()).toMatchObject({ published: 1, notes: 0 });
      expect(await p.flush()).toMatchObject({ notes: 1 });
      expect(await p.flush()).toMatchObject({ notes: 0 });
      expect(helpdesk.notesFor(10)).toEqual(['asodesk-omni: the reply is published on Google Play.']);
      expect(stores['google-play'].calls).toHaveLength(1);
    });

    it('refuses an older reply whose retry comes after a newer one was sent', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher();
      stores['google-play'].failures.push(transient());
      await p.accept(staffReply(1, 10, 'first'));
      await p.flush();
      await p.accept(staffReply(2, 10, 'second'));
      clock += 100;
      await p.flush();
      clock += 1_000;
      expect(await p.flush()).toMatchObject({ refused: 1 });
      expect(stores['google-play'].calls.map((c) => c.text)).toEqual(['first', 'second']);
      expect((await p.outbox.get(1))?.lastError).toContain('later reply');
    });

    it('waits for a spent quota to free instead of failing', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher();
      stores['google-play'].failures.push(
        new RemoteError({
          kind: 'quota',
          service: 'Google Play',
          retryAfterMs: 3_600_000,
          message: 'Google Play: the replies per day are spent. Nothing was sent.',
        }),
      );
      await p.accept(staffReply(1, 10, 'Hello'));
      expect(await p.flush()).toMatchObject({ retrying: 1 });
      expect(Date.parse((await p.outbox.get(1))!.nextAttemptAt!) - clock).toBe(3_600_000);
      clock += 3_600_000;
      expect(await p.flush()).toMatchObject({ published: 1 });
    });

    it('refuses with the setting named when the store credentials cannot be used', async () => {
      await seedReview(db, 'app-store', '1234567890', 'r-1', 10);
      const services = fakeServices(helpdesk, stores);
      services.replyConnector = () => {
        throw new ConfigError(
          'stores.appStore.privateKeyPath: the file /keys/AuthKey.p8 does not exist.',
          [],
          'Point the setting at the key file.',
        );
      };
      const p = new ReplyPublisher({ db, config: testConfig(), services, logger: memoryLogger(), now: () => clock });
      await p.accept(staffReply(1, 10, 'Hello'));
      expect(await p.flush()).toMatchObject({ refused: 1 });
      expect(helpdesk.notesFor(10)[0]).toContain('/keys/AuthKey.p8 does not exist');
      expect((await p.outbox.get(1))?.state).toBe('refused');
    });

    it('writes notes in Russian when the config language is ru', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher({ config: { language: 'ru' } });
      await p.accept(staffReply(1, 10, 'Спасибо'));
      await p.flush();
      expect(helpdesk.notesFor(10)).toEqual(['asodesk-omni: ответ опубликован в Google Play.']);
    });
  });

  describe('ReplyPublisher.readBack', () => {
    it('notes publication on the App Store once', async () => {
      await seedReview(db, 'app-store', '1234567890', 'r-1', 10);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'Hello'));
      await p.flush();
      stores['app-store'].status = { state: 'PENDING_PUBLISH' };
      expect(await p.readBack()).toMatchObject({ checked: 1, unchanged: 1 });
      stores['app-store'].status = { state: 'PUBLISHED', answerId: 'answer-1' };
      expect(await p.readBack()).toMatchObject({ checked: 1, published: 1 });
      expect(await p.readBack()).toMatchObject({ checked: 0 });
      expect(helpdesk.notesFor(10)).toEqual([
        expect.stringContaining('pending publication'),
        'asodesk-omni: the reply is published on App Store.',
      ]);
      expect(await p.outbox.get(1)).toMatchObject({ state: 'published', storeState: 'PUBLISHED' });
      // The flush's note pass finds nothing owed either.
      expect(await p.flush()).toMatchObject({ notes: 0 });
    });

    it('finalises an older pending answer replaced by a newer reply, without a note', async () => {
      await seedReview(db, 'app-store', '1234567890', 'r-1', 10);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'first'));
      await p.flush();
      await p.accept(staffReply(2, 10, 'second'));
      await p.flush();
      stores['app-store'].status = { state: 'PUBLISHED' };
      expect(await p.readBack()).toMatchObject({ checked: 1, published: 1 });
      expect(await p.outbox.get(1)).toMatchObject({ state: 'published', storeState: 'REPLACED' });
      expect(await p.outbox.get(2)).toMatchObject({ state: 'published', storeState: 'PUBLISHED' });
      expect(helpdesk.notesFor(10)).toEqual([
        expect.stringContaining('pending'),
        expect.stringContaining('pending'),
        'asodesk-omni: the reply is published on App Store.',
      ]);
      expect(await p.flush()).toMatchObject({ notes: 0 });
    });

    it('notes a RuStore rejection with the moderator reason', async () => {
      await seedReview(db, 'rustore', 'com.acme.ru', '555', 10);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'Hello'));
      await p.flush();
      stores.rustore.status = { state: 'REJECTED', reason: 'contains a link' };
      expect(await p.readBack()).toMatchObject({ rejected: 1 });
      await p.readBack();
      expect(helpdesk.notesFor(10)).toEqual([
        expect.stringContaining('on moderation'),
        'asodesk-omni: RuStore rejected the reply: contains a link. Edit it and send it again.',
      ]);
      expect(await p.outbox.get(1)).toMatchObject({ state: 'rejected' });
    });
  });
});
