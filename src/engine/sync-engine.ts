/**
 * One sync: lock → for each enabled app (in parallel, bounded): pull and record, then deliver
 * its outbox → flush and read back replies → record the run. One app's failure never stops
 * the others; the run's outcome says whether anything failed.
 */
import pLimit from 'p-limit';
import type { AppConfig, Config } from '../config/schema.js';
import type { Review } from '../domain/review.js';
import { errorMessage, RemoteError, UserError, ExitCode } from '../errors.js';
import type { Logger } from '../log.js';
import { AppStates } from '../state/app-state.js';
import { Cursors } from '../state/cursors.js';
import type { Db } from '../state/db.js';
import { acquireLock } from '../state/lock.js';
import { Runs } from '../state/runs.js';
import { Deliverer } from './deliver.js';
import { Ingestor } from './ingest.js';
import { pollReplies } from './poll-replies.js';
import { emptyAppReport, type AppReport, type ReplySummary, type SyncReport } from './report.js';
import { ReplyPublisher } from './reply-publisher.js';
import type { Services } from './services.js';

export interface SyncEngineDeps {
  db: Db;
  config: Config;
  services: Services;
  logger: Logger;
  now?: (() => number) | undefined;
  /** App Store public-feed ids differ from API ids; this finds the same review. */
  matchPublicToApi?: ((publicReview: Review, apiCandidates: Review[]) => Review | undefined) | undefined;
}

export interface SyncRunOptions {
  apps?: readonly string[] | undefined;
  dryRun?: boolean | undefined;
  full?: boolean | undefined;
  pollReplies?: boolean | undefined;
  onProgress?: ((app: string, fetched: number) => void) | undefined;
}

const dayMs = 24 * 3600_000;

export function selectApps(config: Config, only: readonly string[] | undefined): AppConfig[] {
  const enabled = config.apps.filter((a) => a.enabled);
  if (!only || only.length === 0) return enabled;
  const unknown = only.filter((id) => !config.apps.some((a) => a.id === id));
  if (unknown.length > 0) {
    throw new UserError(`Unknown app id(s): ${unknown.join(', ')}.`, ExitCode.usage, `Known apps: ${config.apps.map((a) => a.id).join(', ') || 'none'} (see \`asodesk-omni config show\`).`);
  }
  return enabled.filter((a) => only.includes(a.id));
}

/** Google Play only serves the last 7 days: a pull older than 5 days is about to lose reviews. */
export function playWindowWarning(lastCompletePullAt: string | null | undefined, now: number): string | undefined {
  if (!lastCompletePullAt) return undefined;
  const age = now - Date.parse(lastCompletePullAt);
  if (age <= 5 * dayMs) return undefined;
  const days = Math.floor(age / dayMs);
  return `the last complete Google Play pull was ${days} days ago; the API only returns reviews of the last 7 days, so reviews older than that ${days >= 7 ? 'may already be lost' : 'will soon be lost'}. Run sync more often (cron */5).`;
}

export class SyncEngine {
  private readonly now: () => number;

  constructor(private readonly deps: SyncEngineDeps) {
    this.now = deps.now ?? Date.now;
  }

  async run(opts: SyncRunOptions = {}): Promise<SyncReport> {
    const { db, config, logger } = this.deps;
    const apps = selectApps(config, opts.apps);
    const lock = opts.dryRun ? undefined : acquireLock(db, 'sync');
    const heartbeat = lock ? setInterval(() => lock.beat(), 30_000) : undefined;
    heartbeat?.unref();
    const runs = new Runs(db);
    const runId = opts.dryRun ? undefined : runs.start('sync');
    const startedAt = new Date(this.now()).toISOString();
    try {
      const limit = pLimit(config.sync.concurrency);
      const reports = await Promise.all(apps.map((app) => limit(() => this.syncApp(app, opts))));
      let replies: ReplySummary | undefined;
      if (!opts.dryRun) replies = await this.replies(opts);
      const notOk = reports.filter((r) => r.outcome !== 'ok').length;
      const allFailed = reports.length > 0 && reports.every((r) => r.outcome === 'failed');
      const replyFailures = replies ? replies.failed : 0;
      const outcome: SyncReport['outcome'] = notOk === 0 && replyFailures === 0 ? 'ok' : allFailed ? 'failed' : 'partial';
      const report: SyncReport = { startedAt, finishedAt: new Date(this.now()).toISOString(), dryRun: Boolean(opts.dryRun), apps: reports, replies, outcome };
      if (runId !== undefined) runs.finish(runId, outcome, report);
      logger.debug('sync finished', { outcome, apps: reports.length });
      return report;
    } finally {
      if (heartbeat) clearInterval(heartbeat);
      lock?.release();
    }
  }

