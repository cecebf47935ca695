/** `status` on a terminal: one block per app, warnings last. */
import chalk from 'chalk';
import { storeNames } from '../../connectors/stores/registry.js';
import type { AppStatus, LastRun, StatusReport } from './collect.js';

function ago(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const rel =
    s < 90
      ? `${s} s ago`
      : s < 5400
        ? `${Math.round(s / 60)} min ago`
        : s < 172_800
          ? `${Math.round(s / 3600)} h ago`
          : `${Math.round(s / 86_400)} days ago`;
  return `${iso} (${rel})`;
}

function outcome(text: string | null): string {
  if (text === null) return chalk.dim('-');
  if (text === 'ok') return chalk.green(text);
  if (text === 'running') return chalk.cyan(text);
  return chalk.red(text);
}

function runLine(run: LastRun | null, now: number): string {
  if (!run) return 'last run: none yet (run `asodesk-omni sync`)';
  const took = run.finishedAt
    ? `, took ${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s`
    : '';
  const crashed =
    run.outcome === 'crashed' ? ' (the process ended without finishing; the next sync picks up where it stopped)' : '';
  return `last run: ${run.command} #${run.id} started ${ago(run.startedAt, now)}: ${outcome(run.outcome)}${took}${crashed}`;
}

/** "never" only when no sync ever ran: an app whose run failed before reaching it says so. */
function lastSyncText(a: AppStatus, run: LastRun | null, now: number): string {
  if (a.lastSync.at || !run || run.outcome === 'ok' || run.outcome === 'running')
    return `${ago(a.lastSync.at, now)} ${outcome(a.lastSync.outcome)}`;
  return `never completed; the last run (#${run.id}, ${ago(run.startedAt, now)}) ${outcome(run.outcome)}`;
}

function appBlock(a: AppStatus, now: number, run: LastRun | null = null): string[] {
  const title = `${chalk.bold(a.id)}  ${storeNames[a.store]} ${a.appId}${a.name ? ` (${a.name})` : ''}${a.enabled ? '' : chalk.yellow('  disabled')}`;
  const source =
    a.source === 'api' ? 'api' : `public${a.repliesNeedCredentials ? chalk.yellow(' (replies need credentials)') : ''}`;
  const r = a.replies;
  const lines = [
    title,
    `  source        ${source}`,
    `  last sync     ${lastSyncText(a, run, now)}${a.lastSync.error ? `: ${a.lastSync.error}` : ''}`,
    `  reviews seen  ${a.reviewsSeen}   cases created ${a.casesCreated}   edits delivered ${a.editsDelivered}`,
    `  deliveries    ${a.deliveries.pending} pending, ${a.deliveries.failed} failed`,
    `  replies       ${r.published} published, ${r.pending} pending, ${r.sending} in flight, ${r.awaiting} awaiting the store, ${r.failed} failed, ${r.refused} refused${r.rejected ? `, ${r.rejected} rejected` : ''}`,
  ];
  if (a.quota)
    lines.push(
      `  quota         ${a.quota.getLeftThisHour}/${a.quota.getPerHour} reads left this hour, ${a.quota.postLeftToday}/${a.quota.postPerDay} replies left today`,
    );
  for (const w of a.warnings) lines.push(`  ${chalk.yellow('!')} ${w}`);
  return lines;
}

export function renderStatus(report: StatusReport, now = Date.now()): string {
  const out = [
    `config: ${report.config}`,
    `database: ${report.database}${report.databaseExists ? '' : ' (not created yet)'}`,
    runLine(report.lastRun, now),
    '',
  ];
  for (const a of report.apps) out.push(...appBlock(a, now, report.lastRun), '');
  const orphan = report.replies;
  const linked = report.apps.reduce((n, a) => n + Object.values(a.replies).reduce((x, y) => x + y, 0), 0);
  const total = Object.values(orphan).reduce((x, y) => x + y, 0);
  if (total > linked)
    out.push(
      `${total - linked} reply(ies) belong to cases of no configured app (see \`asodesk-omni config show\`)`,
      '',
    );
  for (const w of report.warnings) out.push(`${chalk.yellow('!')} ${w}`);
  return out.join('\n').trimEnd();
}
