import { describe, expect, it } from 'vitest';
import { startServeHook } from '../../../src/server/serve-hook.js';
import { pollReplies } from '../../../src/engine/poll-replies.js';
import { postWebhook, webhookForm } from '../../../src/emulators/omnidesk/webhook.js';
import { backends } from '../../helpers/backends.js';
import { answerWrites, apps, secret, startLoop, waitFor, type Loop } from './setup.js';

async function listen(loop: Loop, opts: { debounceMs?: number } = {}) {
  const hook = await startServeHook({
    db: loop.db,
    config: loop.config,
    services: loop.services,
    logger: loop.logger,
    host: '127.0.0.1',
    port: 0,
    debounceMs: opts.debounceMs ?? 10,
    retryIntervalMs: 60_000,
  });
  loop.omni.setChannelWebhook('cch1', `${hook.server.url}/omnidesk/webhook/${secret}`);
  return hook;
}

describe.each(backends)('state on %s', (_backend, open) => {
  describe('serve-hook end to end', () => {
    it('publishes an agent reply to each store and notes the outcome in the case', async () => {
      const loop = await startLoop({}, { state: await open() });
      const hook = await listen(loop);
      try {
        const gp = await loop.reviewWithCase('google-play');
        const asc = await loop.reviewWithCase('app-store');
        const ru = await loop.reviewWithCase('rustore');
        for (const [c, text] of [
          [gp, 'Fixed in 2.1, thanks!'],
          [asc, 'Fixed in 2.1 for iOS'],
          [ru, 'Исправили в 2.1'],
        ] as const) {
          const sent = await loop.omni.addStaffReply(c.caseId, text);
          expect(sent.webhookStatus).toBe(200);
        }
        await waitFor(() => [gp, asc, ru].every((c) => loop.notes(c.caseId).length === 1), 'three outcome notes');

        expect(loop.gp.replies(apps['google-play'])).toEqual([
          expect.objectContaining({ reviewId: gp.reviewId, text: 'Fixed in 2.1, thanks!' }),
        ]);
        expect(loop.asc.responses()).toEqual([
          expect.objectContaining({ reviewId: asc.reviewId, responseBody: 'Fixed in 2.1 for iOS' }),
        ]);
        expect(loop.ru.feedback()).toEqual([
          expect.objectContaining({ commentId: Number(ru.reviewId), text: 'Исправили в 2.1' }),
        ]);

        expect(loop.notes(gp.caseId)).toEqual(['asodesk-omni: the reply is published on Google Play.']);
        expect(loop.notes(asc.caseId)[0]).toContain('sent to App Store and is pending publication');
        expect(loop.notes(ru.caseId)[0]).toContain('sent to RuStore and is on moderation');

        // Read-back: Apple publishes, RuStore's moderation passes; one more note each, then none.
        hook.loop.enqueueReadBack();
        await hook.loop.idle();
        expect(loop.notes(asc.caseId)[1]).toBe('asodesk-omni: the reply is published on App Store.');
        expect(loop.notes(ru.caseId)[1]).toBe('asodesk-omni: the reply is published on RuStore.');
        hook.loop.enqueueReadBack();
        await hook.loop.idle();
        expect([gp, asc, ru].map((c) => loop.notes(c.caseId).length)).toEqual([1, 2, 2]);
        // Our notes never came back as replies.
        expect((await hook.publisher.outbox.all()).map((r) => r.state)).toEqual([
          'published',
          'published',
          'published',
        ]);
      } finally {
        await hook.stop();
      }
    });

    it('publishes a webhook delivered twice only once', async () => {
      const loop = await startLoop({}, { state: await open() });
      const hook = await listen(loop, { debounceMs: 50 });
      try {
        const c = await loop.reviewWithCase('google-play');
        loop.omni.setChannelWebhook('cch1', undefined);
        const { messageId } = await loop.omni.addStaffReply(c.caseId, 'Thanks!');
        const form = webhookForm(
          loop.omni.cases().find((x) => x.caseId === c.caseId)!,
          loop.omni.messages(c.caseId).find((m) => m.messageId === messageId)!,
        );
        const url = `${hook.server.url}/omnidesk/webhook/${secret}`;
        const results = await Promise.all([postWebhook(url, form), postWebhook(url, form)]);
        expect(results.map((r) => r.status)).toEqual([200, 200]);
        await waitFor(() => loop.notes(c.caseId).length === 1, 'the outcome note');
        await postWebhook(url, form); // a late redelivery
        await new Promise((r) => setTimeout(r, 100));
        await hook.loop.idle();
        expect(answerWrites(loop, 'google-play')).toBe(1);
        expect(loop.notes(c.caseId)).toHaveLength(1);
      } finally {
        await hook.stop();
      }
    });

    it('publishes exactly once what a listener stopped before publishing had accepted (sync flushes it)', async () => {
      const loop = await startLoop({}, { state: await open() });
      const hook = await listen(loop, { debounceMs: 60_000 });
      const c = await loop.reviewWithCase('rustore');
      const sent = await loop.omni.addStaffReply(c.caseId, 'Спасибо, исправили');
      expect(sent.webhookStatus).toBe(200);
      await hook.stop(); // "killed" after acknowledging, before its flush ran
      expect(answerWrites(loop, 'rustore')).toBe(0);

      const sync = loop.publisher();
      expect(await sync.flush()).toMatchObject({ awaiting: 1, notes: 1 });
      expect(await sync.flush()).toMatchObject({ awaiting: 0, notes: 0 });
      expect(loop.ru.feedback()).toHaveLength(1);
      expect(answerWrites(loop, 'rustore')).toBe(1);
    });

    it('takes over a claim whose process died after the store took the answer, without answering twice', async () => {
      const loop = await startLoop({}, { state: await open() });
      const c = await loop.reviewWithCase('rustore');
      let clock = Date.now();
      const dead = loop.publisher(() => clock);
      await dead.acceptMessage({
        messageId: 1,
        caseId: c.caseId,
        staffId: 1,
        content: 'Спасибо!',
        note: false,
        sentViaRule: false,
        attachments: [],
      });
      expect(await dead.outbox.claim(1, clock)).toBe(true);
      // The dead process got as far as the store, and died before recording it.
      await loop.services.replyConnector('rustore')!.publishReply!(
        { store: 'rustore', appId: apps.rustore },
        c.reviewId,
        'Спасибо!',
      );

      const sync = loop.publisher(() => clock);
      expect(await sync.flush()).toMatchObject({ published: 0, awaiting: 0, skipped: 0 }); // a fresh claim is left alone
      clock += 5 * 60_000 + 1;
      const report = await sync.flush();
      expect(report.published + report.awaiting).toBe(1);
      expect(loop.ru.feedback()).toHaveLength(1);
      expect(answerWrites(loop, 'rustore')).toBe(1);
      expect(loop.notes(c.caseId)).toHaveLength(1);
    });

    it('publishes once when RuStore saved the answer but the response was lost', async () => {
      const loop = await startLoop({}, { state: await open() });
      const c = await loop.reviewWithCase('rustore');
      const publisher = loop.publisher();
      await publisher.acceptMessage({
        messageId: 1,
        caseId: c.caseId,
        staffId: 1,
        content: 'Спасибо!',
        note: false,
        sentViaRule: false,
        attachments: [],
      });
      loop.ru.failNextCreate({ status: 502, afterSaving: true });
      const report = await publisher.flush();
      expect(report.published + report.awaiting).toBe(1);
      expect(loop.ru.feedback()).toHaveLength(1);
      expect(loop.notes(c.caseId)).toHaveLength(1);
    });

    it('sync --poll-replies records replies from Omnidesk and publishes them once, even when the webhook also saw them', async () => {
      const loop = await startLoop({}, { state: await open() });
      const gp = await loop.reviewWithCase('google-play');
      const asc = await loop.reviewWithCase('app-store', { local: false }); // known to Omnidesk only
      await loop.omni.addStaffReply(gp.caseId, 'Thanks from polling');
      await loop.omni.addStaffReply(asc.caseId, 'Fixed for iOS');
      await loop.omni.addStaffReply(asc.caseId, 'internal remark', { note: true });

      const publisher = loop.publisher();
      const polled = await pollReplies({ db: loop.db, services: loop.services, logger: loop.logger, publisher });
      expect(polled).toMatchObject({ replies: 2, recorded: 2, duplicates: 0, errors: 0 });
      expect(await publisher.flush()).toMatchObject({ published: 1, awaiting: 1 });
      expect(loop.gp.replies(apps['google-play'])).toEqual([expect.objectContaining({ text: 'Thanks from polling' })]);
      expect(loop.asc.responses()).toEqual([
        expect.objectContaining({ reviewId: asc.reviewId, responseBody: 'Fixed for iOS' }),
      ]);

      // The next poll sees the same cases (our notes updated them) and records nothing new.
      const again = await pollReplies({ db: loop.db, services: loop.services, logger: loop.logger, publisher });
      expect(again.recorded).toBe(0);
      // A reply that reaches both the webhook and the poll is published once.
      const hook = await listen(loop);
      try {
        await loop.omni.addStaffReply(gp.caseId, 'Second answer');
        await waitFor(() => loop.gp.replies(apps['google-play'])[0]?.text === 'Second answer', 'the second answer');
        await hook.loop.idle();
        const third = await pollReplies({ db: loop.db, services: loop.services, logger: loop.logger, publisher });
        expect(third).toMatchObject({ recorded: 0 });
        expect(await publisher.flush()).toMatchObject({ published: 0, awaiting: 0 });
        expect(answerWrites(loop, 'google-play')).toBe(2);
      } finally {
        await hook.stop();
      }
    });

    it('refuses a Google Play reply over 350 characters with a note and sends nothing', async () => {
      const loop = await startLoop({}, { state: await open() });
      const hook = await listen(loop);
      try {
        const c = await loop.reviewWithCase('google-play');
        await loop.omni.addStaffReply(c.caseId, 'x'.repeat(351));
        await waitFor(() => loop.notes(c.caseId).length === 1, 'the refusal note');
        expect(loop.notes(c.caseId)[0]).toMatch(/at most 350 characters; this one has 351/);
        expect(answerWrites(loop, 'google-play')).toBe(0);
      } finally {
        await hook.stop();
      }
    });
  });
});
