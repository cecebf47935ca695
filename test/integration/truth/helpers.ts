/**
 * Syncs and flushes against the chaos world with a chosen state file, so a test can lose the
 * state, point a second process at a fresh one, or use one with another config.
 */
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { rebuildState, type RebuildReport } from '../../../src/engine/rebuild.js';
import type { SyncReport } from '../../../src/engine/report.js';
import { SyncEngine, type SyncRunOptions } from '../../../src/engine/sync-engine.js';
import { buildServices } from '../../../src/engine/wiring.js';
import type { World } from '../../../src/emulators/world.js';
import { memoryLogger } from '../../../src/log.js';
import { openDb } from '../../../src/state/db.js';
import type { SqliteStateDb } from '../../../src/state/sqlite-handle.js';
import { LabelCache } from '../../../src/state/labels.js';
import { sqliteUsageLedger } from '../../../src/state/usage.js';

function open(
  world: World,
  dbPath: string,
): {
  db: SqliteStateDb;
  config: Config;
  services: ReturnType<typeof buildServices>;
  logger: ReturnType<typeof memoryLogger>;
} {
  world.saveConfig();
  const location = { configPath: world.configPath, dbPath };
  const config = loadConfig(location, {});
  const db = openDb(dbPath);
  const logger = memoryLogger();
  const services = buildServices(config, location, logger, {
    usage: sqliteUsageLedger(db),
    labelCache: new LabelCache(db),
    wait: async () => {},
    backoffBaseMs: 1,
  });
  return { db, config, services, logger };
}

export async function syncWith(
  world: World,
  dbPath: string,
  opts: SyncRunOptions = {},
): Promise<SyncReport & { logs: string[] }> {
  const { db, config, services, logger } = open(world, dbPath);
  try {
    const report = await new SyncEngine({ db, config, services, logger }).run(opts);
    return { ...report, logs: logger.lines };
  } finally {
    db.closeSync();
  }
}

export async function rebuildWith(world: World, dbPath: string): Promise<RebuildReport> {
  const { db, config, services, logger } = open(world, dbPath);
  try {
    return await rebuildState({ db, config, services, logger });
  } finally {
    db.closeSync();
  }
}

/** GET requests to Omnidesk's case list (what finding before creating costs). */
export function caseListReads(world: World): number {
  return world.omnidesk.server.serviceRequests().filter((r) => r.method === 'GET' && r.path === '/api/cases.json')
    .length;
}

export function omnideskWrites(world: World): number {
  return world.omnidesk.server.serviceRequests().filter((r) => r.method !== 'GET').length;
}

export function clearRequests(world: World): void {
  for (const e of [world.omnidesk, world.appStore, world.googlePlay, world.rustore]) e.server.requests.length = 0;
}
