import { loadConfig } from '../../config/load.js';
import { renderReport } from '../../engine/report.js';
import { runSync } from '../../engine/run-sync.js';
import { ConfigError, ExitCode, type ExitCodeValue } from '../../errors.js';
import { openDb, openDbCopy } from '../../state/db.js';
import { bindState, ownerOf } from '../../state/identity.js';
import type { CommandContext } from '../context.js';

export interface SyncOptions {
  dryRun?: boolean;
  app?: string[];
  pollReplies?: boolean;
  full?: boolean;
}

export async function syncCommand(ctx: CommandContext, opts: SyncOptions): Promise<ExitCodeValue> {
  const config = loadConfig(ctx.location, ctx.env);
  if (!config.omnidesk) throw new ConfigError('Omnidesk is not set up yet.', [{ path: 'omnidesk', message: 'missing' }], 'Run `asodesk-omni init`.');
  // A dry run works on an in-memory copy: it changes nothing and leaves no file behind, however it ends.
  const db = opts.dryRun ? openDbCopy(ctx.location.dbPath) : openDb(ctx.location.dbPath);
  try {
    // Refuses a state file of another Omnidesk account or channel, naming the file (exit 6).
    bindState(db, ownerOf(config.omnidesk), { record: !opts.dryRun, dbPath: ctx.location.dbPath });
    const showProgress = process.stderr.isTTY && !ctx.quiet && !ctx.json;
    const report = await runSync(db, config, ctx.location, ctx.logger, {
      apps: opts.app,
      dryRun: opts.dryRun,
      full: opts.full,
      pollReplies: opts.pollReplies,
      onProgress: showProgress ? (app, n) => process.stderr.write(`\r${app}: ${n} reviews fetched`) : undefined,
    });
    if (showProgress) process.stderr.write('\r\x1b[K');
    if (ctx.json) ctx.out(JSON.stringify(report, null, 2));
    else if (!ctx.quiet || report.outcome !== 'ok') ctx.out(renderReport(report));
    return report.outcome === 'ok' ? ExitCode.ok : ExitCode.partialFailure;
  } finally {
    db.close();
  }
}
