/** Small named values kept between runs: poll positions, per-app sync times. */
import type { StateDb } from './handle.js';
import { nowIso } from './now.js';

export class Cursors {
  constructor(private readonly db: StateDb) {}

  get(name: string): Promise<string | undefined> {
    return this.db.value<string>('SELECT value FROM cursors WHERE name = ?', [name]);
  }

  async set(name: string, value: string): Promise<void> {
    await this.db.run(
      'INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      [name, value, nowIso()],
    );
  }
}
