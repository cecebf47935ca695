/** Per-app bookkeeping across runs: first sync (backlog), last outcome, last complete pull. */
import { type Db } from './db.js';

export interface AppStateRow {
  appKey: string;
  firstSyncAt: string | null;
  lastSyncAt: string | null;
  lastOutcome: string | null;
  lastError: string | null;
  lastCompletePullAt: string | null;
  lastFullScanAt: string | null;
}

interface Raw {
  app_key: string;
  first_sync_at: string | null;
  last_sync_at: string | null;
  last_outcome: string | null;
  last_error: string | null;
  last_complete_pull_at: string | null;
  last_full_scan_at: string | null;
}

export class AppStates {
  constructor(private readonly db: Db) {}

  get(appKey: string): AppStateRow | undefined {
    const r = this.db.prepare('SELECT * FROM app_state WHERE app_key = ?').get(appKey) as Raw | undefined;
    if (!r) return undefined;
    return {
      appKey: r.app_key,
      firstSyncAt: r.first_sync_at,
      lastSyncAt: r.last_sync_at,
      lastOutcome: r.last_outcome,
      lastError: r.last_error,
      lastCompletePullAt: r.last_complete_pull_at,
      lastFullScanAt: r.last_full_scan_at,
    };
  }

  private ensure(appKey: string): void {
    this.db.prepare('INSERT OR IGNORE INTO app_state (app_key) VALUES (?)').run(appKey);
  }

  markFirstSync(appKey: string, at: string): void {
    this.ensure(appKey);
    this.db
      .prepare('UPDATE app_state SET first_sync_at = COALESCE(first_sync_at, ?) WHERE app_key = ?')
      .run(at, appKey);
  }

  markPulled(appKey: string, at: string, full: boolean): void {
    this.ensure(appKey);
    this.db
      .prepare(
        `UPDATE app_state SET last_complete_pull_at = ?, last_full_scan_at = CASE WHEN ? THEN ? ELSE last_full_scan_at END WHERE app_key = ?`,
      )
      .run(at, full ? 1 : 0, at, appKey);
  }

  markOutcome(appKey: string, at: string, outcome: 'ok' | 'partial' | 'failed', error: string | null): void {
    this.ensure(appKey);
    this.db
      .prepare('UPDATE app_state SET last_sync_at = ?, last_outcome = ?, last_error = ? WHERE app_key = ?')
      .run(at, outcome, error, appKey);
  }
}
