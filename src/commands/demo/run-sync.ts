/**
 * The demo runs `sync` exactly as the command does (same function, same wiring), on a context
 * of its own: the demo's config, no env overrides, a quiet logger. Quiet also keeps the
 * progress line off the terminal; the report is rendered from the run the engine recorded.
 */
import type { ConfigLocation } from '../../config/load.js';
import { renderReport, type SyncReport } from '../../engine/report.js';
import type { ExitCodeValue } from '../../errors.js';
import type { Logger } from '../../log.js';
import { openDb } from '../../state/db.js';
import { Runs } from '../../state/runs.js';
import type { CommandContext } from '../context.js';
import { syncCommand } from '../sync/sync.js';
import type { SyncOptions } from '../sync/index.js';

export interface DemoSync {
  code: ExitCodeValue;
  /** What `asodesk-omni sync` prints. */
  text: string;
  report: SyncReport;
}

export async function runSync(location: ConfigLocation, logger: Logger, opts: SyncOptions = {}): Promise<DemoSync> {
  const ctx: CommandContext = { location, logger, json: false, quiet: true, env: {}, out: () => {} };
  const code = await syncCommand(ctx, opts);
  const db = openDb(location.dbPath);
  try {
    const run = new Runs(db).last('sync');
    if (!run?.reportJson) throw new Error('sync left no report in the runs table');
    // Our own record, written by the engine a moment ago.
    const report = JSON.parse(run.reportJson) as SyncReport;
    return { code, text: renderReport(report), report };
  } finally {
    db.close();
  }
}
