/**
 * Several `sync` workers on one PostgreSQL state (separate processes, the real binary): they
 * split the apps by lease instead of the second exiting 75, every review becomes exactly one
 * case, one worker does the account-wide steps, and a worker killed with SIGKILL frees its
 * apps at once (its session ends), so the next worker syncs them without waiting for anything.
 * Overlap is made certain, not hoped for: the App Store emulator holds review reads until both
 * workers are waiting on it.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/schema.js';
import type { SyncReport } from '../../src/engine/report.js';
import type { FaultKind } from '../../src/emulators/harness.js';
import { startWorld, type World } from '../../src/emulators/world.js';
import { freshPgDatabase } from '../helpers/pg.js';
import { ensureBuilt, killAllStarted, runCli, startCli } from '../helpers/spawn.js';
import { waitFor } from '../helpers/wait.js';
import { testDir } from './chaos-world.js';

const appsCount = 8;
const reviewsPerApp = 3;

let world: World | undefined;
afterEach(async () => {
  killAllStarted();
  await world?.stop();
  world = undefined;
});

async function manyApps(): Promise<World> {
  world = await startWorld({ dir: testDir() });
  const apps: AppConfig[] = [];
  for (let i = 0; i < appsCount; i++) {
    const appId = String(3_000_000_000 + i);
    world.appStore.addApp({ id: appId, name: `Worker app ${i}`, bundleId: `com.workers.app${i}` });
    for (let j = 0; j < reviewsPerApp; j++)
      world.appStore.addReview(appId, {
        rating: 1 + (j % 5),
        title: `Title ${j}`,
        body: `Review {w${i}-${j}} of app ${i}`,
        reviewerNickname: `nick-${i}-${j}`,
      });
    apps.push({
      id: `app${i}`,
      name: `Worker app ${i}`,
      store: 'app-store',
      appId,
      enabled: true,
      source: 'auto',
      tags: true,
      filters: {
        reviewType: 'all',
        backlog: 100,
        ratings: [1, 2, 3, 4, 5],
        countries: [],
        languages: [],
        length: 'all',
      },
    });
  }
  world.config.apps = apps;
  // Two apps at a time per worker: with every read held, each worker waits on exactly two.
  world.config.sync = { ...world.config.sync, concurrency: 2 };
  world.saveConfig();
  return world;
}

const syncArgs = (w: World, url: string): string[] => ['sync', '--json', '-q', '-c', w.configPath, '--state', url];

/** Every review is in exactly one case (judged from the emulator alone). */
function expectOneCaseEach(w: World): void {
  const tokens = w.omnidesk
    .cases()
    .map((c) => /\{w\d+-\d+\}/.exec(w.omnidesk.messages(c.caseId)[0]?.content ?? '')?.[0])
    .filter((t): t is string => t !== undefined);
  expect(tokens.length).toBe(appsCount * reviewsPerApp);
  expect(new Set(tokens).size).toBe(tokens.length);
}

describe('sync workers on PostgreSQL', () => {
  beforeAll(ensureBuilt, 120_000);

  it('two workers started together split the apps: each review one case, one worker does the shared steps', async () => {
    const w = await manyApps();
    const { url } = await freshPgDatabase();
    // Migrate first, so both workers meet a ready schema (migrations are also safe in parallel).
    expect((await runCli(['status', '--json', '-c', w.configPath, '--state', url])).code).toBe(0);
    w.appStore.server.hold('/v1/apps/');
    const first = startCli(syncArgs(w, url));
    await waitFor(() => w.appStore.server.heldCount() === 2, 60_000);
    const second = startCli(syncArgs(w, url));
    await waitFor(() => w.appStore.server.heldCount() === 4, 60_000);
    w.appStore.server.release();
    const [a, b] = await Promise.all([first.exited, second.exited]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ra = JSON.parse(a.stdout) as SyncReport;
    const rb = JSON.parse(b.stdout) as SyncReport;
    const created = (r: SyncReport): string[] => r.apps.filter((x) => x.created > 0).map((x) => x.app);
    expect(created(ra).length).toBeGreaterThanOrEqual(2);
    expect(created(rb).length).toBeGreaterThanOrEqual(2);
    expect([...created(ra), ...created(rb)].sort()).toEqual(
      Array.from({ length: appsCount }, (_, i) => `app${i}`).sort(),
    );
    expect(ra.sharedStepsElsewhere).toBeUndefined();
    expect(rb.sharedStepsElsewhere).toBe(true);
    expect(rb.appsElsewhere?.length).toBeGreaterThanOrEqual(2);
    expectOneCaseEach(w);
  }, 180_000);

  it('a worker killed with SIGKILL frees its apps at once: the next worker syncs them all', async () => {
    const w = await manyApps();
    const { url } = await freshPgDatabase();
    w.appStore.server.hold('/v1/apps/');
    const doomed = startCli(syncArgs(w, url));
    // It holds the shared lease and two apps' leases, and waits on their reads.
    await waitFor(() => w.appStore.server.heldCount() === 2, 60_000);
    doomed.child.kill('SIGKILL');
    expect((await doomed.exited).signal).toBe('SIGKILL');
    w.appStore.server.release();
    const next = await runCli(syncArgs(w, url));
    expect(next.code, next.stderr).toBe(0);
    const report = JSON.parse(next.stdout) as SyncReport;
    expect(report.appsElsewhere).toBeUndefined();
    expect(report.sharedStepsElsewhere).toBeUndefined();
    expect(report.apps.reduce((n, x) => n + x.created, 0)).toBe(appsCount * reviewsPerApp);
    expectOneCaseEach(w);
  }, 180_000);

  it('a worker killed between its Omnidesk writes: the next one finishes the job without a duplicate', async () => {
    const w = await manyApps();
    const { url } = await freshPgDatabase();
    // Slow case creation, so the kill lands in the middle of the deliveries.
    w.omnidesk.server.setLatency(30);
    const doomed = startCli(syncArgs(w, url));
    await waitFor(() => w.omnidesk.cases().length >= 3, 60_000, 'three cases');
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const atKill = w.omnidesk.cases().length;
    expect(atKill).toBeLessThan(appsCount * reviewsPerApp);
    w.omnidesk.server.setLatency(0);
    const next = await runCli(syncArgs(w, url));
    expect(next.code, next.stderr).toBe(0);
    expectOneCaseEach(w);
  }, 180_000);

  it('two workers while a fifth of all requests fail: rounds converge to one case per review', async () => {
    const w = await manyApps();
    const { url } = await freshPgDatabase();
    const emulators = [w.omnidesk, w.appStore];
    // Never-answered requests are left out: the CLI's own timeout is long.
    const kinds: FaultKind[] = ['429', '500', '502', '503', 'drop', 'malformed'];
    emulators.forEach((e, i) => e.server.setFaults({ rate: 0.2, kinds, seed: 31 + i }));
    for (let round = 0; round < 3; round++) {
      const runs = await Promise.all([runCli(syncArgs(w, url)), runCli(syncArgs(w, url))]);
      // A run with faults ends partial (5) or ok; never a crash, never a lock refusal.
      for (const r of runs) expect([0, 5], r.stderr).toContain(r.code);
    }
    expect(w.omnidesk.server.requests.some((r) => r.fault !== undefined)).toBe(true);
    for (const e of emulators) e.server.clearFaults();
    const last = await runCli(syncArgs(w, url));
    expect(last.code, last.stderr).toBe(0);
    expectOneCaseEach(w);
  }, 240_000);
});
