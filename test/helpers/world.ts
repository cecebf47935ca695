import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { SyncReport } from '../../src/engine/report.js';
import { SyncEngine, type SyncRunOptions } from '../../src/engine/sync-engine.js';
import { buildServices } from '../../src/engine/wiring.js';
import { startWorld, type World, type WorldOptions } from '../../src/emulators/world.js';
import { memoryLogger } from '../../src/log.js';
import { openDb } from '../../src/state/db.js';
import type { StateDb } from '../../src/state/handle.js';
import { LabelCache } from '../../src/state/labels.js';
import { sqliteUsageLedger } from '../../src/state/usage.js';

export type { World };

/** States given to worlds (test/helpers/backends.ts), used instead of the world's SQLite file. */
const givenStates = new WeakMap<World, StateDb>();

/** Makes `syncOnce` and `withWorldState` use `db` (kept open; its opener closes it) for `world`. */
export function useState(world: World, db: StateDb): World {
  givenStates.set(world, db);
  return world;
}

/** Runs `fn` on the world's state: the given one, or its SQLite file opened for the call. */
export async function withWorldState<T>(world: World, fn: (db: StateDb) => Promise<T>): Promise<T> {
  const given = givenStates.get(world);
  if (given) return fn(given);
  const db = openDb(world.dbPath);
  try {
    return await fn(db);
  } finally {
    db.closeSync();
  }
}

export async function testWorld(opts: Omit<WorldOptions, 'dir'> & { dir: string }): Promise<World> {
  return startWorld(opts);
}

/** One sync as the command runs it (real connectors over HTTP), retries made instant. */
export async function syncOnce(
  world: World,
  opts: SyncRunOptions = {},
  clock: { now?: () => number } = {},
): Promise<SyncReport & { logs: string[] }> {
  world.saveConfig();
  const config: Config = loadConfig({ configPath: world.configPath, dbPath: world.dbPath }, {});
  const logger = memoryLogger();
  return withWorldState(world, async (db) => {
    const services = buildServices(config, { configPath: world.configPath, dbPath: world.dbPath }, logger, {
      usage: sqliteUsageLedger(db),
      labelCache: new LabelCache(db),
      wait: async () => {},
      backoffBaseMs: 1,
    });
    const report = await new SyncEngine({ db, config, services, logger, now: clock.now }).run(opts);
    return { ...report, logs: logger.lines };
  });
}

/** Requests to the store APIs themselves (not token or auth endpoints, not inspection). */
export function apiRequests(world: World): {
  appStore: number;
  googlePlay: number;
  rustore: number;
  omnideskWrites: number;
} {
  const notAuth = (path: string): boolean =>
    !path.startsWith('/__emulator') && path !== '/token' && !path.startsWith('/public/auth');
  return {
    appStore: world.appStore.server.requests.filter((r) => notAuth(r.path)).length,
    googlePlay: world.googlePlay.server.requests.filter((r) => notAuth(r.path)).length,
    rustore: world.rustore.server.requests.filter((r) => notAuth(r.path)).length,
    omnideskWrites: world.omnidesk.server.requests.filter((r) => r.method !== 'GET' && notAuth(r.path)).length,
  };
}
