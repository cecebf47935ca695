/**
 * Two serve-hook replicas on one PostgreSQL state (in this process, each with its own
 * PgStateDb, services and listener, as two pods behind a load balancer would have): the same
 * webhook delivered to both at the same moment, and a burst split and duplicated across them,
 * publish one store answer and one outcome note per reply. A claim whose holder's process died
 * (its liveness session gone) is taken over by the other replica at once, not after the stale
 * window.
 */
import { describe, expect, it } from 'vitest';
import type { StoreId } from '../../../src/domain/review.js';
import { postWebhook, webhookForm } from '../../../src/emulators/omnidesk/webhook.js';
import { ReplyPublisher } from '../../../src/engine/reply-publisher.js';
import { buildServices } from '../../../src/engine/wiring.js';
import { memoryLogger } from '../../../src/log.js';
import { startServeHook, type RunningServeHook } from '../../../src/server/serve-hook.js';
import type { StateDb } from '../../../src/state/handle.js';
import { freshPgState, liveHolder, openPgAgain } from '../../helpers/backends.js';
import { staffReply } from '../../helpers/fakes.js';
import { waitFor } from '../../helpers/wait.js';
import { answerWrites, secret, startLoop, type Loop } from './setup.js';

interface Replica {
  db: StateDb;
  hook: RunningServeHook;
  url: string;
}

/** A replica: its own connection pool and liveness on the shared state, its own services and port. */
async function replica(loop: Loop, stateUrl: string): Promise<Replica> {
  const db = await openPgAgain(stateUrl);
  const logger = memoryLogger();
  const services = buildServices(loop.config, loop.location, logger, {
    backoffBaseMs: 1,
    timeoutMs: 5_000,
    wait: async () => {},
  });
  const hook = await startServeHook({
    db,
    config: loop.config,
    services,
    logger,
    host: '127.0.0.1',
    port: 0,
    debounceMs: 10,
    retryIntervalMs: 60_000,
  });
  return { db, hook, url: `${hook.server.url}/omnidesk/webhook/${secret}` };
}

async function twoReplicas(): Promise<{ loop: Loop; a: Replica; b: Replica; stateUrl: string }> {
  const { url: stateUrl } = await freshPgState();
  const loop = await startLoop({}, { state: await openPgAgain(stateUrl) });
  // Omnidesk posts nothing by itself: each test delivers the webhooks to the replicas it chooses.
  loop.omni.setChannelWebhook('cch1', undefined);
  const a = await replica(loop, stateUrl);
  const b = await replica(loop, stateUrl);
  return { loop, a, b, stateUrl };
}

async function stopAll(...replicas: Replica[]): Promise<void> {
  for (const r of replicas) await r.hook.stop();
}

const stores: StoreId[] = ['google-play', 'app-store', 'rustore'];

function totalAnswers(loop: Loop): number {
  return stores.reduce((n, s) => n + answerWrites(loop, s), 0);
}

