import { renderReport } from '../../engine/report.js';
import { runSync } from '../../engine/run-sync.js';
import { errorMessage, ExitCode, type ExitCodeValue } from '../../errors.js';
import type { StateDb } from '../../state/handle.js';
import { bindState, ownerOf } from '../../state/identity.js';
import type { CommandContext } from '../context.js';
import { loadDeliverableConfig } from '../deliverable-config.js';
import { Logger } from '../../log.js';
import { startProgress } from '../progress.js';
import { stateTarget } from '../../config/state-url.js';
import { openState, openStateCopy, stateName } from '../../state/open.js';

export interface SyncOptions {
  dryRun?: boolean;
  app?: string[];
  pollReplies?: boolean;
  full?: boolean;
  metricsFile?: string;
}

/** Errors the summary repeats (per app, with the reason) are left out of the terminal log. */
const inSummary = new Set(['pull failed', 'polling replies failed']);

function terminalLogger(base: Logger): Logger {
  return new Logger({
    level: base.level,
    format: base.format,
    sink: {
      // `\r\x1b[K`: a log line replaces the progress line instead of running into it.
      write: (line) => {
        if ([...inSummary].some((m) => line.includes(m))) return;
        process.stderr.write(`\r\x1b[K${line}`);
      },
    },
  });
}

export async function syncCommand(ctx: CommandContext, opts: SyncOptions): Promise<ExitCodeValue> {
  const config = loadDeliverableConfig(ctx);
  // A dry run works on an in-memory copy: it changes nothing and leaves no file behind, however it ends.
  const target = stateTarget(ctx.location, config.state?.url);
  const db = opts.dryRun ? await openStateCopy(target) : await openState(target);
  try {
    // Refuses a state file of another Omnidesk account or channel, naming the file (exit 6).
    await bindState(db, ownerOf(config.omnidesk), { record: !opts.dryRun, dbPath: stateName(target) });
    // On a terminal the summary names every failed app: the same error is not logged above it too.
    const screen = process.stderr.isTTY && !ctx.json;
    const logger = screen ? terminalLogger(ctx.logger) : ctx.logger;
    const progress = startProgress(ctx, 'Syncing');
    let report;
    try {
      report = await runSync(db, config, ctx.location, logger, {
        apps: opts.app,
        dryRun: opts.dryRun,
        full: opts.full,
        pollReplies: opts.pollReplies,
        onProgress: (app, n) => progress.update(`Syncing: ${app}: ${n} reviews fetched`),
      });
    } finally {
      progress.stop();
    }
    if (ctx.json) ctx.out(JSON.stringify(report, null, 2));
    else if (!ctx.quiet || report.outcome !== 'ok') ctx.out(renderReport(report));
    const written = opts.metricsFile && !opts.dryRun ? await writeMetrics(ctx, opts.metricsFile, db) : true;
    return report.outcome === 'ok' && written ? ExitCode.ok : ExitCode.partialFailure;
  } finally {
    await db.close();
  }
}

/** A metrics file that cannot be written is said and makes the run exit 5: monitoring must not go blind quietly. */
async function writeMetrics(ctx: CommandContext, path: string, db: StateDb): Promise<boolean> {
  // prom-client is loaded only when metrics are asked for.
  const { writeMetricsFile } = await import('../../metrics/textfile.js');
  try {
    await writeMetricsFile(path, db);
    return true;
  } catch (err) {
    ctx.logger.error('could not write the metrics file', { path, error: errorMessage(err) });
    return false;
  }
}
