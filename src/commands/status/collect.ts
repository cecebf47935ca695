/**
 * Everything `status` shows, read from the config and the SQLite state only: no request to
 * any service, so it is safe to run from monitoring every minute.
 */
import { hostname } from 'node:os';
import type { ConfigLocation } from '../../config/load.js';
import type { AppConfig, Config } from '../../config/schema.js';
import { allStores, storeDescriptor } from '../../connectors/stores/registry.js';
import type { QuotaStatus } from '../../connectors/stores/types.js';
import type { StoreId } from '../../domain/review.js';
import { reviewWindowWarning } from '../../engine/review-window.js';
import { errorMessage } from '../../errors.js';
import { metricsSnapshot, type MetricsSnapshot } from '../../metrics/snapshot.js';
import { AppStates } from '../../state/app-state.js';
import type { StateDb } from '../../state/handle.js';
import { DeliveryOutbox } from '../../state/deliveries.js';
import { ReplyOutbox, replyStates, type ReplyState } from '../../state/replies.js';
import { Runs } from '../../state/runs.js';
import { appCounts, lockHolder, replyCounts } from '../../state/stats.js';
import { stateUsageLedger } from '../../state/usage.js';
import { SetAsideRecords, type SetAsideSummary } from '../../state/set-aside.js';

export type CredentialState = 'set' | 'missing' | 'broken';
export type ReplyCounts = Record<ReplyState, number>;

export interface AppStatus {
  id: string;
  store: StoreId;
  appId: string;
  name: string | null;
  enabled: boolean;
  /** Where reviews come from: the console API (credentials) or the store's public pages. */
  source: 'api' | 'public';
  credentials: CredentialState;
  credentialsError: string | null;
  /** True when agents' replies cannot be published for this app. */
  repliesNeedCredentials: boolean;
  lastSync: { at: string | null; outcome: string | null; error: string | null };
  lastCompletePullAt: string | null;
  reviewsSeen: number;
  casesCreated: number;
  editsDelivered: number;
  deliveries: { pending: number; failed: number };
  replies: ReplyCounts;
  quota: QuotaStatus | null;
  /** Store records that failed their schema: kept out of the sync, not retried. */
  setAside: SetAsideSummary;
  warnings: string[];
}

export interface LastRun {
  id: number;
  command: string;
  startedAt: string;
  finishedAt: string | null;
  /** ok | partial | failed, `running` while a live process holds the lock, `crashed` when none does. */
  outcome: string;
}

export interface StatusReport {
  config: string;
  database: string;
  /** False until the first sync made the database. */
  databaseExists: boolean;
  lastRun: LastRun | null;
  apps: AppStatus[];
  /** Every reply in the outbox, including those of cases not linked to a configured app. */
  replies: ReplyCounts;
  /** Replies being published now; `stuck` ones are held by no running process (taken over by the next sync or serve-hook). */
  repliesInFlight: { inFlight: number; stuck: number };
  /** The figures of `sync --metrics-file` and serve-hook's /metrics; null before the first sync. */
  metrics: MetricsSnapshot | null;
  warnings: string[];
}

function zeroReplies(): ReplyCounts {
  return Object.fromEntries(replyStates.map((s) => [s, 0])) as ReplyCounts;
}

/** Whether each store's credentials are set and readable (key files are read, nothing is sent). */
function credentialStates(
  config: Config,
  location: ConfigLocation,
): Record<StoreId, { state: CredentialState; error?: string }> {
  const check = (resolve: () => unknown): { state: CredentialState; error?: string } => {
    try {
      return { state: resolve() === undefined ? 'missing' : 'set' };
    } catch (err) {
      return { state: 'broken', error: errorMessage(err) };
    }
  };
  return Object.fromEntries(
    allStores().map((s) => [s.id, check(() => (s.api.hasCredentials(config, location) ? true : undefined))]),
  ) as Record<StoreId, { state: CredentialState; error?: string }>;
}

export async function collectStatus(
  config: Config,
  location: ConfigLocation,
  db: StateDb | undefined,
  now = Date.now(),
): Promise<StatusReport> {
  const creds = credentialStates(config, location);
  const warnings: string[] = [];
  if (!config.omnidesk) warnings.push('Omnidesk is not set up: run `asodesk-omni init`.');
  else if (!config.omnidesk.channel)
    warnings.push('No Omnidesk custom channel is chosen: run `asodesk-omni init` (step "Custom channel").');
  if (config.apps.length === 0) warnings.push('No app is connected: run `asodesk-omni init` (step "Apps").');
  if (!db) warnings.push('No sync has run yet (no state database): run `asodesk-omni sync`.');

  const apps: AppStatus[] = [];
  for (const app of config.apps) apps.push(await appStatus(app, config, creds[app.store], db, now));
  const repliesInFlight = db ? await new ReplyOutbox(db).inFlight(now) : { inFlight: 0, stuck: 0 };
  if (repliesInFlight.stuck > 0) {
    warnings.push(
      `${repliesInFlight.stuck} reply(ies) claimed by a process that no longer runs: the next \`asodesk-omni sync\` or serve-hook publishes them`,
    );
  }
  return {
    config: location.configPath,
    database: db?.location ?? location.dbPath,
    databaseExists: db !== undefined,
    lastRun: db ? await lastRun(db) : null,
    apps,
    replies: db ? await allReplies(db) : zeroReplies(),
    repliesInFlight,
    metrics: db ? await metricsSnapshot(db, now) : null,
    warnings,
  };
}

