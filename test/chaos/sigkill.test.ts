/**
 * `asodesk-omni sync` SIGKILLed at random points, over and over, while customers edit, re-create
 * and write reviews and agents answer them; then one clean run. Whatever the kills cut (a pull,
 * a case created in Omnidesk but not yet recorded, an edit message, an answer the store took
 * but we never heard back about), the end state has one case per review with its latest text,
 * no message sent twice and every answer in its store once. A reply a killed run held is taken
 * over by the next run at once (its pid is gone), not after the stale window.
 *
 * Kill points are events seen in the emulators, so a busy machine moves them little: half the
 * runs die just after their 1st to 3rd Omnidesk write, a quarter among their first requests
 * (Node's start-up is not what we test), and a quarter while a store is answering a reply POST
 * (the stores' answer endpoints are slowed for that), the narrowest window there is. The small
 * extra delays come from a seeded PRNG (CHAOS_SEED=<n> replays a schedule).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worldApps } from '../../src/emulators/world.js';
import { openDb } from '../../src/state/db.js';
import { ensureBuilt, killAllStarted, runCli, startCli } from '../helpers/spawn.js';
import { ChaosWorld, flushRepliesLater, testDir, type Reply } from './chaos-world.js';
import { until } from '../helpers/wait.js';

const seed = Number(process.env.CHAOS_SEED ?? 20240611);
const kills = 30;

function totalRequests(c: ChaosWorld): number {
  const w = c.world;
  return [w.omnidesk, w.appStore, w.googlePlay, w.rustore].reduce((n, e) => n + e.server.serviceRequests().length, 0);
}

function answerPostsSeen(c: ChaosWorld): number {
  const w = c.world;
  const isAnswer = (r: { method: string; path: string }): boolean =>
    r.method === 'POST' && /customerReviewResponses|:reply$|\/feedback$/.test(r.path);
  return [w.appStore, w.googlePlay, w.rustore].reduce(
    (n, e) => n + e.server.serviceRequests().filter(isAnswer).length,
    0,
  );
}

function omnideskWrites(c: ChaosWorld): number {
  return c.world.omnidesk.server.serviceRequests().filter((r) => r.method !== 'GET').length;
}

describe('sync killed with SIGKILL at random points', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 120_000);
  afterAll(() => killAllStarted());

  it(`${kills} kills, then one clean run: every review once, every edit once, every answer once`, async () => {
    const dir = testDir();
    // Omnidesk's per-minute budget is the benchmark's subject; here it must not pace the runs.
    const chaos = await ChaosWorld.start({ dir, seed, omnidesk: { requestsPerMinute: 1_000_000 } });
    const { world } = chaos;
    try {
      chaos.seed(40);
      // Omnidesk a little slow, so that kills land between its answers and our records; the
      // stores slow to answer a reply, so that a kill can land while they act on it.
      world.omnidesk.server.setFaults({ rate: 1, kinds: ['slow'], slowMs: 3, pathPrefix: '/api/' });
      world.appStore.server.setFaults({
        rate: 1,
        kinds: ['slow'],
        slowMs: 150,
        pathPrefix: '/v1/customerReviewResponses',
      });
      world.googlePlay.server.setFaults({
        rate: 1,
        kinds: ['slow'],
        slowMs: 150,
        pathPrefix: `/androidpublisher/v3/applications/${worldApps.android.appId}/reviews/`,
      });
      world.rustore.server.setFaults({
        rate: 1,
        kinds: ['slow'],
        slowMs: 150,
        pathPrefix: `/public/v1/application/${worldApps.rustore.appId}/feedback`,
      });
      const args = ['sync', '--json', '--poll-replies', '-c', world.configPath, '--db', world.dbPath];
      const stats = { killedMidRun: 0, afterOmnideskWrites: 0, duringAnswerPost: 0, finished: 0 };
      /** Message id → how many killed runs left it claimed. */
      const everClaimed = new Map<number, number>();

      for (let i = 0; i < kills; i++) {
        if (i > 0) chaos.churn(4, { newReviews: i % 2 === 0 });
        if (i >= 2) await chaos.reply();
        const targeted = i % 4 === 3;
        const requests = totalRequests(chaos);
        const writes = omnideskWrites(chaos);
        const answers = answerPostsSeen(chaos);
        const run = startCli(args, { cwd: dir });
        const started = await until(() => totalRequests(chaos) > requests, 10_000);
        expect(started, `run ${i} made no request: ${run.stderr()}`).toBe(true);
        // Kill points are events, not delays (a delay lands elsewhere on a busy machine): while a
        // store takes an answer, after the n-th Omnidesk write, or early among the first reads.
        const ended = (): boolean => run.child.exitCode !== null || run.child.signalCode !== null;
        if (targeted && (await until(() => answerPostsSeen(chaos) > answers || ended(), 20_000))) {
          await new Promise((r) => setTimeout(r, Math.floor(chaos.random() * 100)));
        } else if (i % 4 === 1) {
          await new Promise((r) => setTimeout(r, Math.floor(chaos.random() * 40)));
        } else {
          const nth = 1 + Math.floor(chaos.random() * 3);
          await until(() => omnideskWrites(chaos) >= writes + nth || ended(), 20_000);
          await new Promise((r) => setTimeout(r, Math.floor(chaos.random() * 20)));
        }
        const alive = run.child.exitCode === null && run.child.signalCode === null;
        run.child.kill('SIGKILL');
        const result = await run.exited;
        if (alive && result.signal === 'SIGKILL') {
          stats.killedMidRun++;
          // Claims the killed run left: the next run takes them over at once (it may repeat the answer).
          const held = openDb(world.dbPath);
          for (const id of held.sqlite
            .prepare(`SELECT message_id FROM replies WHERE state = 'sending'`)
            .pluck()
            .all() as number[])
            everClaimed.set(id, (everClaimed.get(id) ?? 0) + 1);
          held.closeSync();
          if (omnideskWrites(chaos) > writes) stats.afterOmnideskWrites++;
          if (answerPostsSeen(chaos) > answers) stats.duringAnswerPost++;
        } else {
          stats.finished++;
          expect([0, 5], result.stderr).toContain(result.code);
        }
      }
      // The kills cut runs, half of them after Omnidesk writes began, some while a store took an answer.
      expect(stats.killedMidRun, JSON.stringify(stats)).toBeGreaterThanOrEqual(kills * 0.6);
      expect(stats.afterOmnideskWrites, JSON.stringify(stats)).toBeGreaterThanOrEqual(kills * 0.3);
      expect(stats.duringAnswerPost, JSON.stringify(stats)).toBeGreaterThanOrEqual(3);

      // The clean run: takes over the dead run's lock and claims, and delivers what is left.
      for (const e of [world.omnidesk, world.appStore, world.googlePlay, world.rustore]) e.server.clearFaults();
      const clean = await runCli(args, { cwd: dir });
      expect(clean.code, clean.stderr).toBe(0);
      expect((JSON.parse(clean.stdout) as { outcome: string }).outcome).toBe('ok');
      const messageOf = (r: Reply): number | undefined =>
        world.omnidesk.messages(r.caseId).find((m) => m.staffId !== 0 && !m.note && m.content === r.text)?.messageId;
      const interrupted = new Set(chaos.replies.filter((r) => everClaimed.has(messageOf(r) ?? -1)));
      const cuts = new Map([...interrupted].map((r) => [r, everClaimed.get(messageOf(r) ?? -1) ?? 1]));
      // Nothing was left for a later flush (the stale window no longer matters).
      const later = await flushRepliesLater(world, 0);
      expect(later.flushed.failed, later.logs.join('')).toBe(0);
      expect(later.flushed.published, later.logs.join('')).toBe(0);

      const end = openDb(world.dbPath);
      const openDeliveries = end.sqlite.prepare(`SELECT COUNT(*) FROM deliveries WHERE state != 'done'`).pluck().get();
      const replyStates = end.sqlite.prepare(`SELECT state, COUNT(*) AS n FROM replies GROUP BY state`).all();
      const locks = end.sqlite.prepare(`SELECT COUNT(*) FROM locks`).pluck().get();
      end.closeSync();
      expect(openDeliveries).toBe(0);
      expect(replyStates).toEqual([{ state: 'published', n: chaos.replies.length }]);
      expect(locks).toBe(0);
      expect(chaos.replies.length).toBeGreaterThanOrEqual(10);
      expect(interrupted.size).toBeGreaterThanOrEqual(1);
      chaos.expectConverged({ interrupted, cuts });
      console.info(
        `sigkill chaos (seed ${seed}): ${JSON.stringify(stats)}; ${chaos.reviews.length} reviews, ${chaos.replies.length} replies, ${interrupted.size} cut between the store's answer and our record`,
      );
    } finally {
      await world.stop();
    }
  }, 300_000);
});
