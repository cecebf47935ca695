/**
 * One sync with the real connectors, as `sync` and `demo` run it: the services built from the
 * config, the engine run on the given database, the services closed. The caller owns the db.
 */
import type { ConfigLocation } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { StateDb } from '../state/handle.js';
import { LabelCache } from '../state/labels.js';
import { sqliteUsageLedger } from '../state/usage.js';
import type { SyncReport } from './report.js';
import { SyncEngine, type SyncRunOptions } from './sync-engine.js';
import { buildServices } from './wiring.js';

export async function runSync(
  db: StateDb,
  config: Config,
  location: ConfigLocation,
  logger: Logger,
  opts: SyncRunOptions = {},
): Promise<SyncReport> {
  const services = buildServices(config, location, logger, {
    usage: sqliteUsageLedger(db),
    labelCache: new LabelCache(db),
  });
  try {
    return await new SyncEngine({ db, config, services, logger }).run(opts);
  } finally {
    await services.close();
  }
}