async function appStatus(
  app: AppConfig,
  config: Config,
  cred: { state: CredentialState; error?: string },
  db: StateDb | undefined,
  now: number,
): Promise<AppStatus> {
  const appKey = `${app.store}:${app.appId}`;
  const source: 'api' | 'public' =
    app.source === 'public' || (app.source === 'auto' && cred.state !== 'set') ? 'public' : 'api';
  const state = db ? await new AppStates(db).get(appKey) : undefined;
  const status: AppStatus = {
    id: app.id,
    store: app.store,
    appId: app.appId,
    name: app.name ?? null,
    enabled: app.enabled,
    source,
    credentials: cred.state,
    credentialsError: cred.error ?? null,
    repliesNeedCredentials: cred.state !== 'set',
    lastSync: { at: state?.lastSyncAt ?? null, outcome: state?.lastOutcome ?? null, error: state?.lastError ?? null },
    lastCompletePullAt: state?.lastCompletePullAt ?? null,
    reviewsSeen: 0,
    casesCreated: 0,
    editsDelivered: 0,
    deliveries: { pending: 0, failed: 0 },
    replies: zeroReplies(),
    quota: null,
    setAside: { count: 0, reasons: [] },
    warnings: [],
  };
  if (cred.state === 'broken')
    status.warnings.push(`store credentials cannot be used: ${cred.error ?? 'unknown error'}`);
  if (db) await fillCounts(status, appKey, db);
  if (status.lastSync.outcome === 'failed' || status.lastSync.outcome === 'partial') {
    status.warnings.push(
      `last sync ${status.lastSync.outcome}${status.lastSync.error ? `: ${status.lastSync.error}` : ''}`,
    );
  }
  if (status.setAside.count > 0) {
    status.warnings.push(
      `${status.setAside.count} store record(s) were set aside as malformed and are not retried (the rest of their pages was synced): ${status.setAside.reasons.join('; ')}`,
    );
  }
  if (status.deliveries.failed > 0)
    status.warnings.push(
      `${status.deliveries.failed} review(s) could not be sent to Omnidesk yet; the next sync retries them`,
    );
  if (status.replies.failed > 0)
    status.warnings.push(`${status.replies.failed} reply(ies) failed to publish: see the notes in their cases`);
  const store = storeDescriptor(app.store);
  if (source === 'api' && store.api.reviewWindowDays !== undefined) {
    const warning = reviewWindowWarning(store.name, store.api.reviewWindowDays, status.lastCompletePullAt, now);
    if (warning) status.warnings.push(warning);
  }
  if (source === 'api' && store.quota && db)
    status.quota = await store.quota(config, stateUsageLedger(db), app.appId, now);
  return status;
}

async function fillCounts(status: AppStatus, appKey: string, db: StateDb): Promise<void> {
  Object.assign(status, await appCounts(db, appKey));
  status.setAside = await new SetAsideRecords(db).summary(appKey);
  const d = await new DeliveryOutbox(db).countsFor(appKey);
  status.deliveries = { pending: d.pending, failed: d.failed };
  for (const r of await replyCounts(db, appKey)) status.replies[r.state] = r.n;
}

async function allReplies(db: StateDb): Promise<ReplyCounts> {
  const out = zeroReplies();
  for (const r of await replyCounts(db)) out[r.state] = r.n;
  return out;
}

async function lastRun(db: StateDb): Promise<LastRun | null> {
  const run = await new Runs(db).last('sync');
  if (!run) return null;
  let outcome = run.outcome ?? 'running';
  if (run.finishedAt === null) {
    const lock = await lockHolder(db, 'sync');
    outcome = lock && lockAlive(lock) ? 'running' : 'crashed';
  }
  return { id: run.id, command: run.command, startedAt: run.startedAt, finishedAt: run.finishedAt, outcome };
}

/** A lock of another host cannot be checked from here: taken as alive until it goes stale. */
function lockAlive(lock: { pid: number; host: string }): boolean {
  if (lock.host !== hostname()) return true;
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
