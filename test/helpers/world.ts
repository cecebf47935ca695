import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { SyncReport } from '../../src/engine/report.js';
import { SyncEngine, type SyncRunOptions } from '../../src/engine/sync-engine.js';
import { buildServices } from '../../src/engine/wiring.js';
import { startWorld, type World, type WorldOptions } from '../../src/emulators/world.js';
import { memoryLogger } from '../../src/log.js';
import { openDb } from '../../src/state/db.js';
import { LabelCache } from '../../src/state/labels.js';
import { sqliteUsageLedger } from '../../src/state/usage.js';

export type { World };

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
  const db = openDb(world.dbPath);
  const logger = memoryLogger();
  try {
    const services = buildServices(config, { configPath: world.configPath, dbPath: world.dbPath }, logger, {
      usage: sqliteUsageLedger(db),
      labelCache: new LabelCache(db),
      wait: async () => {},
      backoffBaseMs: 1,
    });
    const report = await new SyncEngine({ db, config, services, logger, now: clock.now }).run(opts);
    return { ...report, logs: logger.lines };
  } finally {
    db.closeSync();
  }
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