  private async syncApp(app: AppConfig, opts: SyncRunOptions): Promise<AppReport> {
    const { db, config, services, logger } = this.deps;
    const appKey = `${app.store}:${app.appId}`;
    let source;
    try {
      source = services.sourceFor(app);
    } catch (err) {
      const report = emptyAppReport(app.id, app.store, 'api', false);
      report.errors.push(errorMessage(err));
      report.outcome = 'failed';
      return report;
    }
    const report = emptyAppReport(app.id, app.store, source.connector.origin, source.credentialsMissing);
    const states = new AppStates(db);
    const state = states.get(appKey);
    const firstSync = !state?.firstSyncAt;
    const fullScanDue =
      app.store === 'app-store' && source.connector.origin === 'api' && (!state?.lastFullScanAt || this.now() - Date.parse(state.lastFullScanAt) > config.stores.appStore.fullScanHours * 3600_000);
    const at = (): string => new Date(this.now()).toISOString();
    // A pull that died or failed midway recorded its first pages only; stopping at them next
    // time would skip the rest for good, so the next pull reads everything.
    const cursors = new Cursors(db);
    const unfinishedKey = `pull-unfinished:${appKey}`;
    const interrupted = !firstSync && cursors.get(unfinishedKey) === 'yes';
    const full = firstSync || Boolean(opts.full) || fullScanDue || interrupted;
    if (interrupted) logger.info('previous pull did not finish: reading all pages', { app: app.id });
    if (!opts.dryRun) cursors.set(unfinishedKey, 'yes');

    if (app.store === 'google-play' && source.connector.origin === 'api') {
      const warning = playWindowWarning(state?.lastCompletePullAt, this.now());
      if (warning) {
        report.warnings.push(warning);
        logger.warn('Google Play review window at risk', { app: app.id, detail: warning });
      }
    }

    let pulled = false;
    try {
      await new Ingestor(db, app, report).run(source.connector, {
        firstSync,
        full,
        onProgress: opts.onProgress ? (n) => opts.onProgress!(app.id, n) : undefined,
        matchPublicToApi: this.deps.matchPublicToApi,
      });
      pulled = true;
      if (!opts.dryRun) {
        states.markPulled(appKey, at(), full);
        cursors.set(unfinishedKey, 'no');
        if (firstSync) states.markFirstSync(appKey, at());
      }
    } catch (err) {
      report.errors.push(`pull: ${errorMessage(err)}`);
      logger.error('pull failed', { app: app.id, error: errorMessage(err) });
      if (!(err instanceof RemoteError) && !(err instanceof UserError)) logger.debug('pull failure detail', { stack: (err as Error).stack });
    }

    // Deliver what is queued even when the pull failed: earlier reviews must not wait.
    try {
      await new Deliverer({ db, config, app, helpdesk: services.helpdesk, report, credentialsMissing: source.credentialsMissing, describeOnly: opts.dryRun }).run();
    } catch (err) {
      report.errors.push(`deliver: ${errorMessage(err)}`);
      report.failed++;
    }
    report.outcome = report.errors.length === 0 ? 'ok' : pulled || report.created + report.updated > 0 ? 'partial' : 'failed';
    if (!opts.dryRun) states.markOutcome(appKey, at(), report.outcome, report.errors[0] ?? null);
    const { fetched, created, updated, failed, outcome } = report;
    logger.info('app synced', { app: app.id, source: report.source, fetched, new: report.new, edited: report.edited, created, updated, failed, outcome });
    return report;
  }

  private async replies(opts: SyncRunOptions): Promise<ReplySummary> {
    const { db, config, services, logger } = this.deps;
    const publisher = new ReplyPublisher({ db, config, services, logger, now: this.deps.now });
    let polled = 0;
    if (opts.pollReplies) {
      try {
        polled = (await pollReplies({ db, services, logger, publisher, now: this.deps.now })).recorded;
      } catch (err) {
        logger.error('polling replies failed', { error: errorMessage(err) });
      }
    }
    const flushed = await publisher.flush();
    const back = await publisher.readBack();
    return { published: flushed.published + back.published, awaiting: flushed.awaiting, refused: flushed.refused, failed: flushed.failed, retrying: flushed.retrying, readBack: back.checked, polled };
  }
}
