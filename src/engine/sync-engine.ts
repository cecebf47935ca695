/**
 * One sync: lock → for each enabled app (in parallel, bounded): pull and record, then deliver
 * its outbox → flush and read back replies → record the run. One app's failure never stops
 * the others; the run's outcome says whether anything failed.
 */
import pLimit from 'p-limit';
import type { AppConfig, Config } from '../config/schema.js';
import { storeName } from '../connectors/stores/registry.js';
import { errorMessage, RemoteError, UserError, ExitCode } from '../errors.js';
import type { Logger } from '../log.js';
import { AppStates } from '../state/app-state.js';
import { Cursors } from '../state/cursors.js';
import type { StateDb } from '../state/handle.js';
import { isStorageFault } from '../state/faults.js';
import { bindState, ownerOf } from '../state/identity.js';
import { takeSyncLeases, type SyncLeases } from '../state/sync-leases.js';
import { Runs } from '../state/runs.js';
import { SetAsideRecords } from '../state/set-aside.js';
import { CaseFinder } from './case-finder.js';
import { deliverReported } from './deliver.js';
import { FollowUpRunner, type FollowUpReport } from './follow-ups.js';
import { Ingestor } from './ingest.js';
import { describeStops, type PagingBudget } from './paging.js';
import { pollReplies } from './poll-replies.js';
import { emptyAppReport, type AppReport, type ReplySummary, type SyncReport } from './report.js';
import { ReplyEffectRunner, type ReplyEffectReport } from './reply-effects.js';
import { ReplyPublisher } from './reply-publisher.js';
import { reviewWindowWarning } from './review-window.js';
import type { Services } from './services.js';

export interface SyncEngineDeps {
  db: StateDb;
  config: Config;
  services: Services;
  logger: Logger;
  now?: (() => number) | undefined;
}

export interface SyncRunOptions {
  apps?: readonly string[] | undefined;
  dryRun?: boolean | undefined;
  full?: boolean | undefined;
  pollReplies?: boolean | undefined;
  onProgress?: ((app: string, fetched: number) => void) | undefined;
}

export function selectApps(config: Config, only: readonly string[] | undefined): AppConfig[] {
  const enabled = config.apps.filter((a) => a.enabled);
  if (!only || only.length === 0) return enabled;
  const unknown = only.filter((id) => !config.apps.some((a) => a.id === id));
  if (unknown.length > 0) {
    throw new UserError(
      `Unknown app id(s): ${unknown.join(', ')}.`,
      ExitCode.usage,
      `Known apps: ${config.apps.map((a) => a.id).join(', ') || 'none'} (see \`asodesk-omni config show\`).`,
    );
  }
  return enabled.filter((a) => only.includes(a.id));
}

function hasFollowUps(r: FollowUpReport): boolean {
  return r.notes + r.autoHanded + r.autoYielded + r.autoCapped + r.autoTooLong + r.errors.length > 0;
}

export class SyncEngine {
  private readonly now: () => number;
  private finder: CaseFinder | undefined;

  constructor(private readonly deps: SyncEngineDeps) {
    this.now = deps.now ?? Date.now;
  }

