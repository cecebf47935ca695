/** One row per run; a run that never finished (killed) stays without `finished_at`. */
import { nowIso, type Db } from './db.js';

export interface RunRow {
  id: number;
  command: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: string | null;
  reportJson: string | null;
}

export class Runs {
  constructor(private readonly db: Db) {}

  start(command: string): number {
    return Number(
      this.db.prepare('INSERT INTO runs (command, started_at) VALUES (?, ?)').run(command, nowIso()).lastInsertRowid,
    );
  }

  finish(id: number, outcome: string, report: unknown): void {
    this.db
      .prepare('UPDATE runs SET finished_at = ?, outcome = ?, report_json = ? WHERE id = ?')
      .run(nowIso(), outcome, JSON.stringify(report), id);
  }

  last(command: string): RunRow | undefined {
    const r = this.db
      .prepare(
        'SELECT id, command, started_at, finished_at, outcome, report_json FROM runs WHERE command = ? ORDER BY id DESC LIMIT 1',
      )
      .get(command) as
      | {
          id: number;
          command: string;
          started_at: string;
          finished_at: string | null;
          outcome: string | null;
          report_json: string | null;
        }
      | undefined;
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
