/**
 * `state rebuild`: the state made again from what Omnidesk and the stores know, for a restore
 * or a move to another host. The channel's cases are read in full and indexed by review key;
 * every review the state knows is pointed at its case in Omnidesk; then a full sync pulls every
 * review (the cursors start again) and adopts each one's existing case instead of creating it.
 * Answers are not read back here: before publishing a reply to a case this state did not make,
 * the publisher compares with the store's answer and looks for the outcome note's marker.
 */
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { StateDb } from '../state/handle.js';
import { bindState, ownerOf } from '../state/identity.js';
import { ReviewStore } from '../state/reviews.js';
import { CaseFinder } from './case-finder.js';
import type { SyncReport } from './report.js';
import type { Services } from './services.js';
import { SyncEngine, type SyncRunOptions } from './sync-engine.js';

export interface RebuildDeps {
  db: StateDb;
  config: Config;
  services: Services;
  logger: Logger;
  /** Pages of the channel read so far, and in all. */
  onCasesRead?: ((pages: number, total: number | undefined) => void) | undefined;
  onProgress?: SyncRunOptions['onProgress'];
}

export interface RebuildReport {
  casesIndexed: number;
  casesRelinked: number;
  sync: SyncReport;
}

export async function rebuildState(deps: RebuildDeps): Promise<RebuildReport> {
  const { db, config, services, logger } = deps;
  const channel = config.omnidesk?.channel;
  if (!channel)
    throw new ConfigError(
      'No Omnidesk custom channel is set, so there are no cases to rebuild from.',
      [{ path: 'omnidesk.channel', message: 'not set' }],
      'Run `asodesk-omni init` (step "Custom channel").',
    );
  await bindState(db, ownerOf(config.omnidesk));
  const finder = new CaseFinder({ db, helpdesk: services.helpdesk, channel, logger, onProgress: deps.onCasesRead });
  await finder.readAll();
  const casesIndexed = await finder.index.count();
  const casesRelinked = await relink(db, finder);
  logger.info('channel cases read', { channel, cases: casesIndexed, relinked: casesRelinked, reads: finder.reads });
  const sync = await new SyncEngine({ db, config, services, logger }).run({ full: true, onProgress: deps.onProgress });
  return { casesIndexed, casesRelinked, sync };
}

/** Reviews the state knows, pointed at the case Omnidesk has for them (Omnidesk wins). */
async function relink(db: StateDb, finder: CaseFinder): Promise<number> {
  const reviews = new ReviewStore(db);
  const rows = await reviews.caseLinks();
  let changed = 0;
  await db.transaction(async () => {
    for (const r of rows) {
      const found = await finder.lookup([r.reviewKey, ...(await reviews.aliasesOf(r.reviewKey))]);
      if (!found || found.caseId === r.caseId) continue;
      await reviews.setCase(r.reviewKey, found.caseId, found.userId ?? undefined, true);
      changed++;
    }
  });
  return changed;
}
