/** Per-app bookkeeping across runs: first sync (backlog), last outcome, last complete pull. */
import type { StateDb } from './handle.js';

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
  constructor(private readonly db: StateDb) {}

  async get(appKey: string): Promise<AppStateRow | undefined> {
    const r = await this.db.get<Raw>('SELECT * FROM app_state WHERE app_key = ?', [appKey]);
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

  private async ensure(appKey: string): Promise<void> {
    await this.db.run('INSERT INTO app_state (app_key) VALUES (?) ON CONFLICT (app_key) DO NOTHING', [appKey]);
  }

  async markFirstSync(appKey: string, at: string): Promise<void> {
    await this.ensure(appKey);
    await this.db.run('UPDATE app_state SET first_sync_at = COALESCE(first_sync_at, ?) WHERE app_key = ?', [
      at,
      appKey,
    ]);
  }

  async markPulled(appKey: string, at: string, full: boolean): Promise<void> {
    await this.ensure(appKey);
    // The choice is made here, not in SQL: a bound parameter in `CASE WHEN ?` has no type in PostgreSQL.
    await this.db.run(
      full
        ? 'UPDATE app_state SET last_complete_pull_at = ?, last_full_scan_at = ? WHERE app_key = ?'
        : 'UPDATE app_state SET last_complete_pull_at = ? WHERE app_key = ?',
      full ? [at, at, appKey] : [at, appKey],
    );
  }

  async markOutcome(
    appKey: string,
    at: string,
    outcome: 'ok' | 'partial' | 'failed',
    error: string | null,
  ): Promise<void> {
    await this.ensure(appKey);
    await this.db.run('UPDATE app_state SET last_sync_at = ?, last_outcome = ?, last_error = ? WHERE app_key = ?', [
      at,
      outcome,
      error,
      appKey,
    ]);
  }
}
