/** Small named values kept between runs: poll positions, per-app sync times. */
import { nowIso, type Db } from './db.js';

export class Cursors {
  constructor(private readonly db: Db) {}

  get(name: string): string | undefined {
    const r = this.db.prepare('SELECT value FROM cursors WHERE name = ?').get(name) as { value: string } | undefined;
    return r?.value;
  }

  set(name: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      )
      .run(name, value, nowIso());
  }
}
