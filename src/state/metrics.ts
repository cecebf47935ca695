/** The figures monitoring reads from the state (src/metrics/snapshot.ts): last good sync, oldest waiting reply. */
import type { Db } from './db.js';

/** When the last sync that ended `ok` finished; null when none did. */
export function lastSuccessfulSync(db: Db): string | null {
  return (
    (db
      .prepare(`SELECT finished_at FROM runs WHERE command = 'sync' AND outcome = 'ok' ORDER BY id DESC LIMIT 1`)
      .pluck()
      .get() as string | undefined) ?? null
  );
}

/** When the oldest reply still to publish (pending, or claimed by a process) arrived; null when none waits. */
export function oldestPendingReply(db: Db): string | null {
  return (
    (db.prepare(`SELECT MIN(received_at) FROM replies WHERE state IN ('pending', 'sending')`).pluck().get() as
      string | null | undefined) ?? null
  );
}

export interface FinishedRun {
  startedAt: string;
  finishedAt: string;
  outcome: string;
  reportJson: string | null;
}

/** The last run of `command` that finished (a running or killed one has no figures yet). */
export function lastFinishedRun(db: Db, command: string): FinishedRun | undefined {
  const r = db
    .prepare(
      `SELECT started_at, finished_at, outcome, report_json FROM runs
       WHERE command = ? AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1`,
    )
    .get(command) as
    { started_at: string; finished_at: string; outcome: string | null; report_json: string | null } | undefined;
  return r
    ? { startedAt: r.started_at, finishedAt: r.finished_at, outcome: r.outcome ?? 'unknown', reportJson: r.report_json }
    : undefined;
}
