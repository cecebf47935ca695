/**
 * The run lock between real processes: a second `sync` while one runs exits 75 at once with a
 * message naming the holder; the lock of a SIGKILLed run (its pid gone) is taken over by the
 * next run instead of blocking cron forever.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { ensureBuilt, killAllStarted, runCli, startCli } from '../helpers/spawn.js';
import { ChaosWorld, testDir } from './chaos-world.js';
import { waitFor } from '../helpers/wait.js';

interface LockRow {
  pid: number;
}

function lockHolder(dbPath: string): LockRow | undefined {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(`SELECT pid FROM locks WHERE name = 'sync'`).get() as LockRow | undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined; // not created yet
  }
}

async function slowWorld(): Promise<ChaosWorld> {
  const dir = testDir();
  const chaos = await ChaosWorld.start({ dir, seed: 3, omnidesk: { requestsPerMinute: 1_000_000 } });
  chaos.seed(15);
  // Slow enough that a run lasts well over a second.
  chaos.world.omnidesk.server.setFaults({ rate: 1, kinds: ['slow'], slowMs: 40, pathPrefix: '/api/' });
  return chaos;
}

describe('the run lock between processes', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 120_000);
  afterAll(() => killAllStarted());

  it('a second sync while one runs exits 75 at once, naming the holder; the first finishes', async () => {
    const chaos = await slowWorld();
    const { world } = chaos;
    try {
      const args = ['sync', '-c', world.configPath, '--db', world.dbPath];
      // The first run is frozen on its first Omnidesk request until the second has answered,
      // so however loaded the machine is, the lock is held while the second one looks.
      world.omnidesk.server.hold('/api/');
      const first = startCli(args, { cwd: world.dir });
      await waitFor(() => lockHolder(world.dbPath)?.pid === first.pid && world.omnidesk.server.heldCount() > 0, 30_000);
      const second = await runCli(args, { cwd: world.dir });
      expect(second.code).toBe(ExitCode.locked);
      expect(second.stderr).toContain(`Another sync is running (pid ${first.pid}`);
      expect(second.stderr).toMatch(/hint: .*cron will try again/);
      // It did not wait for the holder: the holder cannot move until we release it.
      expect(first.child.exitCode, 'the first run was still going').toBeNull();
      world.omnidesk.server.release();
      const done = await first.exited;
      expect(done.code, done.stderr).toBe(ExitCode.ok);
      expect(world.omnidesk.cases()).toHaveLength(45);
      expect(lockHolder(world.dbPath)).toBeUndefined();
    } finally {
      world.omnidesk.server.release();
      await world.stop();
    }
  }, 90_000);

  it('the lock left by a SIGKILLed run is taken over by the next run', async () => {
    const chaos = await slowWorld();
    const { world } = chaos;
    try {
      const args = ['sync', '-c', world.configPath, '--db', world.dbPath];
      const killed = startCli(args, { cwd: world.dir });
      await waitFor(() => world.omnidesk.server.serviceRequests().some((r) => r.method === 'POST'), 10_000);
      killed.child.kill('SIGKILL');
      await killed.exited;
      expect(lockHolder(world.dbPath)?.pid).toBe(killed.pid);

      world.omnidesk.server.clearFaults();
      const next = await runCli(args, { cwd: world.dir });
      expect(next.code, next.stderr).toBe(ExitCode.ok);
      expect(next.stderr).not.toContain('Another sync');
      expect(lockHolder(world.dbPath)).toBeUndefined();
      chaos.expectConverged();
    } finally {
      await world.stop();
    }
  }, 60_000);
});
