/** Omnidesk label ids by title, so a label is looked up or created once, not every run. */
import type { Db } from './db.js';

export class LabelCache {
  constructor(private readonly db: Db) {}

  get(title: string): number | undefined {
    const r = this.db.prepare('SELECT label_id FROM labels WHERE title = ?').get(title) as
      { label_id: number } | undefined;
    return r?.label_id;
  }

  set(title: string, id: number): void {
    this.db.prepare('INSERT OR REPLACE INTO labels (title, label_id) VALUES (?, ?)').run(title, id);
  }
}
