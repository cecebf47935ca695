import { loadConfig } from '../../config/load.js';
import { rebuildState } from '../../engine/rebuild.js';
import { renderReport } from '../../engine/report.js';
import { buildServices } from '../../engine/wiring.js';
import { ConfigError, ExitCode, type ExitCodeValue } from '../../errors.js';
import { LabelCache } from '../../state/labels.js';
import { sqliteUsageLedger } from '../../state/usage.js';
import type { CommandContext } from '../context.js';
import { stateTarget } from '../../config/state-url.js';
import { openState } from '../../state/open.js';

export async function rebuildCommand(ctx: CommandContext): Promise<ExitCodeValue> {
  const config = loadConfig(ctx.location, ctx.env);
  if (!config.omnidesk)
    throw new ConfigError(
      'Omnidesk is not set up yet.',
      [{ path: 'omnidesk', message: 'missing' }],
      'Run `asodesk-omni init`.',
    );
  const db = await openState(stateTarget(ctx.location, config.state?.url));
  try {
    const services = buildServices(config, ctx.location, ctx.logger, {
      usage: sqliteUsageLedger(db),
      labelCache: new LabelCache(db),
    });
    const tty = process.stderr.isTTY && !ctx.quiet && !ctx.json;
    const result = await rebuildState({
      db,
      config,
      services,
      logger: ctx.logger,
      onCasesRead: tty
        ? (n, total) => process.stderr.write(`\rOmnidesk cases: page ${n}${total ? ` of ${total}` : ''}`)
        : undefined,
      onProgress: tty ? (app, n) => process.stderr.write(`\r\x1b[K${app}: ${n} reviews fetched`) : undefined,
    });
    if (tty) process.stderr.write('\r\x1b[K');
    await services.close();
    if (ctx.json) ctx.out(JSON.stringify(result, null, 2));
    else
      ctx.out(
        `State rebuilt from Omnidesk: ${result.casesIndexed} cases of the channel indexed, ${result.casesRelinked} reviews relinked.\n${renderReport(result.sync)}`,
      );
    return result.sync.outcome === 'ok' ? ExitCode.ok : ExitCode.partialFailure;
  } finally {
    await db.close();
  }
}
