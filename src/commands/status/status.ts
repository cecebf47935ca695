/**
 * `asodesk-omni status`: per-app health from the config and the state database, without
 * contacting any service. `--json` prints the same as one object. Exit 3 when there is no config,
 * 5 when a sync failed (see `syncFailed`).
 */
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { loadExistingConfig } from '../deliverable-config.js';
import { collectStatus, type StatusReport } from './collect.js';
import { renderStatus } from './render.js';
import { stateTarget } from '../../config/state-url.js';
import { openExistingState } from '../../state/open.js';

/**
 * Monitoring reads the exit code: 5 when an enabled app's last sync failed, or the last run
 * failed (or crashed) before any app finished.
 */
export function syncFailed(report: StatusReport): boolean {
  const enabled = report.apps.filter((a) => a.enabled);
  if (enabled.some((a) => a.lastSync.outcome === 'failed')) return true;
  const run = report.lastRun;
  return (
    run !== null &&
    (run.outcome === 'failed' || run.outcome === 'crashed') &&
    enabled.some((a) => a.lastSync.at === null)
  );
}

export async function statusCommand(ctx: CommandContext): Promise<ExitCodeValue> {
  const config = loadExistingConfig(ctx);
  // Status never creates the database: a missing one means no sync has run yet.
  const target = stateTarget(ctx.location, config?.state?.url);
  const db = await openExistingState(target);
  try {
    const report = await collectStatus(config, ctx.location, db);
    ctx.out(ctx.json ? JSON.stringify(report, null, 2) : renderStatus(report));
    return syncFailed(report) ? ExitCode.partialFailure : ExitCode.ok;
  } finally {
    await db?.close();
  }
}
