/** The figures monitoring reads from the state (src/metrics/snapshot.ts): last good sync, oldest waiting reply. */
import type { StateDb } from './handle.js';

/** When the last sync that ended `ok` finished; null when none did. */
export async function lastSuccessfulSync(db: StateDb): Promise<string | null> {
  return (
    (await db.value<string>(
      `SELECT finished_at FROM runs WHERE command = 'sync' AND outcome = 'ok' ORDER BY id DESC LIMIT 1`,
    )) ?? null
  );
}

/** When the oldest reply still to publish (pending, or claimed by a process) arrived; null when none waits. */
export async function oldestPendingReply(db: StateDb): Promise<string | null> {
  return (
    (await db.value<string | null>(`SELECT MIN(received_at) FROM replies WHERE state IN ('pending', 'sending')`)) ??
    null
  );
}

export interface FinishedRun {
  startedAt: string;
  finishedAt: string;
  outcome: string;
  reportJson: string | null;
}

/** The last run of `command` that finished (a running or killed one has no figures yet). */
export async function lastFinishedRun(db: StateDb, command: string): Promise<FinishedRun | undefined> {
  const r = await db.get<{
    started_at: string;
    finished_at: string;
    outcome: string | null;
    report_json: string | null;
  }>(
    `SELECT started_at, finished_at, outcome, report_json FROM runs
       WHERE command = ? AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1`,
    [command],
  );
  return r
    ? { startedAt: r.started_at, finishedAt: r.finished_at, outcome: r.outcome ?? 'unknown', reportJson: r.report_json }
    : undefined;
}
