/**
 * `import`: reviews from the stores' console exports (CSV), past the APIs' windows. Every file is
 * read and checked before anything is recorded; then, under the run lock, the reviews go through
 * the same filters, backlog, review keys and outbox as a pull, and the outbox is delivered as
 * `sync` delivers it: a later sync continues the same cases, a second import adds nothing.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ConfigLocation } from '../config/load.js';
import type { AppConfig, Config } from '../config/schema.js';
import { decodeExport, readExport, type ExportRead } from '../connectors/stores/export-files.js';
import { allStores, storeDescriptor, storeName } from '../connectors/stores/registry.js';
import { errorMessage, ExitCode, LockedError, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { AppStates } from '../state/app-state.js';
import { backlogTaken } from '../state/backlog.js';
import type { StateDb } from '../state/handle.js';
import { LabelCache } from '../state/labels.js';
import { sqliteUsageLedger } from '../state/usage.js';
import { bindState, ownerOf } from '../state/identity.js';
import { takeSyncLeases } from '../state/sync-leases.js';
import { Runs } from '../state/runs.js';
import { CaseFinder } from './case-finder.js';
import { deliverReported } from './deliver.js';
import { Ingestor } from './ingest.js';
import { emptyAppReport, type AppReport } from './report.js';
import type { Services } from './services.js';
import { buildServices } from './wiring.js';

export interface ImportDeps {
  db: StateDb;
  config: Config;
  services: Services;
  logger: Logger;
  now?: (() => number) | undefined;
}

export interface ImportedFile {
  file: string;
  format: string;
  rows: number;
  reviews: number;
  /** Rows that are no review (a rating without text). */
  skipped: number;
  /** Rows that failed their schema: `line N: …`. */
  setAside: string[];
}

export interface ImportReport {
  app: AppReport;
  files: ImportedFile[];
  /** Backlog places that were free before this import. */
  backlogLeft: number;
  outcome: 'ok' | 'partial' | 'failed';
}

function appOf(config: Config, id: string): AppConfig {
  const app = config.apps.find((a) => a.id === id);
  if (app) return app;
  throw new UserError(
    `Unknown app id: ${id}.`,
    ExitCode.usage,
    `Known apps: ${config.apps.map((a) => a.id).join(', ') || 'none'} (see \`asodesk-omni config show\`).`,
  );
}

/** Reads and checks every file (exit 2 for one that is not an export of the app's store). */
export function readImportFiles(app: AppConfig, paths: readonly string[]): { path: string; read: ExportRead }[] {
  const formats = allStores().flatMap((d) => (d.exportFormat ? [d.exportFormat] : []));
  if (!storeDescriptor(app.store).exportFormat) {
    throw new UserError(
      `App "${app.id}" is a ${storeName(app.store)} app: there is no review export of that store to import.`,
      ExitCode.usage,
      `import reads: ${formats.map((f) => `${f.name} (${storeName(f.store)})`).join(', ')}.`,
    );
  }
  return paths.map((path) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new UserError(`Cannot read ${path}: ${errorMessage(err)}.`, ExitCode.usage, 'Check the file name.');
    }
    const read = readExport(basename(path), decodeExport(bytes), {
      formats,
      store: app.store,
      appId: app.appId,
      storeName,
    });
    return { path, read };
  });
}

