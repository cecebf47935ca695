/**
 * Every emulator (Omnidesk, App Store Connect, Google Play, RuStore, their token endpoints
 * included) fails 20% of requests, seeded: 429, 500/502/503, dropped connections, bodies cut
 * mid-JSON after the service acted, and requests never answered (client timeout 150 ms).
 * Repeated syncs, with reviews edited and answered in between, converge: once the faults
 * stop, one more sync leaves exactly the expected cases, messages and store answers.
 */
import { describe, expect, it } from 'vitest';
import type { FaultKind } from '../../src/emulators/harness.js';
import { ChaosWorld, flushRepliesLater, syncInProcess, testDir } from './chaos-world.js';

const seed = Number(process.env.CHAOS_SEED ?? 7);
const kinds: FaultKind[] = ['429', '500', '502', '503', 'drop', 'malformed', 'timeout'];
const hour = 3600_000;

describe('20% of requests fail on every service', () => {
  it('repeated syncs converge: nothing lost, nothing duplicated', async () => {
    const dir = testDir();
    const chaos = await ChaosWorld.start({ dir, seed, omnidesk: { requestsPerMinute: 1_000_000 } });
    const { world } = chaos;
    try {
      // A reply that keeps failing is given up after maxAttempts (tested elsewhere); here it must not be.
      world.config.sync = { maxAttempts: 100 };
      chaos.seed(20);
      const emulators = [world.omnidesk, world.appStore, world.googlePlay, world.rustore];
      emulators.forEach((e, i) => e.server.setFaults({ rate: 0.2, kinds, seed: seed * 10 + i }));

      const rounds = 8;
      const outcomes: string[] = [];
      for (let round = 0; round < rounds; round++) {
        if (round > 0) chaos.churn(3, { newReviews: true });
        if (round > 0) await chaos.reply();
        if (round > 0) await chaos.reply();
        const { report } = await syncInProcess(world, { pollReplies: true, timeoutMs: 150 });
        outcomes.push(report.outcome);
        // Hours later: replies waiting for their retry time are due again.
        await flushRepliesLater(world, (round + 1) * 2 * hour, { timeoutMs: 150 });
      }
      const faulted = emulators.map((e) => e.server.requests.filter((r) => r.fault !== undefined).length);
      // The faults did bite, on every service, and some runs were not clean.
      for (const n of faulted) expect(n).toBeGreaterThan(0);
      expect(outcomes.some((o) => o !== 'ok')).toBe(true);

      for (const e of emulators) e.server.clearFaults();
      const final = await syncInProcess(world, { pollReplies: true });
      expect(final.report.outcome, final.logs.filter((l) => l.includes('"error"')).join('')).toBe('ok');
      const later = await flushRepliesLater(world, (rounds + 1) * 2 * hour);
      expect(later.flushed.failed).toBe(0);
      expect(chaos.replies.length).toBeGreaterThanOrEqual(8);
      chaos.expectConverged();
      console.info(
        `faults chaos (seed ${seed}): faulted requests per service ${JSON.stringify(faulted)}, outcomes ${outcomes.join(',')}`,
      );
    } finally {
      await world.stop();
    }
  }, 60_000);
});
