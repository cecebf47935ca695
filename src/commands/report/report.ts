/**
 * `asodesk-omni report`: the reply report from the state database (table, `--json`, `--csv`).
 * Agents are named from Omnidesk's staff list when grouping by agent; without Omnidesk (not
 * set up, or not reachable) their ids are shown and a warning says why.
 */
import { loadConfig } from '../../config/load.js';
import type { AppConfig, Config } from '../../config/schema.js';
import { buildReplyReport, type ReportGrouping } from '../../engine/reply-report.js';
import { buildServices } from '../../engine/wiring.js';
import { errorMessage, ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { CommandContext } from '../context.js';
import { renderReportCsv, renderReportTable } from './render.js';
import { stateTarget } from '../../config/state-url.js';
import { openExistingState } from '../../state/open.js';

export interface ReportOptions {
  since?: string | undefined;
  app?: string[] | undefined;
  by?: ReportGrouping | undefined;
  csv?: boolean | undefined;
}

const dayMs = 24 * 3600_000;

/** `--since`: a date (UTC midnight), an ISO time, or `<n>d` days before now. */
export function parseSince(value: string, now: number): string {
  const v = value.trim();
  const days = /^(\d{1,5})d$/.exec(v);
  if (days) return new Date(now - Number(days[1]) * dayMs).toISOString();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(v)
    ? Date.parse(`${v}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T/.test(v)
      ? Date.parse(v)
      : NaN;
  if (Number.isNaN(date))
    throw new UserError(
      `--since "${value}" is not a date.`,
      ExitCode.usage,
      'Give a date (2026-03-01), an ISO time (2026-03-01T12:00:00Z) or a number of days (30d).',
    );
  return new Date(date).toISOString();
}

function selectReportApps(config: Config, ids: readonly string[] | undefined): AppConfig[] | undefined {
  if (!ids || ids.length === 0) return undefined;
  const unknown = ids.filter((id) => !config.apps.some((a) => a.id === id));
  if (unknown.length > 0)
    throw new UserError(
      `Unknown app id(s): ${unknown.join(', ')}.`,
      ExitCode.usage,
      `Known apps: ${config.apps.map((a) => a.id).join(', ') || 'none'} (see \`asodesk-omni config show\`).`,
    );
  return config.apps.filter((a) => ids.includes(a.id));
}

/** Agents' names from Omnidesk; none (ids shown) when it cannot be asked. */
async function staffNames(config: Config, ctx: CommandContext, logger: Logger): Promise<Map<number, string>> {
  try {
    const helpdesk = buildServices(config, ctx.location, logger).helpdesk;
    const staff = (await helpdesk.listStaff?.()) ?? [];
    return new Map(staff.map((s) => [s.id, s.name]));
  } catch (err) {
    logger.warn('agents are shown by their Omnidesk staff id: the staff list could not be read', {
      error: errorMessage(err),
    });
    return new Map();
  }
}

export async function reportCommand(
  ctx: CommandContext,
  opts: ReportOptions,
  now = Date.now(),
): Promise<ExitCodeValue> {
  if (opts.csv && ctx.json)
    throw new UserError('--csv and --json cannot be used together.', ExitCode.usage, 'Choose one output format.');
  const since = opts.since === undefined ? undefined : parseSince(opts.since, now);
  const config = loadConfig(ctx.location, ctx.env);
  const selected = selectReportApps(config, opts.app);
  const by = opts.by ?? 'app';
  const names = by === 'agent' ? await staffNames(config, ctx, ctx.logger) : undefined;
  // The report never creates the database: a missing one means nothing came in yet.
  const db = await openExistingState(stateTarget(ctx.location, config.state?.url));
  try {
    const report = await buildReplyReport(db, {
      apps: config.apps,
      selected,
      by,
      sinceIso: since,
      now,
      staffNames: names,
    });
    ctx.out(
      ctx.json ? JSON.stringify(report, null, 2) : opts.csv ? renderReportCsv(report) : renderReportTable(report),
    );
    return ExitCode.ok;
  } finally {
    await db?.close();
  }
}