  async run(opts: SyncRunOptions = {}): Promise<SyncReport> {
    const { db, config, logger } = this.deps;
    const apps = selectApps(config, opts.apps);
    await bindState(db, ownerOf(config.omnidesk), { record: !opts.dryRun });
    // SQLite: the run lock (exit 75 while another run holds it); PostgreSQL: leases shared by workers.
    const leases = opts.dryRun ? undefined : await takeSyncLeases(db);
    let heartbeat: NodeJS.Timeout | undefined;
    // In a timer nobody awaits: a full disk or a foreign lock must not become an uncaught
    // exception; the run's next write meets the same fault and reports it.
    const beat = (): void => {
      leases?.beat().catch((err: unknown) => {
        logger.warn('could not refresh the run lock', { error: errorMessage(err) });
      });
    };
    // Everything after the lock is inside the try: no exit path may leave it held.
    try {
      const channel = config.omnidesk?.channel;
      this.finder = channel
        ? new CaseFinder({ db, helpdesk: this.deps.services.helpdesk, channel, logger, now: this.now })
        : undefined;
      heartbeat = leases ? setInterval(beat, 30_000) : undefined;
      heartbeat?.unref();
      const runs = new Runs(db);
      const runId = opts.dryRun ? undefined : await runs.start('sync');
      const startedAt = new Date(this.now()).toISOString();
      const limit = pLimit(config.sync.concurrency);
      const taken = await Promise.all(apps.map((app) => limit(() => this.syncLeased(app, opts, leases, startedAt))));
      const reports = taken.filter((r): r is AppReport => r !== undefined);
      const elsewhere = apps.filter((_, i) => taken[i] === undefined).map((a) => a.id);
      // The account-wide steps run in one worker at a time: the one holding the shared lease.
      const shared = leases?.shared ?? true;
      let replies: ReplySummary | undefined;
      let followUps: FollowUpReport | undefined;
      let effects: ReplyEffectReport | undefined;
      if (!opts.dryRun && shared) {
        // Before the flush, so an automatic reply handed over now is published in this run.
        followUps = await this.followUps();
        replies = await this.replies(opts);
        effects = await this.replyEffects();
      }
      const notOk = reports.filter((r) => r.outcome !== 'ok').length;
      const allFailed = reports.length > 0 && reports.every((r) => r.outcome === 'failed');
      // A reply held by no live process is stuck until taken over: never an `ok` run.
      const replyFailures =
        (replies ? replies.failed + (replies.stuck ?? 0) : 0) +
        (followUps ? followUps.errors.length : 0) +
        (effects ? effects.errors.length : 0);
      const outcome: SyncReport['outcome'] =
        notOk === 0 && replyFailures === 0 ? 'ok' : allFailed ? 'failed' : 'partial';
      const report: SyncReport = {
        startedAt,
        finishedAt: new Date(this.now()).toISOString(),
        dryRun: Boolean(opts.dryRun),
        apps: reports,
        ...(elsewhere.length > 0 && { appsElsewhere: elsewhere }),
        ...(!shared && { sharedStepsElsewhere: true }),
        replies,
        ...(followUps && hasFollowUps(followUps) && { followUps }),
        ...(effects && effects.edits + effects.notes + effects.errors.length > 0 && { replyEffects: effects }),
        outcome,
        caseLookups: this.finder?.reads,
        omnideskQuotaLeft: config.omnidesk ? this.deps.services.helpdesk.quotaSnapshot().remaining : undefined,
      };
      if (runId !== undefined) {
        await runs.finish(runId, outcome, report);
        await runs.prune(new Date(this.now() - config.sync.keepRunsDays * 86_400_000).toISOString());
      }
      logger.debug('sync finished', { outcome, apps: reports.length });
      return report;
    } finally {
      if (heartbeat) clearInterval(heartbeat);
      await leases?.release();
    }
  }

