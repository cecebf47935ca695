/** One row per run; a run that never finished (killed) stays without `finished_at`. */
import type { StateDb } from './handle.js';
import { nowIso } from './now.js';

export interface RunRow {
  id: number;
  command: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: string | null;
  reportJson: string | null;
}

export class Runs {
  constructor(private readonly db: StateDb) {}

  async start(command: string): Promise<number> {
    const id = await this.db.value<number>('INSERT INTO runs (command, started_at) VALUES (?, ?) RETURNING id', [
      command,
      nowIso(),
    ]);
    return Number(id);
  }

  /**
   * Forgets runs started before `before` (their reports are most of the table: a 5-minute cron
   * wrote ≈ 3.7 MB a day), but never the last run of a command nor its last successful one,
   * which `status` and the metrics read. Returns how many went.
   */
  async prune(before: string): Promise<number> {
    const { changes } = await this.db.run(
      `DELETE FROM runs WHERE started_at < ?
         AND id NOT IN (SELECT MAX(id) FROM runs GROUP BY command)
         AND id NOT IN (SELECT MAX(id) FROM runs WHERE outcome = 'ok' GROUP BY command)`,
      [before],
    );
    return changes;
  }

  async finish(id: number, outcome: string, report: unknown): Promise<void> {
    await this.db.run('UPDATE runs SET finished_at = ?, outcome = ?, report_json = ? WHERE id = ?', [
      nowIso(),
      outcome,
      JSON.stringify(report),
      id,
    ]);
  }

  async last(command: string): Promise<RunRow | undefined> {
    const r = await this.db.get<{
      id: number;
      command: string;
      started_at: string;
      finished_at: string | null;
      outcome: string | null;
      report_json: string | null;
    }>(
      'SELECT id, command, started_at, finished_at, outcome, report_json FROM runs WHERE command = ? ORDER BY id DESC LIMIT 1',
      [command],
    );
    return r
      ? {
          id: r.id,
          command: r.command,
          startedAt: r.started_at,
          finishedAt: r.finished_at,
          outcome: r.outcome,
          reportJson: r.report_json,
        }
      : undefined;
  }
}