export async function importReviews(deps: ImportDeps, appId: string, paths: readonly string[]): Promise<ImportReport> {
  const { db, config, services, logger } = deps;
  const now = deps.now ?? Date.now;
  const app = appOf(config, appId);
  const files = readImportFiles(app, paths);
  await bindState(db, ownerOf(config.omnidesk), { record: true });
  // As a sync: the run lock on SQLite; on PostgreSQL the app's lease, so no worker syncs it meanwhile.
  const leases = await takeSyncLeases(db);
  const heldApp = await leases.app(`${app.store}:${app.appId}`).catch(async (err: unknown) => {
    await leases.release();
    throw err;
  });
  if (!heldApp) {
    await leases.release();
    throw new LockedError(`A sync worker is syncing ${app.id} right now.`);
  }
  try {
    const runs = new Runs(db);
    const runId = await runs.start('import');
    const appKey = `${app.store}:${app.appId}`;
    const report = emptyAppReport(app.id, app.store, 'api', false);
    const firstSyncAt = (await new AppStates(db).get(appKey))?.firstSyncAt;
    const backlogLeft = Math.max(0, app.filters.backlog - (await backlogTaken(db, appKey, firstSyncAt)));
    const reviews = files.flatMap((f) => f.read.reviews);
    await new Ingestor(db, app, report).recordImported(reviews, {
      left: backlogLeft,
      since: firstSyncAt ? Date.parse(firstSyncAt) : undefined,
    });
    for (const f of files) {
      report.setAside += f.read.setAside.length;
      report.setAsideReasons.push(...f.read.setAside.map((s) => `${basename(f.path)}: ${s.reason}`));
    }
    const channel = config.omnidesk?.channel;
    const credentialsMissing = services.replyConnector(app.store) === undefined;
    await deliverReported({
      db,
      config,
      app,
      helpdesk: services.helpdesk,
      report,
      credentialsMissing,
      finder: channel ? new CaseFinder({ db, helpdesk: services.helpdesk, channel, logger, now }) : undefined,
      now,
    });
    report.outcome = report.errors.length === 0 ? 'ok' : report.created + report.updated > 0 ? 'partial' : 'failed';
    const result: ImportReport = {
      app: report,
      files: files.map(({ path, read }) => ({
        file: path,
        format: read.format.name,
        rows: read.rows,
        reviews: read.reviews.length,
        skipped: read.skipped,
        setAside: read.setAside.map((s) => s.reason),
      })),
      backlogLeft,
      outcome: report.outcome,
    };
    await runs.finish(runId, result.outcome, result);
    logger.info('import finished', { app: app.id, created: report.created, outcome: report.outcome });
    return result;
  } finally {
    await heldApp.release();
    await leases.release();
  }
}

/** One import with the real connectors, as the command runs it; the caller owns the db. */
export async function runImport(
  db: StateDb,
  config: Config,
  location: ConfigLocation,
  logger: Logger,
  appId: string,
  paths: readonly string[],
): Promise<ImportReport> {
  const services = buildServices(config, location, logger, {
    usage: sqliteUsageLedger(db),
    labelCache: new LabelCache(db),
  });
  try {
    return await importReviews({ db, config, services, logger }, appId, paths);
  } finally {
    await services.close();
  }
}

export function renderImport(r: ImportReport): string {
  const a = r.app;
  const out: string[] = [];
  for (const f of r.files) {
    const skipped = f.skipped ? `, ${f.skipped} rating(s) without text skipped` : '';
    out.push(`${f.file} (${f.format}): ${f.rows} rows, ${f.reviews} reviews${skipped}`);
    for (const s of f.setAside) out.push(`  set aside: ${s}`);
  }
  const dropped = Object.entries(a.dropped).map(([k, v]) => `${k} ${v}`);
  const answered = a.backlogAnswered ?? 0;
  out.push(
    `app ${a.app}: ${a.created} case(s) created, ${a.updated} updated, ${a.unchanged} known already, ${a.failed} failed`,
  );
  if (dropped.length) out.push(`  dropped by filter: ${dropped.join(', ')}`);
  if (a.backlogSkipped)
    out.push(
      `  not imported: already answered ${answered}, beyond the backlog ${a.backlogSkipped - answered} (filters.backlog: ${r.backlogLeft} place(s) were free)`,
    );
  for (const e of a.errors) out.push(`  error: ${e}`);
  out.push(`result: ${r.outcome}`);
  return out.join('\n');
}
