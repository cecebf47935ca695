/**
 * The demo runs a sync through the same library function as `sync` (same wiring, same
 * engine), on the demo's config with no env overrides and a quiet logger.
 */
import { loadConfig, type ConfigLocation } from '../../config/load.js';
import { renderReport, type SyncReport } from '../../engine/report.js';
import { runSync as runEngine } from '../../engine/run-sync.js';
import type { SyncRunOptions } from '../../engine/sync-engine.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import type { Logger } from '../../log.js';
import { openDb } from '../../state/db.js';

export interface DemoSync {
  code: ExitCodeValue;
  /** What `asodesk-omni sync` prints. */
  text: string;
  report: SyncReport;
}

export async function runSync(location: ConfigLocation, logger: Logger, opts: SyncRunOptions = {}): Promise<DemoSync> {
  const config = loadConfig(location, {});
  const db = openDb(location.dbPath);
  try {
    const report = await runEngine(db, config, location, logger, opts);
    return {
      code: report.outcome === 'ok' ? ExitCode.ok : ExitCode.partialFailure,
      text: renderReport(report),
      report,
    };
  } finally {
    await db.close();
  }
}