describe('two serve-hook replicas on one PostgreSQL state', () => {
  it('the same webhook at both replicas at once: one answer, one note', async () => {
    const { loop, a, b } = await twoReplicas();
    try {
      const c = await loop.reviewWithCase('google-play');
      const { messageId } = await loop.omni.addStaffReply(c.caseId, 'Fixed in 2.1, thanks!');
      const form = webhookForm(
        loop.omni.cases().find((x) => x.caseId === c.caseId)!,
        loop.omni.messages(c.caseId).find((m) => m.messageId === messageId)!,
      );
      const results = await Promise.all([postWebhook(a.url, form), postWebhook(b.url, form)]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      await waitFor(() => loop.notes(c.caseId).length >= 1, 10_000, 'the outcome note');
      await Promise.all([a.hook.loop.idle(), b.hook.loop.idle()]);
      expect(answerWrites(loop, 'google-play')).toBe(1);
      expect(loop.notes(c.caseId)).toHaveLength(1);
      expect(await a.db.value('SELECT state FROM replies WHERE message_id = ?', [messageId])).toBe('published');
    } finally {
      await stopAll(a, b);
    }
  });

  it('a burst of 20 replies split and duplicated across both: one answer and one note each', async () => {
    const { loop, a, b } = await twoReplicas();
    try {
      const cases: { caseId: number }[] = [];
      for (let i = 0; i < 20; i++) cases.push(await loop.reviewWithCase(stores[i % 3]!));
      const deliveries: ReturnType<typeof postWebhook>[] = [];
      for (const [i, c] of cases.entries()) {
        const { messageId } = await loop.omni.addStaffReply(c.caseId, `Reply ${i}: fixed in 2.1`);
        const form = webhookForm(
          loop.omni.cases().find((x) => x.caseId === c.caseId)!,
          loop.omni.messages(c.caseId).find((m) => m.messageId === messageId)!,
        );
        // A third to each replica alone, a third to both at the same moment.
        if (i % 3 !== 1) deliveries.push(postWebhook(a.url, form));
        if (i % 3 !== 0) deliveries.push(postWebhook(b.url, form));
      }
      expect((await Promise.all(deliveries)).every((r) => r.status === 200)).toBe(true);
      await waitFor(
        () => cases.every((c) => loop.notes(c.caseId).length >= 1),
        20_000,
        'an outcome note in every case',
      );
      await Promise.all([a.hook.loop.idle(), b.hook.loop.idle()]);
      expect(totalAnswers(loop)).toBe(20);
      for (const s of stores) expect(answerWrites(loop, s)).toBe(cases.filter((_, i) => stores[i % 3] === s).length);
      for (const c of cases) expect(loop.notes(c.caseId)).toHaveLength(1);
      // Google Play publishes at once; App Store and RuStore answers wait for the store: each sent once.
      const rows = await a.db.all<{ state: string; attempts: number }>('SELECT state, attempts FROM replies');
      expect(rows).toHaveLength(20);
      expect(rows.filter((r) => r.state === 'published')).toHaveLength(7);
      expect(rows.every((r) => ['published', 'awaiting'].includes(r.state) && r.attempts === 1)).toBe(true);
    } finally {
      await stopAll(a, b);
    }
  });

  it("a claim whose holder died is taken over by the other replica at once; a live holder's is left alone", async () => {
    const { stateUrl, loop } = await twoReplicas();
    const survivor = await openPgAgain(stateUrl);
    const c = await loop.reviewWithCase('google-play');
    const publisherOn = (db: StateDb): ReplyPublisher =>
      new ReplyPublisher({ db, config: loop.config, services: loop.services, logger: memoryLogger(), retryBaseMs: 10 });
    const { messageId } = await loop.omni.addStaffReply(c.caseId, 'Fixed in 2.1');
    const p = publisherOn(survivor);
    expect(await p.accept(staffReply(messageId, c.caseId, 'Fixed in 2.1'))).toBe('recorded');
    // The other replica (another pod: its own holder id and liveness session) claimed it just now.
    const holder = '4242@replica-a.example#99';
    const replicaA = await liveHolder(survivor, holder);
    await survivor.run(
      `UPDATE replies SET state = 'sending', attempts = attempts + 1, claim_holder = ?, updated_at = ? WHERE message_id = ?`,
      [holder, new Date().toISOString(), messageId],
    );
    expect(await p.outbox.inFlight(Date.now())).toEqual({ inFlight: 1, stuck: 0 });
    expect(await p.flush()).toMatchObject({ published: 0 });
    expect(answerWrites(loop, 'google-play')).toBe(0);

    // Its process dies: the server ends its session, and with it the holder's lock.
    await replicaA.die();
    expect(await p.outbox.inFlight(Date.now())).toEqual({ inFlight: 1, stuck: 1 });
    expect(await p.flush()).toMatchObject({ published: 1, notes: 1 });
    expect(answerWrites(loop, 'google-play')).toBe(1);
    expect(loop.notes(c.caseId)).toHaveLength(1);
    expect(await p.flush()).toMatchObject({ published: 0, notes: 0 });
  });
});
