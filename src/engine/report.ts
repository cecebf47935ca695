import type { FollowUpReport } from './follow-ups.js';
import type { ReplyEffectReport } from './reply-effects.js';

/** What a sync did, per app, for the table on a terminal and for `--json`. */
export interface AppReport {
  app: string;
  store: string;
  source: 'api' | 'public';
  credentialsMissing: boolean;
  fetched: number;
  new: number;
  edited: number;
  unchanged: number;
  /** Reviews (or edits) not sent, by filter. */
  dropped: Record<string, number>;
  backlogSkipped: number;
  /** Records the store sent that failed their schema: left out, not retried, not a failure. */
  setAside: number;
  /** Their distinct reasons, shown once in the summary. */
  setAsideReasons: string[];
  /** Of `backlogSkipped`: reviews the developer had answered before the first sync (the rest were older than the backlog). */
  backlogAnswered?: number;
  created: number;
  updated: number;
  /** Deliveries whose earlier outcome was unknown and turned out to be done. */
  reconciled: number;
  failed: number;
  errors: string[];
  warnings: string[];
  /** Dry run: what would be sent. */
  wouldSend?: string[] | undefined;
  outcome: 'ok' | 'partial' | 'failed';
}

export interface ReplySummary {
  published: number;
  awaiting: number;
  refused: number;
  failed: number;
  retrying: number;
  readBack: number;
  polled: number;
  /** Replies a process is publishing right now (serve-hook, another sync). */
  inFlight?: number | undefined;
  /** Of those, held by no live process (another host's, not stale yet): taken over later. */
  stuck?: number | undefined;
}

export interface SyncReport {
  startedAt: string;
  finishedAt: string;
  dryRun: boolean;
  apps: AppReport[];
  /** Apps another sync worker held or had synced since this run began (PostgreSQL state). */
  appsElsewhere?: string[] | undefined;
  /** Another worker was doing the account-wide steps (replies, follow-ups, notes) meanwhile. */
  sharedStepsElsewhere?: boolean | undefined;
  replies?: ReplySummary | undefined;
  /** Drafts and automatic replies of new cases (config `drafts`, `autoReply`). */
  followUps?: FollowUpReport | undefined;
  /** Edits of answered reviews; rating changes noted in their cases. */
  replyEffects?: ReplyEffectReport | undefined;
  outcome: 'ok' | 'partial' | 'failed';
  /** Omnidesk reads spent finding existing cases before creating (find before create). */
  caseLookups?: number | undefined;
  /** Requests sent, per service, for benchmarks. */
  requests?: Record<string, number> | undefined;
  /** Omnidesk's `api_calls_left` after the run (monitoring). */
  omnideskQuotaLeft?: number | undefined;
}

export function emptyAppReport(
  app: string,
  store: string,
  source: 'api' | 'public',
  credentialsMissing: boolean,
): AppReport {
  return {
    app,
    store,
    source,
    credentialsMissing,
    fetched: 0,
    new: 0,
    edited: 0,
    unchanged: 0,
    dropped: {},
    backlogSkipped: 0,
    setAside: 0,
    setAsideReasons: [],
    created: 0,
    updated: 0,
    reconciled: 0,
    failed: 0,
    errors: [],
    warnings: [],
    outcome: 'ok',
  };
}

/** "1 note", "2 notes". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderReport(report: SyncReport): string {
  const header = ['app', 'source', 'fetched', 'new', 'edited', 'dropped', 'sent', 'updated', 'failed', 'result'];
  const rows = report.apps.map((a) => {
    const dropped = Object.values(a.dropped).reduce((x, y) => x + y, 0) + a.backlogSkipped;
    return [
      a.app,
      a.source + (a.credentialsMissing ? '*' : ''),
      a.fetched,
      a.new,
      a.edited,
      dropped,
      a.created,
      a.updated,
      a.failed,
      a.outcome,
    ].map(String);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [
    report.dryRun ? 'DRY RUN: nothing was sent or saved.' : '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].filter((l) => l !== '');
  for (const a of report.apps) {
    const reasons = Object.entries(a.dropped).map(([k, v]) => `${k} ${v}`);
    if (reasons.length) out.push(`  ${a.app}: dropped by filter: ${reasons.join(', ')}`);
    if (a.setAside)
      out.push(`  ${a.app}: ${a.setAside} record(s) set aside (not readable): ${a.setAsideReasons.join('; ')}`);
    // Not filters: the first sync imports only the newest unanswered reviews (the backlog).
    const answered = a.backlogAnswered ?? 0;
    const older = a.backlogSkipped - answered;
    const backlog = [
      answered ? `already answered ${answered}` : '',
      older ? `older than the backlog ${older}` : '',
    ].filter((x) => x !== '');
    if (backlog.length) out.push(`  ${a.app}: not imported on the first sync: ${backlog.join(', ')}`);
    if (a.credentialsMissing)
      out.push(
        `  ${a.app}: * public source, no store credentials: replies cannot be published (asodesk-omni init, step "Store credentials")`,
      );
    for (const w of a.warnings) out.push(`  ${a.app}: warning: ${w}`);
    for (const e of a.errors) out.push(`  ${a.app}: error: ${e}`);
    for (const s of a.wouldSend ?? []) out.push(`  ${a.app}: would send: ${s}`);
  }
  if (report.appsElsewhere?.length) out.push(`Synced by another worker meanwhile: ${report.appsElsewhere.join(', ')}`);
  if (report.sharedStepsElsewhere)
    out.push('Replies, follow-ups and rating notes: done by another worker running now.');
  if (report.replies) {
    const r = report.replies;
    out.push(
      `replies: ${r.published} published, ${r.awaiting} awaiting the store, ${r.refused} refused, ${r.failed} failed, ${r.retrying} to retry${r.inFlight ? `, ${r.inFlight} in flight${r.stuck ? ` (${r.stuck} stuck: held by no running process)` : ''}` : ''}${r.polled ? `, ${r.polled} found by polling` : ''}`,
    );
  }
  if (report.followUps) {
    const f = report.followUps;
    out.push(
      `follow-ups: ${f.notes} notes (drafts, auto-reply notices); automatic replies ${f.autoHanded} sent, ${f.autoYielded} left to an agent, ${f.autoCapped} over the daily cap, ${f.autoTooLong} too long`,
    );
    for (const e of f.errors) out.push(`  error: ${e}`);
  }
  if (report.replyEffects) {
    const e = report.replyEffects;
    out.push(
      `reply effect: ${count(e.edits, 'edit')} of answered reviews, ${count(e.ratingChanges, 'rating change')}; ${count(e.notes, 'note')} in cases`,
    );
    for (const err of e.errors) out.push(`  error: ${err}`);
  }
  out.push(`result: ${report.outcome}`);
  return out.join('\n');
}