  /**
   * One app under its lease: undefined when another worker holds it, or synced it after this
   * run began (two workers started together must not both walk every app).
   */
  private async syncLeased(
    app: AppConfig,
    opts: SyncRunOptions,
    leases: SyncLeases | undefined,
    runStartedAt: string,
  ): Promise<AppReport | undefined> {
    if (!leases) return this.syncApp(app, opts);
    const lease = await leases.app(`${app.store}:${app.appId}`);
    if (!lease) return undefined;
    try {
      if (this.deps.db.dialect !== 'sqlite') {
        const last = (await new AppStates(this.deps.db).get(`${app.store}:${app.appId}`))?.lastSyncAt;
        if (last && last >= runStartedAt) return undefined;
      }
      return await this.deps.db.withScope(`app:${app.store}:${app.appId}`, () => this.syncApp(app, opts));
    } finally {
      await lease.release();
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
    const caps = source.connector.capabilities;
    const states = new AppStates(db);
    const state = await states.get(appKey);
    const firstSync = !state?.firstSyncAt;
    const fullScanDue =
      caps.fullScanEveryMs !== undefined &&
      (!state?.lastFullScanAt || this.now() - Date.parse(state.lastFullScanAt) > caps.fullScanEveryMs);
    const at = (): string => new Date(this.now()).toISOString();
    // A pull that died or failed midway recorded its first pages only; stopping at them next
    // time would skip the rest for good, so the next pull reads everything.
    const cursors = new Cursors(db);
    const unfinishedKey = `pull-unfinished:${appKey}`;
    const interrupted = !firstSync && (await cursors.get(unfinishedKey)) === 'yes';
    const full = firstSync || Boolean(opts.full) || fullScanDue || interrupted;
    if (interrupted) logger.info('previous pull did not finish: reading all pages', { app: app.id });
    // Bookkeeping commits are lazy (safe from a kill, not from a power loss): the next synced
    // commit (the pull's own, a delivery claim) makes them durable; lost with the pull, the
    // next run only reads again what it had read.
    const bookkeeping = (fn: () => Promise<void>): Promise<void> => db.transaction(fn, { durability: 'lazy' });
    if (!opts.dryRun) await bookkeeping(() => cursors.set(unfinishedKey, 'yes'));

    if (caps.reviewWindowDays !== undefined) {
      const warning = reviewWindowWarning(
        storeName(app.store),
        caps.reviewWindowDays,
        state?.lastCompletePullAt,
        this.now(),
      );
      if (warning) {
        report.warnings.push(warning);
        logger.warn('review window at risk', { app: app.id, detail: warning });
      }
    }

    let pulled = false;
    const budget: PagingBudget = { maxPages: config.sync.maxPagesPerApp, maxMs: config.sync.maxPullSeconds * 1000 };
    const pullStartedAt = new Date().toISOString();
    try {
      const paging = await new Ingestor(db, app, report).run(source.connector, {
        firstSync,
        full,
        onProgress: opts.onProgress ? (n) => opts.onProgress!(app.id, n) : undefined,
        budget,
        now: this.now,
      });
      report.setAside += paging.setAside.length;
      report.setAsideReasons.push(...new Set(paging.setAside.map((r) => r.reason)));
      // Kept in the state for `status`; not retried as failures.
      if (paging.setAside.length > 0) await new SetAsideRecords(db).record(appKey, paging.setAside);
      for (const warning of describeStops(paging)) {
        report.warnings.push(warning);
        logger.warn('paging stopped early', { app: app.id, detail: warning });
      }
      pulled = true;
      if (!opts.dryRun)
        await bookkeeping(async () => {
          await states.markPulled(appKey, at(), full);
          // Every page was read: a set-aside record the store no longer serves is forgotten.
          if (full) await new SetAsideRecords(db).pruneUnseenSince(appKey, pullStartedAt);
          await cursors.set(unfinishedKey, 'no');
          if (firstSync) await states.markFirstSync(appKey, at());
        });
    } catch (err) {
      if (isStorageFault(err)) throw err;
      report.errors.push(`pull: ${errorMessage(err)}`);
      logger.error('pull failed', { app: app.id, error: errorMessage(err) });
      if (!(err instanceof RemoteError) && !(err instanceof UserError))
        logger.debug('pull failure detail', { stack: (err as Error).stack });
    }

    // Deliver what is queued even when the pull failed: earlier reviews must not wait.
    await deliverReported({
      db,
      config,
      app,
      helpdesk: services.helpdesk,
      report,
      credentialsMissing: source.credentialsMissing,
      describeOnly: opts.dryRun,
      finder: this.finder,
      now: this.now,
    });
    report.outcome =
      report.errors.length === 0 ? 'ok' : pulled || report.created + report.updated > 0 ? 'partial' : 'failed';
    if (!opts.dryRun)
      await bookkeeping(() => states.markOutcome(appKey, at(), report.outcome, report.errors[0] ?? null));
    const { fetched, created, updated, failed, outcome } = report;
    logger.info('app synced', {
      app: app.id,
      source: report.source,
      fetched,
      new: report.new,
      edited: report.edited,
      created,
      updated,
      failed,
      outcome,
    });
    return report;
  }

  private async followUps(): Promise<FollowUpReport> {
    const { db, config, services, logger } = this.deps;
    const report = await new FollowUpRunner({ db, config, services, logger, now: this.deps.now }).run();
    for (const e of report.errors) logger.warn('follow-up of a case failed; retried next run', { error: e });
    return report;
  }

  private async replyEffects(): Promise<ReplyEffectReport> {
    const { db, config, services, logger } = this.deps;
    const report = await new ReplyEffectRunner({
      db,
      config,
      helpdesk: services.helpdesk,
      logger,
      now: this.deps.now,
    }).run();
    for (const e of report.errors) logger.warn('rating-change note failed; retried next run', { error: e });
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
        if (isStorageFault(err)) throw err;
        logger.error('polling replies failed', { error: errorMessage(err) });
      }
    }
    const flushed = await publisher.flush();
    const back = await publisher.readBack();
    const held = await publisher.outbox.inFlight(this.now());
    return {
      published: flushed.published + back.published,
      awaiting: flushed.awaiting,
      refused: flushed.refused,
      failed: flushed.failed,
      retrying: flushed.retrying,
      readBack: back.checked,
      polled,
      inFlight: held.inFlight,
      stuck: held.stuck,
    };
  }
}
