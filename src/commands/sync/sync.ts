import { existsSync } from 'node:fs';
import { describeMissing, howToFinish, missingForDelivery } from '../../config/complete.js';
import { loadConfig } from '../../config/load.js';
import { defaultConfigPath } from '../../config/store.js';
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
  if (!existsSync(ctx.location.configPath)) {
    throw new ConfigError(`No config at ${ctx.location.configPath}.`, [{ path: '(file)', message: 'missing' }], 'Run `asodesk-omni init` to make one (or `asodesk-omni demo` to try everything on local emulators).');
  }
  const config = loadConfig(ctx.location, ctx.env);
  // A config that cannot deliver would fail every case (or read nothing): exit 3, not 5 or 0.
  const missing = missingForDelivery(config);
  if (missing.length > 0) {
    throw new ConfigError(
      `The configuration at ${ctx.location.configPath} is incomplete: nothing can be delivered yet.\n${describeMissing(missing)}`,
      missing.map((m) => ({ path: m.path, message: m.message })),
      howToFinish(missing, ctx.location.configPath === defaultConfigPath() ? '' : ` --config ${ctx.location.configPath}`),
    );
  }
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
