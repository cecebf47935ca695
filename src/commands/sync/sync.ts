import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { renderReport } from '../../engine/report.js';
import { runSync } from '../../engine/run-sync.js';
import { ConfigError, ExitCode, type ExitCodeValue } from '../../errors.js';
import { openDb, type Db } from '../../state/db.js';
import type { CommandContext } from '../context.js';

export interface SyncOptions {
  dryRun?: boolean;
  app?: string[];
  pollReplies?: boolean;
  full?: boolean;
}

/** A dry run works on a copy of the database, so it changes nothing. */
async function openForDryRun(dbPath: string): Promise<Db> {
  const copy = join(mkdtempSync(join(tmpdir(), 'asodesk-omni-dry-')), 'state.db');
  if (existsSync(dbPath)) {
    const db = openDb(dbPath);
    await db.backup(copy);
    db.close();
  }
  return openDb(copy);
}

export async function syncCommand(ctx: CommandContext, opts: SyncOptions): Promise<ExitCodeValue> {
  const config = loadConfig(ctx.location, ctx.env);
  if (!config.omnidesk) throw new ConfigError('Omnidesk is not set up yet.', [{ path: 'omnidesk', message: 'missing' }], 'Run `asodesk-omni init`.');
  const db = opts.dryRun ? await openForDryRun(ctx.location.dbPath) : openDb(ctx.location.dbPath);
  try {
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
