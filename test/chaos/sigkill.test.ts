/**
 * `asodesk-omni sync` SIGKILLed at random points, over and over, while customers edit and
 * write reviews and agents answer them; then one clean run. Whatever the kills cut (a pull,
 * a case creation between Omnidesk's answer and our record of it, an edit message, a reply
 * to a store), the end state has one case per review with its latest text, no message sent
 * twice and every answer in its store once. Kill delays come from a seeded PRNG (replay a
 * failure with CHAOS_SEED=<seed>).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worldApps } from '../../src/emulators/world.js';
import { openDb } from '../../src/state/db.js';
import { tempDir } from '../helpers/temp.js';
import { ensureBuilt, killAllStarted, runCli, startCli } from '../helpers/spawn.js';
import { ChaosWorld, syncInProcess, type Reply } from './chaos-world.js';

const seed = Number(process.env.CHAOS_SEED ?? 20240611);
const kills = 30;

let chaos: ChaosWorld;

function totalRequests(c: ChaosWorld): number {
  const w = c.world;
  return [w.omnidesk, w.appStore, w.googlePlay, w.rustore].reduce((n, e) => n + e.server.serviceRequests().length, 0);
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}

describe('sync killed with SIGKILL at random points', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 120_000);
  afterAll(() => killAllStarted());

  it(`${kills} kills, then one clean run: every review once, every edit once, every answer once`, async () => {
    const dir = tempDir();
    chaos = await ChaosWorld.start({ dir, seed });
    try {
      const { world } = chaos;
      chaos.seed(40);
      // Omnidesk a little slow, so that kills land between its answers and our records.
      world.omnidesk.server.setFaults({ rate: 1, kinds: ['slow'], slowMs: 6, pathPrefix: '/api/' });
      const args = ['sync', '--json', '--poll-replies', '-c', world.configPath, '--db', world.dbPath];
      const stats = { killedMidRun: 0, killedAfterOmnideskWrites: 0, finished: 0 };

      for (let i = 0; i < kills; i++) {
        if (i > 0) chaos.churn(4);
        if (i > 2 && i % 2 === 0) await chaos.reply();
        const before = totalRequests(chaos);
        const writesBefore = world.omnidesk.server.serviceRequests().filter((r) => r.method !== 'GET').length;
        const t0 = performance.now();
        const run = startCli(args, { cwd: dir });
        // The delay counts from the run's first request: Node's start-up is not what we test.
        const started = await until(() => totalRequests(chaos) > before, 10_000);
        expect(started, `run ${i} made no request: ${run.stderr()}`).toBe(true);
        const delay = 20 + Math.floor(chaos.random() * 380);
        await new Promise((r) => setTimeout(r, delay));
        const alive = run.child.exitCode === null && run.child.signalCode === null;
        run.child.kill('SIGKILL');
        const result = await run.exited;
        if (process.env.CHAOS_DEBUG) console.info(`run ${i}: first request after ${Math.round(performance.now() - t0 - delay)} ms, delay ${delay}, total ${Math.round(performance.now() - t0)} ms, alive ${alive}`);
        if (alive && result.signal === 'SIGKILL') {
          stats.killedMidRun++;
          if (world.omnidesk.server.serviceRequests().filter((r) => r.method !== 'GET').length > writesBefore) stats.killedAfterOmnideskWrites++;
        } else {
          stats.finished++;
          expect([0, 5], result.stderr).toContain(result.code);
        }
      }
      // Most kills must have cut a run, many of them after Omnidesk writes began.
      expect(stats.killedMidRun).toBeGreaterThanOrEqual(kills * 0.6);
      expect(stats.killedAfterOmnideskWrites).toBeGreaterThanOrEqual(kills * 0.3);

      // The clean run: takes over the dead run's lock, delivers what is left.
      world.omnidesk.server.clearFaults();
      const tClean = performance.now();
      const clean = await runCli(args, { cwd: dir });
      if (process.env.CHAOS_DEBUG) console.info(`clean run ${Math.round(performance.now() - tClean)} ms`);
      expect(clean.stderr).not.toMatch(/Another sync is running/);
      expect(clean.code, clean.stderr).toBe(0);
      const report = JSON.parse(clean.stdout) as { outcome: string };
      expect(report.outcome).toBe('ok');

      // A reply claimed by a killed run is taken over once its claim is stale (5 minutes).
      const db = openDb(world.dbPath);
      const claimed = db.prepare(`SELECT message_id AS id FROM replies WHERE state = 'sending'`).pluck().all() as number[];
      db.close();
      const messageOf = (r: Reply): number | undefined => world.omnidesk.messages(r.caseId).find((m) => m.staffId !== 0 && !m.note && m.content === r.text)?.messageId;
      const interrupted = new Set(chaos.replies.filter((r) => claimed.includes(messageOf(r) ?? -1)));
      const later = await syncInProcess(world, { now: () => Date.now() + 6 * 60_000 });
      expect(later.report.outcome, later.logs.join('')).toBe('ok');
      if (process.env.CHAOS_DEBUG) console.info(`later run done ${Math.round(performance.now() - tClean)} ms`);

      const end = openDb(world.dbPath);
      const open = end.prepare(`SELECT COUNT(*) FROM deliveries WHERE state != 'done'`).pluck().get();
      const replyStates = end.prepare(`SELECT state, COUNT(*) AS n FROM replies GROUP BY state`).all();
      const lock = end.prepare(`SELECT COUNT(*) FROM locks`).pluck().get();
      end.close();
      expect(open).toBe(0);
      expect(replyStates).toEqual([{ state: 'published', n: chaos.replies.length }]);
      expect(lock).toBe(0);
      expect(chaos.replies.length).toBeGreaterThanOrEqual(8);
      chaos.expectConverged({ interrupted });
      // Each store got its answers, and every app kept delivering.
      for (const app of Object.keys(worldApps) as (keyof typeof worldApps)[]) {
        expect(chaos.reviews.filter((l) => l.app === app).length).toBeGreaterThan(40);
      }
      console.info(`sigkill chaos (seed ${seed}): ${JSON.stringify(stats)}, ${chaos.reviews.length} reviews, ${chaos.replies.length} replies, ${interrupted.size} replies cut mid-publish`);
    } finally {
      await chaos.world.stop();
    }
  }, 120_000);
});
