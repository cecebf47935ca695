import { renderImport, runImport } from '../../engine/import.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { bindState, ownerOf } from '../../state/identity.js';
import type { CommandContext } from '../context.js';
import { loadDeliverableConfig } from '../deliverable-config.js';
import { stateTarget } from '../../config/state-url.js';
import { openState, stateName } from '../../state/open.js';

export interface ImportOptions {
  app: string;
}

export async function importCommand(ctx: CommandContext, files: string[], opts: ImportOptions): Promise<ExitCodeValue> {
  const config = loadDeliverableConfig(ctx);
  const target = stateTarget(ctx.location, config.state?.url);
  const db = await openState(target);
  try {
    // Refuses a state file of another Omnidesk account or channel, naming the file (exit 6).
    await bindState(db, ownerOf(config.omnidesk), { record: true, dbPath: stateName(target) });
    const report = await runImport(db, config, ctx.location, ctx.logger, opts.app, files);
    if (ctx.json) ctx.out(JSON.stringify(report, null, 2));
    else if (!ctx.quiet || report.outcome !== 'ok') ctx.out(renderImport(report));
    return report.outcome === 'ok' ? ExitCode.ok : ExitCode.partialFailure;
  } finally {
    await db.close();
  }
}
